/**
 * Retention rules (Kafka's deleteRetentionMsBreachedSegments / deleteRetentionSizeBreachedSegments /
 * deleteLogStartOffsetBreachedSegments): which of a log's oldest segments may be deleted, and why.
 * Pure decisions over the segment list, kept apart from Log, which performs the deletion and moves
 * the log start offset.
 */
import type {LogConfig} from './log-config.js'
import type {LogSegment} from './log-segment.js'

/** Whether the oldest segment `seg` (followed by `next`, null for the active one) may be deleted. */
export type SegmentDeletionPredicate = (seg: LogSegment, next: LogSegment | null) => boolean

/**
 * How many of the oldest segments may go: while `predicate` holds and the high watermark is past them,
 * as Kafka: the active segment may go too unless it is empty.
 */
export function deletableSegmentCount(segs: readonly LogSegment[], logEndOffset: bigint, highWatermark: bigint,
  predicate: SegmentDeletionPredicate): number {
  let n = 0
  while (n < segs.length) {
    const seg = segs[n]
    const next = n + 1 < segs.length ? segs[n + 1] : null
    const upper = next ? next.baseOffset : logEndOffset
    if (highWatermark < upper || (next === null && seg.size === 0) || !predicate(seg, next)) break
    n++
  }
  return n
}

/** True when cleanup.policy includes 'delete', i.e. retention.ms and retention.bytes apply. */
export function deletesByRetention(config: LogConfig): boolean {
  return config.cleanupPolicy.split(',').includes('delete')
}

/** retention.ms: segments whose newest timestamp is more than `retentionMs` before `now`. */
export function retentionMsBreached(now: number, retentionMs: number): SegmentDeletionPredicate {
  return (seg) => BigInt(now) - seg.largestTimestamp > BigInt(retentionMs)
}

/** retention.bytes: the oldest segments whose removal keeps the log (now `size` bytes) at or above `retentionBytes`. */
export function retentionSizeBreached(size: number, retentionBytes: number): SegmentDeletionPredicate {
  let diff = size - retentionBytes
  return (seg) => {
    if (diff - seg.size < 0) return false
    diff -= seg.size
    return true
  }
}

/** Segments wholly below `logStartOffset` (the next segment starts at or below it). */
export function logStartOffsetBreached(logStartOffset: bigint): SegmentDeletionPredicate {
  return (_seg, next) => next !== null && next.baseOffset <= logStartOffset
}
