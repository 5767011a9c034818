import {test} from 'node:test'
import assert from 'node:assert/strict'
import CRC32C from 'crc-32/crc32c.js'
import {
  ATTRIBUTES, CRC, HEADER_SIZE, batchCrcValid, batchLastOffset, computeBatchCrc, decodeRecordBatch, encodeRecordBatch,
  iterateBatches, readBatchHeader, setBaseOffset, setMaxTimestampAndLogAppendTime, setPartitionLeaderEpoch,
} from '../../src/records/index.js'

/** A one-record batch written byte by byte from the format description, CRC from the crc-32 package. */
function handBuiltBatch(): Buffer {
  const b = Buffer.from([
    0, 0, 0, 0, 0, 0, 0, 0, //              baseOffset 0
    0, 0, 0, 62, //                         batchLength: 74 total - 12
    0xff, 0xff, 0xff, 0xff, //              partitionLeaderEpoch -1
    2, //                                   magic 2
    0, 0, 0, 0, //                          crc (filled below)
    0, 0, //                                attributes: no codec, CreateTime, not transactional/control
    0, 0, 0, 0, //                          lastOffsetDelta 0
    0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0, // baseTimestamp 1700000000000
    0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0, // maxTimestamp 1700000000000
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // producerId -1
    0xff, 0xff, //                          producerEpoch -1
    0xff, 0xff, 0xff, 0xff, //              baseSequence -1
    0, 0, 0, 1, //                          recordsCount 1
    // record
    0x18, //                                length 12 (zigzag 24)
    0x00, //                                attributes
    0x00, //                                timestampDelta 0
    0x00, //                                offsetDelta 0
    0x06, 0x6b, 0x65, 0x79, //              key length 3, "key"
    0x06, 0x76, 0x61, 0x6c, //              value length 3, "val"
    0x00, //                                header count 0
  ])
  b.writeUInt32BE(CRC32C.buf(b.subarray(ATTRIBUTES)) >>> 0, CRC)
  return b
}

test('encodeRecordBatch produces exactly the hand-built bytes', () => {
  const expected = handBuiltBatch()
  assert.equal(expected.length, 74)
  const encoded = encodeRecordBatch({records: [{key: 'key', value: 'val', timestamp: 1700000000000n}]})
  assert.equal(encoded.toString('hex'), expected.toString('hex'))
})

test('readBatchHeader and decodeRecordBatch read the hand-built bytes', () => {
  const b = handBuiltBatch()
  const h = readBatchHeader(b)
  assert.equal(h.batchLength, 62)
  assert.equal(h.magic, 2)
  assert.equal(h.partitionLeaderEpoch, -1)
  assert.equal(h.baseTimestamp, 1700000000000n)
  assert.equal(h.producerId, -1n)
  assert.equal(h.recordsCount, 1)
  assert.equal(h.timestampType, 'CreateTime')
  assert.equal(h.isControl, false)
  assert.equal(h.crc, computeBatchCrc(b))
  const batch = decodeRecordBatch(b, 0)
  assert.equal(batch.records.length, 1)
  assert.equal(batch.records[0].key?.toString(), 'key')
  assert.equal(batch.records[0].value?.toString(), 'val')
  assert.equal(batch.records[0].timestamp, 1700000000000n)
  assert.deepEqual(batch.records[0].headers, [])
})

test('offset and epoch stamping leave the CRC valid; LogAppendTime stamping recomputes it', () => {
  const b = handBuiltBatch()
  setBaseOffset(b, 0, 1234567890123n)
  setPartitionLeaderEpoch(b, 0, 7)
  assert.ok(batchCrcValid(b))
  const h = readBatchHeader(b)
  assert.equal(h.baseOffset, 1234567890123n)
  assert.equal(h.partitionLeaderEpoch, 7)
  assert.equal(batchLastOffset(b), 1234567890123n)

  setMaxTimestampAndLogAppendTime(b, 0, 1800000000000n)
  assert.ok(batchCrcValid(b))
  assert.equal(readBatchHeader(b).timestampType, 'LogAppendTime')
  assert.equal(readBatchHeader(b).maxTimestamp, 1800000000000n)
  // Under LogAppendTime the decoded record carries the broker's timestamp.
  assert.equal(decodeRecordBatch(b, 0).records[0].timestamp, 1800000000000n)
  b[HEADER_SIZE + 5] ^= 1
  assert.equal(batchCrcValid(b), false)
})

test('iterateBatches yields complete batches and stops at a partial tail', () => {
  const a = encodeRecordBatch({records: [{value: 'a'}]})
  const c = encodeRecordBatch({baseOffset: 1n, records: [{value: 'bb'}, {value: 'cc'}]})
  const all = Buffer.concat([a, c, c.subarray(0, 30)])
  assert.deepEqual([...iterateBatches(all)], [{pos: 0, size: a.length}, {pos: a.length, size: c.length}])
  assert.deepEqual([...iterateBatches(Buffer.alloc(5))], [])
  const negative = Buffer.alloc(20)
  negative.writeInt32BE(-5, 8)
  assert.deepEqual([...iterateBatches(negative)], [])
})

test('batchCrcValid is false (not a throw) when batchLength overruns the buffer', () => {
  const b = handBuiltBatch()
  assert.equal(batchCrcValid(b.subarray(0, 70)), false)
  assert.equal(batchCrcValid(b.subarray(0, 10)), false)
})
