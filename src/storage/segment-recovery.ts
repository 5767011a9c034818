/**
 * Segment recovery after an unclean stop (or a missing/corrupt index): re-reads every batch of the
 * segment, checks its structure and CRC-32C, rebuilds .index and .timeindex with the same rule as
 * append, and cuts the file at the first invalid or torn byte. Called by Log.open only.
 */
import {LAST_OFFSET_DELTA, MAGIC, BASE_OFFSET, MAX_TIMESTAMP, batchCrcValid} from '../records/batch-header.js'
import {scanBatches} from './batch-scan.js'
import type {LogSegment} from './log-segment.js'

/** What recovery found: the valid prefix, and where and why it cut the file if it did. */
export interface SegmentRecoveryResult {
  validBytes: number
  truncatedBytes: number
  /** Offset after the last valid batch (the log end offset if this is the last segment). */
  nextOffset: bigint
  batches: number
  /** Why the file was cut (null when nothing was cut). */
  reason: string | null
}

/** Checks and re-indexes `segment` from byte 0; `expectedFirstOffset` is the lowest base offset its first batch may have. */
export function recoverSegment(segment: LogSegment, expectedFirstOffset: bigint): SegmentRecoveryResult {
  segment.beginRebuild()
  const originalSize = segment.size
  let validBytes = 0
  let expected = expectedFirstOffset
  let batches = 0
  let reason: string | null = null
  const it = scanBatches(segment.fileDescriptor, 0, originalSize, true)
  let r = it.next()
  for (; !r.done; r = it.next()) {
    const {buf, off, position, size} = r.value
    const magic = buf.readInt8(off + MAGIC)
    if (magic !== 2) {
      reason = `unsupported magic ${magic}`
      break
    }
    if (!batchCrcValid(buf, off)) {
      reason = 'CRC mismatch'
      break
    }
    const base = buf.readBigInt64BE(off + BASE_OFFSET)
    const delta = buf.readInt32BE(off + LAST_OFFSET_DELTA)
    const last = base + BigInt(delta)
    if (delta < 0) {
      reason = `negative last offset delta ${delta}`
      break
    }
    if (base < expected) {
      reason = `base offset ${base} is below the expected ${expected} (offsets must increase)`
      break
    }
    if (!segment.canConvertToRelativeOffset(last)) {
      reason = `offset ${last} does not fit the segment's relative offsets`
      break
    }
    segment.rebuildStep(position, size, last, buf.readBigInt64BE(off + MAX_TIMESTAMP))
    validBytes = position + size
    expected = last + 1n
    batches++
  }
  if (r.done && r.value.reason !== 'end') {
    reason = r.value.reason === 'incomplete' ? 'incomplete batch (torn write)' : 'invalid batch length'
  }
  segment.endRebuild(validBytes)
  if (batches === 0) segment.nextOffset = segment.baseOffset
  return {validBytes, truncatedBytes: originalSize - validBytes, nextOffset: segment.nextOffset, batches, reason}
}
