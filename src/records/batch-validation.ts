// Broker-side validation of one produced v2 batch: everything the broker must know before it assigns offsets
// and appends the bytes untouched. Never throws, whatever the bytes.
import {BATCH_LENGTH, HEADER_SIZE, LOG_OVERHEAD, MAGIC, batchCrcValid, readBatchHeader, type BatchHeader} from './batch-header.js'
import {CompressionType, decompress} from './compression.js'
import {RecordErrorCode} from './errors.js'
import {walk} from './record-walk.js'

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
  const headerProblem = checkHeader(h, opts)
  if (headerProblem !== null) return headerProblem

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
  const reason = walk(records, start, end, h.recordsCount, !opts.fromLog)
  return reason === null ? {ok: true, header: h} : fail(INVALID_RECORD, reason)
}

/** What is wrong with the header's fields for this use, or null. */
function checkHeader(h: BatchHeader, opts: ValidateOptions): BatchValidation | null {
  const {CORRUPT_MESSAGE, INVALID_RECORD} = RecordErrorCode
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
  return null
}

