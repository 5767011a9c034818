import {test} from 'node:test'
import assert from 'node:assert/strict'
import {createRequire} from 'node:module'
import {
  CompressionType, ControlType, CorruptRecordError, controlRecordKey, controlRecordValue, decodeRecordBatch,
  decodeRecordBatches, encodeRecordBatch, readBatchHeader, validateBatch, type RecordInput,
} from '../../src/records/index.js'

const require = createRequire(import.meta.url)
const CODECS = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]

const mixed: RecordInput[] = [
  {key: null, value: Buffer.from('null key'), timestamp: 1000n},
  {key: 'k1', value: null, timestamp: 1005n},
  {key: Buffer.alloc(0), value: Buffer.alloc(0), timestamp: 990n}, // earlier than base: negative delta
  {key: 'h', value: 'with headers', timestamp: 1001n, headers: [{key: 'a', value: 'x'}, {key: 'nil', value: null}, {key: 'ü', value: Buffer.from([0, 255])}]},
  {value: 'big '.repeat(5000), timestamp: 2n ** 40n},
]

function bytes(v: Buffer | string | null | undefined): Buffer | null {
  return v === undefined || v === null ? null : Buffer.from(v)
}

test('round trip of null keys, null values, null header values and timestamps, for every codec', () => {
  for (const compression of CODECS) {
    const b = encodeRecordBatch({baseOffset: 100n, records: mixed, compression, producerId: 9n, producerEpoch: 2, baseSequence: 40})
    const [batch] = decodeRecordBatches(b)
    assert.equal(batch.compression, compression)
    assert.equal(batch.recordsCount, mixed.length)
    assert.equal(batch.lastOffsetDelta, mixed.length - 1)
    assert.equal(batch.baseTimestamp, 1000n)
    assert.equal(batch.maxTimestamp, 2n ** 40n)
    assert.equal(batch.producerId, 9n)
    assert.equal(batch.producerEpoch, 2)
    assert.equal(batch.baseSequence, 40)
    assert.equal(batch.batchLength, b.length - 12)
    batch.records.forEach((r, i) => {
      assert.equal(r.offset, 100n + BigInt(i))
      assert.equal(r.timestamp, mixed[i].timestamp)
      assert.deepEqual(r.key, bytes(mixed[i].key))
      assert.deepEqual(r.value, bytes(mixed[i].value))
      assert.deepEqual(r.headers, (mixed[i].headers ?? []).map((h) => ({key: h.key, value: bytes(h.value)})))
    })
  }
})

test('many records round trip and batches concatenate', () => {
  const records = Array.from({length: 10_000}, (_, i) => ({key: `key-${i}`, value: `value-${i}`.repeat(i % 7), timestamp: 1_700_000_000_000n + BigInt(i % 300)}))
  const parts = CODECS.map((compression, j) => encodeRecordBatch({baseOffset: BigInt(j * 10_000), records, compression}))
  const decoded = decodeRecordBatches(Buffer.concat(parts))
  assert.equal(decoded.length, CODECS.length)
  for (const [j, batch] of decoded.entries()) {
    assert.equal(batch.records.length, 10_000)
    assert.equal(batch.records[9_999].offset, BigInt(j * 10_000 + 9_999))
    assert.equal(batch.records[1234].value?.toString(), 'value-1234'.repeat(1234 % 7))
    assert.equal(batch.maxTimestamp, 1_700_000_000_299n)
  }
})

test('decodeRecordBatches skips a partial tail batch', () => {
  const a = encodeRecordBatch({records: [{value: 'one'}]})
  const b = encodeRecordBatch({baseOffset: 1n, records: [{value: 'two'}]})
  const decoded = decodeRecordBatches(Buffer.concat([a, b.subarray(0, b.length - 1)]))
  assert.equal(decoded.length, 1)
  assert.equal(decoded[0].records[0].value?.toString(), 'one')
})

test('control batches expose their type', () => {
  for (const type of [ControlType.Abort, ControlType.Commit]) {
    const b = encodeRecordBatch({records: [{key: controlRecordKey(type), value: controlRecordValue(5)}], isControl: true, isTransactional: true, producerId: 3n, producerEpoch: 1})
    const batch = decodeRecordBatch(b, 0)
    assert.equal(batch.isControl, true)
    assert.equal(batch.isTransactional, true)
    assert.equal(batch.controlType, type)
    assert.equal(batch.records[0].value?.readInt32BE(2), 5)
  }
  assert.equal(decodeRecordBatch(encodeRecordBatch({records: [{value: 'x'}]}), 0).controlType, undefined)
})

