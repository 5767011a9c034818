// Broker-side validation of one produced v2 batch: everything the broker must know before it assigns offsets
// and appends the bytes untouched. Never throws, whatever the bytes.
import {BATCH_LENGTH, HEADER_SIZE, LOG_OVERHEAD, MAGIC, batchCrcValid, readBatchHeader, type BatchHeader} from './batch-header.js'
import {CompressionType, decompress} from './compression.js'
import {RecordErrorCode} from './errors.js'

/** Outcome of validateBatch: the decoded header, or a Kafka error code with a human reason. */
export type BatchValidation = {ok: true; header: BatchHeader} | {ok: false; errorCode: number; reason: string}

/** Relaxations for batches read back from a log rather than received from a producer. */
export interface ValidateOptions {
  /** Compaction can leave empty batches and offset gaps, so count only needs to fit the offset range. */
  fromLog?: boolean
  /** Accept control (transaction marker) batches; clients may not produce them. */
  allowControl?: boolean
  /** Decompress compressed batches and walk their records too (costly; off by default). */
  deep?: boolean
}

// attributes i8 + timestampDelta + offsetDelta + key len + value len + header count, each at least 1 byte.
const MIN_RECORD_BODY = 6

function fail(errorCode: number, reason: string): BatchValidation {
  return {ok: false, errorCode, reason}
}

/** Validates the batch occupying buf[pos, pos + size): size, magic, CRC-32C, header fields, record framing. */
export function validateBatch(buf: Buffer, pos: number, size: number, opts: ValidateOptions = {}): BatchValidation {
  const {CORRUPT_MESSAGE, INVALID_RECORD, UNSUPPORTED_FOR_MESSAGE_FORMAT} = RecordErrorCode
  if (!Number.isSafeInteger(pos) || !Number.isSafeInteger(size) || pos < 0 || size < 0 || pos + size > buf.length) {
    return fail(CORRUPT_MESSAGE, `batch [${pos}, +${size}) lies outside a buffer of ${buf.length} bytes`)
  }
  if (size > MAGIC) {
    const magic = buf.readInt8(pos + MAGIC)
    // A well-formed old message set gets a precise error; any other value is garbage.
    if (magic === 0 || magic === 1) return fail(UNSUPPORTED_FOR_MESSAGE_FORMAT, `message format v${magic} is not supported, only v2 batches`)
    if (magic !== 2) return fail(CORRUPT_MESSAGE, `unknown magic byte ${magic}`)
  }
  if (size < HEADER_SIZE) return fail(CORRUPT_MESSAGE, `batch of ${size} bytes is shorter than the ${HEADER_SIZE}-byte header`)
  const batchLength = buf.readInt32BE(pos + BATCH_LENGTH)
  if (batchLength !== size - LOG_OVERHEAD) {
    return fail(CORRUPT_MESSAGE, `batchLength ${batchLength} does not match the ${size - LOG_OVERHEAD} bytes present`)
  }
  if (!batchCrcValid(buf, pos)) return fail(CORRUPT_MESSAGE, 'CRC-32C mismatch')

  const h = readBatchHeader(buf, pos)
  if (h.compression > CompressionType.Zstd) return fail(CORRUPT_MESSAGE, `unknown compression codec ${h.compression}`)
  if (h.isControl && !opts.allowControl) return fail(INVALID_RECORD, 'clients may not produce control batches')
  if (h.recordsCount < 0) return fail(INVALID_RECORD, `negative record count ${h.recordsCount}`)
  if (h.lastOffsetDelta < 0) return fail(INVALID_RECORD, `negative lastOffsetDelta ${h.lastOffsetDelta}`)
  if (opts.fromLog) {
    if (h.recordsCount > h.lastOffsetDelta + 1) {
      return fail(INVALID_RECORD, `${h.recordsCount} records do not fit in ${h.lastOffsetDelta + 1} offsets`)
    }
  } else {
    if (h.recordsCount === 0) return fail(INVALID_RECORD, 'batch has no records')
    if (h.lastOffsetDelta !== h.recordsCount - 1) {
      return fail(INVALID_RECORD, `lastOffsetDelta ${h.lastOffsetDelta} inconsistent with ${h.recordsCount} records`)
    }
  }
  if (h.producerId < -1n) return fail(INVALID_RECORD, `invalid producerId ${h.producerId}`)
  if (h.producerEpoch < -1) return fail(INVALID_RECORD, `invalid producerEpoch ${h.producerEpoch}`)
  if (h.baseSequence < -1) return fail(INVALID_RECORD, `invalid baseSequence ${h.baseSequence}`)
  if (h.producerId >= 0n && h.baseSequence < 0 && !opts.fromLog && !h.isControl) {
    return fail(INVALID_RECORD, 'idempotent batch without a base sequence')
  }

  let records = buf
  let start = pos + HEADER_SIZE
  let end = pos + size
  if (h.compression !== CompressionType.None) {
    if (!opts.deep) return {ok: true, header: h}
    try {
      records = decompress(h.compression, buf.subarray(start, end))
    } catch (err) {
      return fail(CORRUPT_MESSAGE, (err as Error).message)
    }
    start = 0
    end = records.length
  }
  const reason = walkRecords(records, start, end, h.recordsCount, !opts.fromLog)
  return reason === null ? {ok: true, header: h} : fail(INVALID_RECORD, reason)
}

/**
 * Position after the varint varintAt last read, or -1 when it was cut short by the end or longer than
 * 5 bytes. Module state rather than a result object: the record walk must not allocate, and a
 * small-integer return value keeps varintAt cheap to inline.
 */
let varintEnd = 0

