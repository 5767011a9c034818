/**
 * LocalLog (Kafka's name): the segment files of one partition dir and what follows from them alone --
 * the log end offset, the recovery point and flushing, rolling, reads, timestamp lookups, segment
 * replacement and removal, truncation and close. Separate from Log (Kafka's UnifiedLog), which adds
 * what is layered on top: the log start offset, the high watermark, producer state and leader epochs.
 * Only Log calls it, from its one serial path.
 */
import {rmSync} from 'node:fs'
import {basename} from 'node:path'
import type {LogConfig} from './log-config.js'
import {LogSegment, type SegmentConfig} from './log-segment.js'
import type {StorageLogger} from './log-loader.js'
import {findRecordByTimestamp} from './record-search.js'
import {swapInCleaned, type SwapStep} from './log-cleaner-swap.js'

/**
 * Result of a read. OFFSET_OUT_OF_RANGE is reported as `errorCode` (1), not thrown, because a Fetch
 * answers it per partition; `records` then is empty.
 */
export interface LogReadResult {
  errorCode: number
  /** Whole batches, in offset order (one slice per segment touched). */
  records: Buffer[]
  size: number
  logStartOffset: bigint
  logEndOffset: bigint
  highWatermark: bigint
}

/** Public description of one segment. */
export interface SegmentInfo {
  baseOffset: bigint
  nextOffset: bigint
  size: number
  largestTimestamp: bigint
  file: string
}

/** The segment-level settings of `config`, for segments created or reopened under it. */
export function segmentConfigOf(config: LogConfig): SegmentConfig {
  return {indexIntervalBytes: config.indexIntervalBytes, segmentIndexBytes: config.segmentIndexBytes}
}

/** The segments of one partition log and their offsets (see file comment). */
export class LocalLog {
  /** The segments, oldest first; never empty (the last is the active one). Replaced whole by truncations. */
  segs: LogSegment[]
  /** Offset the next appended batch gets. */
  logEndOffset: bigint
  /** Offset below which all data is known to be fsynced. */
  recoveryPoint: bigint
  /** Set by close() and delete(); a roll's background flush then no longer touches the recovery point. */
  closed = false
  private lastFlushMs: number

  /**
   * `name` is `<topic>-<partition>` for log messages; `onRoll` runs when a new segment starts at the
   * given base offset, before the old one is flushed (Log snapshots its producer state there).
   */
  constructor(readonly dir: string, public config: LogConfig, private readonly clock: () => number,
    private readonly logger: StorageLogger, private readonly name: string, segs: LogSegment[], recoveryPoint: bigint,
    private readonly onRoll: (baseOffset: bigint) => void) {
    this.segs = segs
    this.logEndOffset = segs[segs.length - 1].nextOffset
    this.recoveryPoint = recoveryPoint > this.logEndOffset ? this.logEndOffset : recoveryPoint
    this.lastFlushMs = clock()
  }

  /** The segment appends go to. */
  get active(): LogSegment {
    return this.segs[this.segs.length - 1]
  }

  /** Total bytes of all segments. */
  get size(): number {
    let n = 0
    for (const s of this.segs) n += s.size
    return n
  }

  /** The segments, oldest first, as SegmentInfo. */
  segmentInfos(): SegmentInfo[] {
    return this.segs.map((s, i) => ({
      baseOffset: s.baseOffset,
      nextOffset: i + 1 < this.segs.length ? this.segs[i + 1].baseOffset : this.logEndOffset,
      size: s.size,
      largestTimestamp: s.largestTimestamp,
      file: s.logPath,
    }))
  }

