// The fetch decode path on hand-built responses: records below the position are skipped, control
// batches are skipped but advance the position, read_committed drops aborted transactions, every
// codec decodes, LogAppendTime applies, and a CRC mismatch is an error naming the partition.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {CompressionType, ControlType, computeBatchCrc, controlRecordKey, controlRecordValue, encodeRecordBatch} from '../../src/records/index.js'
import {CompletedFetch} from '../../src/consumer/completed-fetch.js'
import {TopicPartitionState} from '../../src/consumer/subscription-state.js'
import type {ConsumerRecord} from '../../src/consumer/index.js'

function drainAll(cf: CompletedFetch, max = 1000): ConsumerRecord[] {
  const out: ConsumerRecord[] = []
  for (let i = 0; i < 100 && cf.drain(max, out);) i++
  return out
}

function values(rs: ConsumerRecord[]): string[] {
  return rs.map((r) => `${r.offset}:${r.value?.toString() ?? 'null'}`)
}

test('skips records below the fetch position inside a batch, and whole batches before it', () => {
  const b1 = encodeRecordBatch({baseOffset: 0n, records: [{value: 'a'}, {value: 'b'}]})
  const b2 = encodeRecordBatch({baseOffset: 2n, records: [{value: 'c'}, {value: 'd'}, {value: 'e'}]})
  const state = new TopicPartitionState('t', 0)
  const cf = new CompletedFetch(state, state.epoch, Buffer.concat([b1, b2]), 3n, null, true)
  const out = drainAll(cf)
  assert.deepEqual(values(out), ['3:d', '4:e'])
  assert.equal(cf.nextOffset, 5n)
  assert.equal(out[0].topic, 't')
  assert.equal(out[0].partition, 0)
})

test('drains in steps of max records and ignores a partial trailing batch', () => {
  const b1 = encodeRecordBatch({baseOffset: 10n, records: Array.from({length: 5}, (_, i) => ({key: `k${i}`, value: `v${i}`, headers: [{key: 'h', value: `${i}`}]}))})
  const b2 = encodeRecordBatch({baseOffset: 15n, records: [{value: 'late'}]})
  const cf = new CompletedFetch(new TopicPartitionState('t', 1), 0, Buffer.concat([b1, b2.subarray(0, b2.length - 3)]), 10n, null, true)
  const first: ConsumerRecord[] = []
  assert.equal(cf.drain(2, first), true)
  assert.deepEqual(values(first), ['10:v0', '11:v1'])
  assert.equal(cf.nextOffset, 12n)
  const rest = drainAll(cf)
  assert.deepEqual(values(rest), ['12:v2', '13:v3', '14:v4'])
  assert.equal(rest[2].key!.toString(), 'k4')
  assert.deepEqual(rest[2].headers.map((h) => [h.key, h.value!.toString()]), [['h', '4']])
  assert.equal(cf.nextOffset, 15n, 'the partial batch is fetched again from 15')
})

test('control batches are skipped and advance the position; read_committed drops aborted transactions', () => {
  const pid = 7n
  const batches = Buffer.concat([
    encodeRecordBatch({baseOffset: 0n, records: [{value: 'plain'}]}),
    encodeRecordBatch({baseOffset: 1n, records: [{value: 'aborted-1'}, {value: 'aborted-2'}], producerId: pid, producerEpoch: 0, baseSequence: 0, isTransactional: true}),
    encodeRecordBatch({baseOffset: 3n, records: [{value: 'committed'}], producerId: 9n, producerEpoch: 0, baseSequence: 0, isTransactional: true}),
    encodeRecordBatch({baseOffset: 4n, records: [{key: controlRecordKey(ControlType.Abort), value: controlRecordValue(0)}], producerId: pid, producerEpoch: 0, isTransactional: true, isControl: true}),
    encodeRecordBatch({baseOffset: 5n, records: [{key: controlRecordKey(ControlType.Commit), value: controlRecordValue(0)}], producerId: 9n, producerEpoch: 0, isTransactional: true, isControl: true}),
    encodeRecordBatch({baseOffset: 6n, records: [{value: 'after'}], producerId: pid, producerEpoch: 1, baseSequence: 0, isTransactional: true}),
  ])
  const uncommitted = drainAll(new CompletedFetch(new TopicPartitionState('t', 0), 0, batches, 0n, null, true))
  assert.deepEqual(values(uncommitted), ['0:plain', '1:aborted-1', '2:aborted-2', '3:committed', '6:after'])
  const cf = new CompletedFetch(new TopicPartitionState('t', 0), 0, batches, 0n, [{producerId: pid, firstOffset: 1n}], true)
  assert.deepEqual(values(drainAll(cf)), ['0:plain', '3:committed', '6:after'])
  assert.equal(cf.nextOffset, 7n)
  // A response that holds only a control batch still moves the position past it.
  const marker = encodeRecordBatch({baseOffset: 4n, records: [{key: controlRecordKey(ControlType.Commit), value: controlRecordValue(0)}], producerId: pid, producerEpoch: 0, isTransactional: true, isControl: true})
  const onlyControl = new CompletedFetch(new TopicPartitionState('t', 0), 0, marker, 4n, null, true)
  assert.deepEqual(drainAll(onlyControl), [])
  assert.equal(onlyControl.nextOffset, 5n)
})

