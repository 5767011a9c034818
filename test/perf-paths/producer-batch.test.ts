/**
 * ProducerBatch keeps callbacks and create times as runs; every record must still get its own
 * offset and timestamp, exactly one call, and errors must reach everyone.
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {ProducerBatch, type RecordMetadata} from '../../src/producer/index.js'

interface Call { who: string; i: number; err: Error | null; md?: RecordMetadata }

/** Fills a batch with records whose callbacks and timestamps come in runs of different lengths. */
function fill(calls: Call[]): {batch: ProducerBatch; timestamps: number[]} {
  const batch = new ProducerBatch('t', 2, Buffer.alloc(64 * 1024), 0)
  const timestamps: number[] = []
  let shared: ((err: Error | null, md?: RecordMetadata) => void) | null = null
  for (let i = 0; i < 200; i++) {
    const ts = 1_700_000_000_000 + Math.floor(i / 7) * 3 + (i % 31 === 0 ? 1 : 0)
    timestamps.push(ts)
    let cb: (err: Error | null, md?: RecordMetadata) => void
    if (i % 50 < 20) {
      // A run of records sharing one callback, as perf produce sends them.
      if (i % 50 === 0 || shared === null) {
        const first = i
        let k = 0
        shared = (err, md) => calls.push({who: `shared@${first}`, i: first + k++, err, md})
      }
      cb = shared
    } else if (i % 3 === 0) {
      const at = i
      cb = (err: Error | null) => calls.push({who: 'bare', i: at, err}) // no metadata wanted
    } else {
      const at = i
      cb = (err, md) => calls.push({who: 'own', i: at, err, md})
    }
    assert.equal(batch.append(ts, null, Buffer.from(`v${i}`), null, cb), 0)
  }
  return {batch, timestamps}
}

test('every record gets one call with its own offset and create time', () => {
  const calls: Call[] = []
  const {batch, timestamps} = fill(calls)
  assert.equal(batch.recordCount, 200)
  batch.close(0, -1n, -1, -1)
  batch.complete(1000n, -1n, null, (e) => assert.fail(String(e)))
  assert.equal(calls.length, 200)
  const seen = new Set<number>()
  for (const c of calls) {
    assert.equal(c.err, null)
    assert.ok(!seen.has(c.i), `record ${c.i} answered twice`)
    seen.add(c.i)
    if (c.who === 'bare') {
      assert.equal(c.md, undefined)
      continue
    }
    assert.deepEqual(c.md, {topic: 't', partition: 2, offset: 1000n + BigInt(c.i), timestamp: BigInt(timestamps[c.i])})
  }
  assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({length: 200}, (_, i) => i))
})

test('LogAppendTime replaces every create time; an error reaches every record once', () => {
  const calls: Call[] = []
  const {batch} = fill(calls)
  batch.close(0, -1n, -1, -1)
  batch.complete(5n, 42n, null, () => {})
  for (const c of calls) if (c.md) assert.equal(c.md.timestamp, 42n)

  const failed: Call[] = []
  const second = fill(failed).batch
  second.close(0, -1n, -1, -1)
  const err = new Error('boom')
  second.complete(-1n, -1n, err, () => {})
  assert.equal(failed.length, 200)
  for (const c of failed) {
    assert.equal(c.err, err)
    assert.equal(c.md, undefined)
  }
  // A second completion is ignored.
  second.complete(0n, -1n, null, () => {})
  assert.equal(failed.length, 200)
})