  /** Index of the segment holding `offset` (the last one whose base offset is <= offset). */
  segmentIndexFor(offset: bigint): number {
    let lo = 0
    let hi = this.segs.length - 1
    let found = 0
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (this.segs[mid].baseOffset <= offset) {
        found = mid
        lo = mid + 1
      } else {
        hi = mid - 1
      }
    }
    return found
  }

  private newSegment(baseOffset: bigint, now: number): LogSegment {
    return LogSegment.create(this.dir, baseOffset, segmentConfigOf(this.config), now)
  }

  /** Writes one stamped batch to the active segment (rolling first if needed) and moves the log end offset past it. */
  append(batch: Buffer, firstOffset: bigint, lastOffset: bigint, maxTimestamp: bigint, now: number): void {
    this.maybeRoll(batch.length, firstOffset, lastOffset, now)
    this.active.append(batch, lastOffset, maxTimestamp, now)
    this.logEndOffset = lastOffset + 1n
  }

  /** Rolls to a new segment as Kafka's shouldRoll: size, age (segment.ms), full index, or relative offset overflow. */
  private maybeRoll(batchSize: number, firstOffset: bigint, lastOffset: bigint, now: number): void {
    const seg = this.active
    if (seg.size === 0) {
      // An empty active segment is reused unless the offsets do not fit it (follower jump): then it is replaced.
      if (!seg.canConvertToRelativeOffset(firstOffset) || !seg.canConvertToRelativeOffset(lastOffset)) {
        seg.delete()
        this.segs[this.segs.length - 1] = this.newSegment(firstOffset, now)
      }
      return
    }
    if (seg.size + batchSize > this.config.segmentBytes || now - seg.createdMs > this.config.segmentMs ||
      seg.offsetIndex.isFull || seg.timeIndex.isFull || !seg.canConvertToRelativeOffset(lastOffset)) {
      this.roll(firstOffset, now)
    }
  }

  /** Starts a new active segment at `baseOffset`; the old one is fsynced in the background. */
  roll(baseOffset: bigint, now: number): void {
    const old = this.active
    if (old.size === 0 && old.baseOffset === baseOffset) return
    old.onBecomeInactive()
    old.nextOffset = baseOffset
    this.segs.push(this.newSegment(baseOffset, now))
    this.onRoll(baseOffset)
    // Like Kafka: the rolled segment is flushed asynchronously, then the recovery point moves past it.
    old.flushAsync((err) => {
      if (err) {
        // ENOENT: retention deleted the segment first, nothing left to flush.
        if (!this.closed && (err as NodeJS.ErrnoException).code !== 'ENOENT') this.logger('warn', `${this.name}: background flush of ${basename(old.logPath)} failed: ${err.message}`)
        return
      }
      if (!this.closed && this.recoveryPoint < baseOffset) this.recoveryPoint = baseOffset
    })
  }

  /**
   * Adds to `result` whole batches from the batch containing `fetchOffset` (which the caller checked
   * is in range): up to `maxBytes`, at least one batch when `minOneBatch`, only batches below `maxOffset`.
   */
  readInto(result: LogReadResult, fetchOffset: bigint, maxBytes: number, minOneBatch: boolean, maxOffset: bigint,
    allocate?: (length: number) => Buffer): void {
    let offset = fetchOffset
    let remaining = maxBytes
    let minOne = minOneBatch
    for (let i = this.segmentIndexFor(offset); i < this.segs.length && offset < maxOffset; i++) {
      const seg = this.segs[i]
      const position = seg.positionOf(offset)
      if (position === null) continue
      const r = seg.readFrom(position, remaining, minOne, maxOffset, allocate)
      if (r.buf.length === 0) break
      result.records.push(r.buf)
      result.size += r.buf.length
      remaining -= r.buf.length
      minOne = false
      offset = r.nextOffset
      if (r.stoppedEarly || remaining <= 0) break
    }
  }

  /** The first record at or after `startingOffset` whose timestamp is >= `timestamp`, or null. */
  offsetForTimestamp(timestamp: bigint, startingOffset: bigint): {offset: bigint; timestamp: bigint} | null {
    for (const seg of this.segs) {
      if (seg.size === 0 || seg.maxTimestampSoFar < timestamp) continue
      const loc = seg.findBatchByTimestamp(timestamp, startingOffset)
      if (!loc) continue
      const batch = seg.readAt(loc.position, loc.size)
      return findRecordByTimestamp(batch, timestamp, startingOffset)
    }
    return null
  }

  /** The record with the largest timestamp (the first one if several), searching from `startingOffset`; null when empty. */
  maxTimestamp(startingOffset: bigint): {offset: bigint; timestamp: bigint} | null {
    let best: LogSegment | null = null
    for (const seg of this.segs) if (seg.size > 0 && seg.maxTimestampSoFar >= 0n && (!best || seg.maxTimestampSoFar > best.maxTimestampSoFar)) best = seg
    if (!best) return null
    const loc = best.findBatchByTimestamp(best.maxTimestampSoFar, startingOffset)
    if (!loc) return {offset: best.offsetOfMaxTimestampSoFar, timestamp: best.maxTimestampSoFar}
    return findRecordByTimestamp(best.readAt(loc.position, loc.size), best.maxTimestampSoFar, startingOffset)
      ?? {offset: loc.lastOffset, timestamp: loc.maxTimestamp}
  }

  /** Log.replaceSegments (the cleaner's swap): see there. */
  replaceSegments(old: readonly LogSegment[], sizes: readonly number[], onStep?: (step: SwapStep) => void): boolean {
    const i = this.closed || old.length === 0 ? -1 : this.segs.indexOf(old[0])
    if (i < 0 || i + old.length >= this.segs.length) return false
    for (let j = 0; j < old.length; j++) if (this.segs[i + j] !== old[j] || old[j].size !== sizes[j]) return false
    // Reads are synchronous, so no reader is inside these segments now: close them before their files go.
    for (const seg of old) seg.closeHandles()
    const base = old[0].baseOffset
    swapInCleaned(this.dir, base, old.map((s) => s.baseOffset), onStep)
    const seg = LogSegment.open(this.dir, base, segmentConfigOf(this.config), this.clock())
    seg.nextOffset = this.segs[i + old.length].baseOffset
    this.segs.splice(i, old.length, seg)
    return true
  }

  /**
   * Deletes the `n` oldest segments, logging each with the reason `why`; when that is all of them, a
   * fresh active segment is rolled first. Returns the new first base offset.
   */
  deleteOldestSegments(n: number, why: string): bigint {
    if (n === this.segs.length) this.roll(this.logEndOffset, this.clock())
    const gone = this.segs.splice(0, n)
    for (const seg of gone) {
      this.logger('info', `${this.name}: deleting segment ${basename(seg.logPath)} (${seg.size} bytes) by ${why}`)
      seg.delete()
    }
    return this.segs[0].baseOffset
  }

  /**
   * Removes every batch at or after the batch holding `offset` (below the log end offset) and moves the
   * log end offset (and the recovery point if above) there. Returns true when no segment was kept
   * (`offset` at or below the first base offset): the log then restarts empty at `offset`.
   */
  truncateTo(offset: bigint, now: number): boolean {
    const whole = offset <= this.segs[0].baseOffset
    if (whole) {
      for (const s of this.segs) s.delete()
      this.segs = [this.newSegment(offset, now)]
      this.logEndOffset = offset
    } else {
      const i = this.segmentIndexFor(offset)
      for (const s of this.segs.splice(i + 1)) s.delete()
      const seg = this.segs[i]
      const loc = seg.findBatch(offset)
      if (loc) seg.truncateToPosition(loc.position, loc.baseOffset)
      this.logEndOffset = seg.size === 0 ? seg.baseOffset : seg.nextOffset
    }
    if (this.recoveryPoint > this.logEndOffset) this.recoveryPoint = this.logEndOffset
    return whole
  }

  /** Deletes every segment and restarts the log empty at `offset`. */
  truncateFullyAndStartAt(offset: bigint, now: number): void {
    for (const s of this.segs) s.delete()
    this.segs = [this.newSegment(offset, now)]
    this.logEndOffset = offset
    this.recoveryPoint = offset
  }

  /** fsyncs every segment not yet known flushed and moves the recovery point to the log end offset. */
  flush(): void {
    for (let i = this.segmentIndexFor(this.recoveryPoint); i < this.segs.length; i++) this.segs[i].flush()
    this.recoveryPoint = this.logEndOffset
    this.lastFlushMs = this.clock()
  }

  /** Flushes when flush.ms has passed since the last flush and there is unflushed data. */
  flushIfDue(now: number): boolean {
    if (this.recoveryPoint >= this.logEndOffset || now - this.lastFlushMs < this.config.flushMs) return false
    this.flush()
    return true
  }

  /** Closes all segment files (without flushing); the log is unusable afterwards. */
  close(): void {
    for (const s of this.segs) s.close()
    this.closed = true
  }

  /** Closes the files (unless closed already) and removes the directory. */
  delete(): void {
    if (!this.closed) {
      for (const s of this.segs) s.closeHandles()
      this.closed = true
    }
    rmSync(this.dir, {recursive: true, force: true})
  }
}
