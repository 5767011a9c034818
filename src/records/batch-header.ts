// Layout of the v2 record batch header (magic 2). Offsets are relative to the batch start.
import {crc32c} from './crc32c.js'
import {CompressionType} from './compression.js'

export const BASE_OFFSET = 0
export const BATCH_LENGTH = 8
export const PARTITION_LEADER_EPOCH = 12
export const MAGIC = 16
export const CRC = 17
export const ATTRIBUTES = 21
export const LAST_OFFSET_DELTA = 23
export const BASE_TIMESTAMP = 27
export const MAX_TIMESTAMP = 35
export const PRODUCER_ID = 43
export const PRODUCER_EPOCH = 51
export const BASE_SEQUENCE = 53
export const RECORDS_COUNT = 57
export const HEADER_SIZE = 61
/** baseOffset + batchLength: the bytes not counted by batchLength. */
export const LOG_OVERHEAD = 12

// Attribute bits.
export const COMPRESSION_MASK = 0x07
export const TIMESTAMP_TYPE_BIT = 0x08
export const TRANSACTIONAL_BIT = 0x10
export const CONTROL_BIT = 0x20
export const DELETE_HORIZON_BIT = 0x40

/** Whether record timestamps were set by the producer or by the broker on append. */
export type TimestampType = 'CreateTime' | 'LogAppendTime'

/** Every field of a v2 batch header plus the attribute bits decoded. */
export interface BatchHeader {
  baseOffset: bigint
  batchLength: number
  partitionLeaderEpoch: number
  magic: number
  crc: number
  attributes: number
  lastOffsetDelta: number
  baseTimestamp: bigint
  maxTimestamp: bigint
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  recordsCount: number
  compression: CompressionType
  timestampType: TimestampType
  isTransactional: boolean
  isControl: boolean
  hasDeleteHorizon: boolean
}

/** Reads the 61-byte header at pos (throws RangeError if the buffer is shorter; validate first). */
export function readBatchHeader(buf: Buffer, pos = 0): BatchHeader {
  const attributes = buf.readInt16BE(pos + ATTRIBUTES)
  return {
    baseOffset: buf.readBigInt64BE(pos + BASE_OFFSET),
    batchLength: buf.readInt32BE(pos + BATCH_LENGTH),
    partitionLeaderEpoch: buf.readInt32BE(pos + PARTITION_LEADER_EPOCH),
    magic: buf.readInt8(pos + MAGIC),
    crc: buf.readUInt32BE(pos + CRC),
    attributes,
    lastOffsetDelta: buf.readInt32BE(pos + LAST_OFFSET_DELTA),
    baseTimestamp: buf.readBigInt64BE(pos + BASE_TIMESTAMP),
    maxTimestamp: buf.readBigInt64BE(pos + MAX_TIMESTAMP),
    producerId: buf.readBigInt64BE(pos + PRODUCER_ID),
    producerEpoch: buf.readInt16BE(pos + PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(pos + BASE_SEQUENCE),
    recordsCount: buf.readInt32BE(pos + RECORDS_COUNT),
    compression: (attributes & COMPRESSION_MASK) as CompressionType,
    timestampType: attributes & TIMESTAMP_TYPE_BIT ? 'LogAppendTime' : 'CreateTime',
    isTransactional: (attributes & TRANSACTIONAL_BIT) !== 0,
    isControl: (attributes & CONTROL_BIT) !== 0,
    hasDeleteHorizon: (attributes & DELETE_HORIZON_BIT) !== 0,
  }
}

/** Offset of the last record of the batch at pos (baseOffset + lastOffsetDelta). */
export function batchLastOffset(buf: Buffer, pos = 0): bigint {
  return buf.readBigInt64BE(pos + BASE_OFFSET) + BigInt(buf.readInt32BE(pos + LAST_OFFSET_DELTA))
}

/** CRC-32C over attributes..end of the batch at pos; baseOffset and leader epoch are outside it by design. */
export function computeBatchCrc(buf: Buffer, pos = 0): number {
  return crc32c(buf, pos + ATTRIBUTES, pos + LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH))
}

/** True when the stored CRC matches the batch bytes (false, not an exception, when batchLength overruns buf). */
export function batchCrcValid(buf: Buffer, pos = 0): boolean {
  if (pos < 0 || pos + HEADER_SIZE > buf.length) return false
  const end = pos + LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH)
  if (end < pos + HEADER_SIZE || end > buf.length) return false
  return crc32c(buf, pos + ATTRIBUTES, end) === buf.readUInt32BE(pos + CRC)
}

/** Stamps the base offset in place (no CRC change needed). */
export function setBaseOffset(buf: Buffer, pos: number, offset: bigint): void {
  buf.writeBigInt64BE(offset, pos + BASE_OFFSET)
}

/** Stamps the partition leader epoch in place (no CRC change needed). */
export function setPartitionLeaderEpoch(buf: Buffer, pos: number, epoch: number): void {
  buf.writeInt32BE(epoch, pos + PARTITION_LEADER_EPOCH)
}

/** Marks the batch LogAppendTime with maxTimestamp = ts and recomputes the CRC (both fields are inside it). */
export function setMaxTimestampAndLogAppendTime(buf: Buffer, pos: number, ts: bigint): void {
  buf.writeInt16BE(buf.readInt16BE(pos + ATTRIBUTES) | TIMESTAMP_TYPE_BIT, pos + ATTRIBUTES)
  buf.writeBigInt64BE(ts, pos + MAX_TIMESTAMP)
  buf.writeUInt32BE(computeBatchCrc(buf, pos), pos + CRC)
}

/**
 * Walks concatenated batches, yielding each complete one. Stops at an incomplete tail (a Fetch response may
 * end mid-batch) and at a negative length. Yielded batches are not validated; use validateBatch.
 */
export function* iterateBatches(buf: Buffer): Generator<{pos: number; size: number}> {
  let pos = 0
  while (pos + LOG_OVERHEAD <= buf.length) {
    const batchLength = buf.readInt32BE(pos + BATCH_LENGTH)
    if (batchLength < 0) return
    const size = LOG_OVERHEAD + batchLength
    if (pos + size > buf.length) return
    yield {pos, size}
    pos += size
  }
}