/** Zigzag varint of at most 5 bytes at buf[pos, end); sets varintEnd (-1 and returns 0 when malformed). */
function varintAt(buf: Buffer, pos: number, end: number): number {
  let result = 0
  for (let shift = 0; shift < 35; shift += 7) {
    if (pos >= end) break
    const b = buf[pos++]
    result |= (b & 0x7f) << shift
    if (b < 0x80) {
      varintEnd = pos
      return (result >>> 1) ^ -(result & 1)
    }
  }
  varintEnd = -1
  return 0
}

/**
 * Checks the records section frames exactly `count` records, each internally consistent. It runs over
 * every produced record, so it is written for speed: state in locals (no cursor object), and the
 * one- and two-byte varints that real records are made of decoded inline, with varintAt only for
 * longer or truncated ones. Allocation-free. Returns null when fine, else the reason.
 */
function walkRecords(buf: Buffer, start: number, end: number, count: number, sequentialOffsets: boolean): string | null {
  let pos = start
  let i = 0
  for (; i < count && pos < end; i++) {
    // length
    let len: number
    let b = buf[pos]
    let c: number
    if (b < 0x80) {
      len = (b >>> 1) ^ -(b & 1)
      pos++
    } else if (pos + 1 < end && (c = buf[pos + 1]) < 0x80) {
      const z = (b & 0x7f) | (c << 7)
      len = (z >>> 1) ^ -(z & 1)
      pos += 2
    } else {
      len = varintAt(buf, pos, end)
      if (varintEnd < 0) return recordReason(i, 'length invalid or overruns the batch')
      pos = varintEnd
    }
    if (len < MIN_RECORD_BODY || len > end - pos) return recordReason(i, 'length invalid or overruns the batch', len)
    const recordEnd = pos + len
    // attributes (unused in v2): len >= MIN_RECORD_BODY guarantees the byte is there.
    pos++
    // timestampDelta: a varlong of at most 10 bytes, skipped.
    const tsLimit = recordEnd < pos + 10 ? recordEnd : pos + 10
    while (pos < tsLimit && buf[pos] >= 0x80) pos++
    if (pos >= tsLimit) return badFields(i, len)
    pos++
    // offsetDelta
    let offsetDelta: number
    b = pos < recordEnd ? buf[pos] : 0x80
    if (b < 0x80) {
      offsetDelta = (b >>> 1) ^ -(b & 1)
      pos++
    } else if (pos + 1 < recordEnd && (c = buf[pos + 1]) < 0x80) {
      const z = (b & 0x7f) | (c << 7)
      offsetDelta = (z >>> 1) ^ -(z & 1)
      pos += 2
    } else {
      offsetDelta = varintAt(buf, pos, recordEnd)
      if (varintEnd < 0) return badFields(i, len)
      pos = varintEnd
    }
    // key: usually null or short
    let n: number
    b = pos < recordEnd ? buf[pos] : 0x80
    if (b < 0x80) {
      n = (b >>> 1) ^ -(b & 1)
      pos++
    } else {
      n = varintAt(buf, pos, recordEnd)
      if (varintEnd < 0) return badFields(i, len)
      pos = varintEnd
    }
    if (n < -1 || n > recordEnd - pos) return badFields(i, len)
    if (n > 0) pos += n
    // value: often 64 bytes or more, so two-byte lengths are common
    b = pos < recordEnd ? buf[pos] : 0x80
    if (b < 0x80) {
      n = (b >>> 1) ^ -(b & 1)
      pos++
    } else if (pos + 1 < recordEnd && (c = buf[pos + 1]) < 0x80) {
      const z = (b & 0x7f) | (c << 7)
      n = (z >>> 1) ^ -(z & 1)
      pos += 2
    } else {
      n = varintAt(buf, pos, recordEnd)
      if (varintEnd < 0) return badFields(i, len)
      pos = varintEnd
    }
    if (n < -1 || n > recordEnd - pos) return badFields(i, len)
    if (n > 0) pos += n
    // headers: almost always none, a single byte
    let headers: number
    b = pos < recordEnd ? buf[pos] : 0x80
    if (b < 0x80) {
      headers = (b >>> 1) ^ -(b & 1)
      pos++
    } else {
      headers = varintAt(buf, pos, recordEnd)
      pos = varintEnd
      if (pos < 0) return badFields(i, len)
    }
    if (headers < 0) return recordReason(i, 'negative header count', headers)
    for (; headers > 0; headers--) {
      const keyLength = varintAt(buf, pos, recordEnd)
      if (varintEnd < 0) return badFields(i, len)
      if (keyLength < 0) return keyLength === -1 ? recordReason(i, 'null header key') : badFields(i, len)
      pos = varintEnd + keyLength
      if (pos > recordEnd) return badFields(i, len)
      const valueLength = varintAt(buf, pos, recordEnd)
      if (varintEnd < 0 || valueLength < -1 || valueLength > recordEnd - varintEnd) return badFields(i, len)
      pos = valueLength > 0 ? varintEnd + valueLength : varintEnd
    }
    if (pos !== recordEnd) return badFields(i, len)
    if (sequentialOffsets && offsetDelta !== i) return recordReason(i, 'offsetDelta is not the record\'s index', offsetDelta)
  }
  if (i !== count) return `header says ${count} records, found ${i}`
  if (pos !== end) return `${end - pos} bytes after the last of ${count} records`
  return null
}

function badFields(i: number, len: number): string {
  return recordReason(i, 'fields do not fill its length', len)
}

/**
 * The reason record i is invalid. Built in here, never by a template literal in walkRecords: the
 * optimizer merged the returns' identical number-to-string conversions of i and hoisted the one
 * left into the loop, where it ran for every record produced.
 */
function recordReason(i: number, why: string, value?: number): string {
  return `record ${i}: ${why}${value === undefined ? '' : ` (${value})`}`
}