test('decodeRecordBatch throws CorruptRecordError on bad CRC and malformed records', () => {
  const b = encodeRecordBatch({records: [{key: 'k', value: 'v'}]})
  b[b.length - 2] ^= 0xff
  assert.throws(() => decodeRecordBatch(b, 0), CorruptRecordError)
  assert.throws(() => decodeRecordBatch(b.subarray(0, 30), 0), CorruptRecordError)
  // With CRC checking off the corrupted value byte still decodes (the framing is intact).
  assert.equal(decodeRecordBatch(b, 0, {verifyCrc: false}).records.length, 1)
})

test('encode defaults: non-idempotent header, now as timestamp, epoch -1', () => {
  const before = BigInt(Date.now())
  const b = encodeRecordBatch({records: [{value: 'v'}]})
  const h = readBatchHeader(b)
  assert.equal(h.producerId, -1n)
  assert.equal(h.producerEpoch, -1)
  assert.equal(h.baseSequence, -1)
  assert.equal(h.partitionLeaderEpoch, -1)
  assert.ok(h.baseTimestamp >= before && h.baseTimestamp <= BigInt(Date.now()))
  assert.ok(validateBatch(b, 0, b.length).ok)
})

// kafkajs ships its own v2 batch codec: an encoder nobody here wrote.
test('interop with kafkajs record batch codec (both directions)', async () => {
  const {RecordBatch} = require('kafkajs/src/protocol/recordBatch/v0/index.js')
  const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js')
  const RecordBatchDecoder = require('kafkajs/src/protocol/recordBatch/v0/decoder.js')
  const Decoder = require('kafkajs/src/protocol/decoder.js')
  for (const compression of [CompressionType.None, CompressionType.Gzip]) {
    const theirs = await RecordBatch({
      compression,
      firstTimestamp: 1_600_000_000_000,
      maxTimestamp: 1_600_000_000_009,
      lastOffsetDelta: 2,
      records: [0, 1, 2].map((i) => Record({offsetDelta: i, timestampDelta: i * 3, key: i === 1 ? null : Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), headers: {h: `x${i}`}})),
    })
    const buf: Buffer = theirs.buffer
    assert.ok(validateBatch(buf, 0, buf.length, {deep: true}).ok)
    const batch = decodeRecordBatch(buf, 0)
    assert.deepEqual(batch.records.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.toString(), r.headers[0].value?.toString()]), [
      [0n, 1_600_000_000_000n, 'k0', 'v0', 'x0'],
      [1n, 1_600_000_000_003n, null, 'v1', 'x1'],
      [2n, 1_600_000_000_006n, 'k2', 'v2', 'x2'],
    ])
  }
  const ours = encodeRecordBatch({baseOffset: 50n, records: mixed.slice(0, 4), compression: CompressionType.Gzip})
  const decoded = await RecordBatchDecoder(new Decoder(ours))
  assert.equal(decoded.records.length, 4)
  assert.equal(decoded.records[0].key, null)
  assert.equal(decoded.records[0].offset, '50')
  assert.equal(decoded.records[1].value, null)
  assert.equal(decoded.records[2].timestamp, '990')
  assert.equal(decoded.records[3].headers.nil, null)
  assert.equal(decoded.records[3].headers.a.toString(), 'x')
})

test('timestamp deltas beyond 49 bits take the exact bigint path', () => {
  const timestamps = [0n, 2n ** 60n, -(2n ** 50n), 2n ** 53n - 1n, 123n]
  const b = encodeRecordBatch({records: timestamps.map((timestamp) => ({value: 'v', timestamp})), baseTimestamp: 0n})
  assert.deepEqual(decodeRecordBatch(b, 0).records.map((r) => r.timestamp), timestamps)
  assert.equal(readBatchHeader(b).maxTimestamp, 2n ** 60n)
})

test('decodeRecordBatch on mutated and random bytes only ever throws CorruptRecordError (seeded)', () => {
  let seed = 99
  const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0)
  const good = CODECS.map((compression) => encodeRecordBatch({records: mixed, compression}))
  let decoded = 0
  for (let i = 0; i < 3000; i++) {
    const b = Buffer.from(good[i % good.length])
    for (let k = 0; k < 1 + (rand() % 3); k++) b[rand() % b.length] = rand() & 0xff
    try {
      decodeRecordBatches(b, {verifyCrc: false})
      decoded++
    } catch (err) {
      assert.ok(err instanceof CorruptRecordError, `iteration ${i}: ${(err as Error).stack}`)
    }
  }
  assert.ok(decoded > 0)
})
