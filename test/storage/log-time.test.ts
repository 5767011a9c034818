// Time-based behaviour with an injected clock: segment.ms rolling, timestamp lookups, max timestamp.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {join} from 'node:path'
import {Log} from '../../src/storage/log.js'
import {FakeClock, makeBatch, tempDir, testConfig} from './helpers.js'

test('segment.ms rolls a segment once its first append is older than segment.ms', () => {
  const {dir, cleanup} = tempDir()
  try {
    const clock = new FakeClock()
    const log = Log.open(join(dir, 't-0'), testConfig({segmentBytes: 1 << 20, segmentMs: 1000}), {clock: clock.now})
    clock.advance(5000) // an empty segment's age does not count
    log.append(makeBatch(1))
    clock.advance(1000)
    log.append(makeBatch(1))
    assert.equal(log.segments.length, 1, 'exactly segment.ms old: no roll yet')
    clock.advance(1)
    log.append(makeBatch(1))
    assert.deepEqual(log.segments.map((s) => s.baseOffset), [0n, 2n])
    clock.advance(999)
    log.append(makeBatch(1))
    assert.equal(log.segments.length, 2)
    clock.advance(2)
    log.append(makeBatch(1))
    assert.deepEqual(log.segments.map((s) => s.baseOffset), [0n, 2n, 4n])
    log.close()
  } finally {
    cleanup()
  }
})

test('offsetForTimestamp finds the first record with timestamp >= target, across segments and inside batches', () => {
  const {dir, cleanup} = tempDir()
  try {
    const log = Log.open(join(dir, 't-0'), testConfig({segmentBytes: 2048, indexIntervalBytes: 300}))
    // Batch i holds records with timestamps 1000 + 10*i + j for j in 0..3, offsets 4i + j.
    for (let i = 0; i < 60; i++) log.append(makeBatch(4, {valueSize: 60, timestamps: [0, 1, 2, 3].map((j) => BigInt(1000 + 10 * i + j))}))
    assert.ok(log.segments.length > 3)
    for (let i = 0; i < 60; i++) {
      for (let j = 0; j < 4; j++) {
        const ts = BigInt(1000 + 10 * i + j)
        assert.deepEqual(log.offsetForTimestamp(ts), {offset: BigInt(4 * i + j), timestamp: ts}, `ts ${ts}`)
      }
      // A timestamp between batches resolves to the next batch's first record.
      assert.deepEqual(log.offsetForTimestamp(BigInt(1000 + 10 * i + 5)), i < 59 ? {offset: BigInt(4 * (i + 1)), timestamp: BigInt(1000 + 10 * (i + 1))} : null)
    }
    assert.deepEqual(log.offsetForTimestamp(0n), {offset: 0n, timestamp: 1000n})
    assert.equal(log.offsetForTimestamp(5000n), null)
    assert.deepEqual(log.maxTimestamp(), {offset: 239n, timestamp: 1593n})
    // After DeleteRecords the answer never lies below the log start offset.
    log.deleteRecordsBefore(10n)
    assert.deepEqual(log.offsetForTimestamp(0n), {offset: 10n, timestamp: 1022n})
    log.close()
  } finally {
    cleanup()
  }
})

test('timestamps out of order: the first record at or above the target in offset order, max timestamp record', () => {
  const {dir, cleanup} = tempDir()
  try {
    const log = Log.open(join(dir, 't-0'), testConfig())
    log.append(makeBatch(3, {timestamps: [100n, 500n, 200n]}))
    log.append(makeBatch(2, {timestamps: [300n, 400n]}))
    assert.deepEqual(log.offsetForTimestamp(150n), {offset: 1n, timestamp: 500n})
    assert.deepEqual(log.offsetForTimestamp(450n), {offset: 1n, timestamp: 500n})
    assert.deepEqual(log.maxTimestamp(), {offset: 1n, timestamp: 500n})
    log.close()
  } finally {
    cleanup()
  }
})