test('every codec decodes; LogAppendTime takes the batch max timestamp; null key and value survive', () => {
  for (const codec of [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
    const batch = encodeRecordBatch({baseOffset: 0n, compression: codec, records: [
      {key: null, value: 'x'.repeat(100), timestamp: 1000n}, {key: 'k', value: null, timestamp: 1005n},
    ]})
    const out = drainAll(new CompletedFetch(new TopicPartitionState('t', 0), 0, batch, 0n, null, true))
    assert.equal(out.length, 2, `codec ${codec}`)
    assert.equal(out[0].key, null)
    assert.equal(out[0].value!.toString(), 'x'.repeat(100))
    assert.equal(out[1].value, null)
    assert.deepEqual(out.map((r) => r.timestamp), [1000n, 1005n])
    assert.equal(out[0].timestampType, 'CreateTime')
  }
  const lat = encodeRecordBatch({baseOffset: 0n, timestampType: 'LogAppendTime', records: [{value: 'a', timestamp: 1n}, {value: 'b', timestamp: 2n}]})
  lat.writeBigInt64BE(5000n, 35) // the broker's append time (CRC recomputed below)
  lat.writeUInt32BE(computeBatchCrc(lat, 0), 17)
  const out = drainAll(new CompletedFetch(new TopicPartitionState('t', 0), 0, lat, 0n, null, true))
  assert.deepEqual(out.map((r) => [r.timestamp, r.timestampType]), [[5000n, 'LogAppendTime'], [5000n, 'LogAppendTime']])
})

test('a CRC mismatch is a CORRUPT_MESSAGE error naming the partition unless check.crcs is off', () => {
  const batch = encodeRecordBatch({baseOffset: 0n, records: [{value: 'hello'}]})
  batch[batch.length - 2] ^= 0xff
  assert.throws(() => drainAll(new CompletedFetch(new TopicPartitionState('orders', 4), 0, batch, 0n, null, true)),
    (err: any) => err.code === 2 && /orders-4/.test(err.message) && /CRC/.test(err.message))
  const out = drainAll(new CompletedFetch(new TopicPartitionState('orders', 4), 0, batch, 0n, null, false))
  assert.equal(out.length, 1)
})

test('a malformed record under a valid CRC is CORRUPT_MESSAGE when reached; the records before it are handed out', () => {
  const batch = encodeRecordBatch({baseOffset: 40n, records: [{value: 'a'}, {value: 'b'}, {value: 'c'}]})
  // The last byte is the third record's header count (0); 2 (zigzag 1) promises a header that is not there.
  batch[batch.length - 1] = 2
  batch.writeUInt32BE(computeBatchCrc(batch), 17)
  const cf = new CompletedFetch(new TopicPartitionState('orders', 2), 0, batch, 40n, null, true)
  const out: ConsumerRecord[] = []
  assert.equal(cf.drain(2, out), true)
  assert.deepEqual(values(out), ['40:a', '41:b'])
  assert.equal(cf.nextOffset, 42n)
  assert.throws(() => cf.drain(2, out), (err: any) => err.code === 2 && /orders-2/.test(err.message) && /offset 40/.test(err.message) && /record 2: 1 headers promised/.test(err.message))
  assert.equal(cf.nextOffset, 42n, 'the position stays at the bad record')
})

test('a batch of more records than two-byte offset deltas reach (8192) decodes every offset, key and value', () => {
  const n = 9000
  const batch = encodeRecordBatch({baseOffset: 100n, records: Array.from({length: n}, (_, i) => ({key: i % 2 ? `k${i}` : null, value: `v${i}`}))})
  const out = drainAll(new CompletedFetch(new TopicPartitionState('big', 0), 0, batch, 100n, null, true), 4000)
  assert.equal(out.length, n)
  for (const i of [0, 63, 64, 8191, 8192, n - 1]) {
    assert.equal(out[i].offset, 100n + BigInt(i))
    assert.equal(out[i].key?.toString() ?? null, i % 2 ? `k${i}` : null)
    assert.equal(out[i].value?.toString(), `v${i}`)
  }
})

test('fields read back from the bytes on access: the same views on every access, timestamps, null keys and values, several headers', () => {
  const batch = encodeRecordBatch({baseOffset: 7n, baseTimestamp: 1_000n, records: [
    {key: 'a'.repeat(200), value: null, timestamp: 1_005n, headers: [{key: 'h1', value: 'x'}, {key: 'h2', value: null}, {key: 'é', value: 'y'.repeat(70)}]},
    {key: null, value: 'v'.repeat(300), timestamp: 101_000n},
  ]})
  const [r0, r1] = drainAll(new CompletedFetch(new TopicPartitionState('t', 3), 0, batch, 7n, null, true))
  assert.equal(r0.value, null)
  assert.equal(r0.key, r0.key, 'one key view, not a new one per access')
  assert.equal(r0.key!.toString(), 'a'.repeat(200))
  assert.equal(r0.headers, r0.headers)
  assert.deepEqual(r0.headers.map((h) => [h.key, h.value?.toString() ?? null]), [['h1', 'x'], ['h2', null], ['é', 'y'.repeat(70)]])
  assert.deepEqual([r0.offset, r0.timestamp, r1.offset, r1.timestamp], [7n, 1_005n, 8n, 101_000n])
  assert.equal(r1.key, null)
  assert.equal(r1.value, r1.value)
  assert.equal(r1.value!.toString(), 'v'.repeat(300))
  assert.deepEqual(r1.headers, [])
  assert.deepEqual((r1 as unknown as {toJSON(): {value: unknown}}).toJSON().value, r1.value)
})
