/**
 * Log: one partition's directory `<topic>-<partition>` of LogSegments. Owns offset assignment (writes
 * baseOffset into the batch in place), segment rolling, reads for fetches, timestamp lookups,
 * retention, DeleteRecords, flushing and recovery at open. Callers (the broker's partition / replica
 * manager, or LogManager) call it from one serial path; every method is synchronous.
 */
import {EventEmitter} from 'node:events'
import {mkdirSync, rmSync} from 'node:fs'
import {basename} from 'node:path'
import {BASE_OFFSET, LAST_OFFSET_DELTA, MAX_TIMESTAMP, PARTITION_LEADER_EPOCH, HEADER_SIZE, BATCH_LENGTH, LOG_OVERHEAD,
  PRODUCER_ID, setMaxTimestampAndLogAppendTime} from '../records/batch-header.js'
import {ErrorCode, KafkaError} from '../protocol/errors.js'
import type {LogConfig} from './log-config.js'
import {LogSegment} from './log-segment.js'
export {parsePartitionDirName} from './log-loader.js'
import {cleanDirAndListSegments, loadSegments, parsePartitionDirName, rebuildProducerState} from './log-loader.js'
import {ProducerStateManager, readProducerBatch} from './producer-state.js'
import {firstOffsetOf} from './producer-state-entry.js'
import {findRecordByTimestamp} from './record-search.js'
import {swapInCleaned, type SwapStep} from './log-cleaner-swap.js'
import {LeaderEpochFileCache, type EpochEntry} from './leader-epoch-cache.js'
import {scanBatches} from './batch-scan.js'

export type {StorageLogger} from './log-loader.js'
import type {StorageLogger} from './log-loader.js'

/** Options of Log.open. */
export interface LogOpenOptions {
  /** Milliseconds clock (injectable for tests of segment.ms, retention and flush.ms). */
  clock?: () => number
  logger?: StorageLogger
  /** Offset below which the log is known to be flushed; recovery re-checks every segment from the one holding it. */
  recoveryPoint?: bigint
  /** The previous stop was clean: skip the recovery scan (indexes are still sanity-checked). */
  cleanShutdown?: boolean
  /** Log start offset from log-start-offset-checkpoint. */
  logStartOffset?: bigint
  /** producer.id.expiration.ms: producers silent this long are not loaded from snapshots (default one day). */
  producerIdExpirationMs?: number
  /** false for logs no client produces to (the metadata log): no producer snapshot files. */
  producerSnapshots?: boolean
  /** The high watermark from replication-offset-checkpoint; below the log end offset it is set explicitly. */
  highWatermark?: bigint
}

/** Options of one append. */
export interface AppendOptions {
  /** Assign offsets from the log end offset (leader); false keeps the batch's own offsets (follower). Default true. */
  assignOffsets?: boolean
  /** Stamp the batch with this LogAppendTime; null/undefined: stamp with the clock only when message.timestamp.type=LogAppendTime. */
  logAppendTime?: bigint | null
  /** Written into the batch's partitionLeaderEpoch field when given. */
  leaderEpoch?: number
}

/** Result of one append. */
export interface AppendResult {
  firstOffset: bigint
  lastOffset: bigint
  /** The LogAppendTime stamped on the batch, -1 when the batch keeps CreateTime; for a duplicate, the original batch's timestamp (as Kafka answers). */
  logAppendTime: bigint
  maxTimestamp: bigint
  /** True when the batch was an idempotent producer's retry of a batch already in the log: nothing was appended and the offsets are the original's. */
  duplicate?: boolean
}

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

/** The appended range, emitted as 'append' so delayed fetches can wake up. */
export interface AppendEvent {
  firstOffset: bigint
  lastOffset: bigint
  logEndOffset: bigint
}

/** One partition log (see file comment). Events: 'append' (AppendEvent), 'logStartOffset' (bigint). */
export class Log extends EventEmitter {
  readonly topic: string
  readonly partition: number
  /** Offset below which all data is known to be fsynced. */
  recoveryPoint: bigint
  /** Idempotent producers' state (sequence numbers, epochs) and its snapshot files. */
  readonly producerState: ProducerStateManager
  private segs: LogSegment[]
  private _logStartOffset: bigint
  private leo: bigint
  /** null: the high watermark follows the log end offset (single node). */
  private hw: bigint | null = null
  private lastFlushMs: number
  private closed = false
  /** leader-epoch-checkpoint: where each leader epoch starts (OffsetForLeaderEpoch, follower truncation). */
  readonly leaderEpochCache: LeaderEpochFileCache

  private constructor(readonly dir: string, public config: LogConfig, private readonly clock: () => number,
    private readonly logger: StorageLogger, segs: LogSegment[], recoveryPoint: bigint, logStartOffset: bigint,
    producerState: ProducerStateManager) {
    super()
    this.producerState = producerState
    const {topic, partition} = parsePartitionDirName(basename(dir))
    this.topic = topic
    this.partition = partition
    this.segs = segs
    this.leo = segs[segs.length - 1].nextOffset
    this.recoveryPoint = recoveryPoint > this.leo ? this.leo : recoveryPoint
    this._logStartOffset = logStartOffset
    this.lastFlushMs = clock()
    this.leaderEpochCache = LeaderEpochFileCache.load(dir, () => scanEpochs(segs))
    // Recovery may have cut batches the file still names; the log is the truth.
    this.leaderEpochCache.truncateFromEnd(this.leo)
    this.leaderEpochCache.truncateFromStart(this._logStartOffset)
  }

  /** Opens (or creates) the partition log in `dir`, recovering it when the last stop was not clean. */
  static open(dir: string, config: LogConfig, opts: LogOpenOptions = {}): Log {
    const clock = opts.clock ?? Date.now
    const logger = opts.logger ?? (() => {})
    mkdirSync(dir, {recursive: true})
    const name = basename(dir)
    parsePartitionDirName(name)
    const segConfig = {indexIntervalBytes: config.indexIntervalBytes, segmentIndexBytes: config.segmentIndexBytes}
    const bases = cleanDirAndListSegments(dir)
    const now = clock()
    const segs = bases.map((b) => LogSegment.open(dir, b, segConfig, now))
    const recoveryPoint = opts.recoveryPoint ?? 0n
    const clean = opts.cleanShutdown ?? false
    loadSegments(name, segs, recoveryPoint, clean, logger)
    for (const s of segs) {
      s.offsetIndex.ensureFile()
      s.timeIndex.ensureFile()
    }
    if (segs.length === 0) segs.push(LogSegment.create(dir, opts.logStartOffset ?? 0n, segConfig, now))
    const leo = segs[segs.length - 1].nextOffset
    let start = opts.logStartOffset ?? 0n
    if (start < segs[0].baseOffset) start = segs[0].baseOffset
    if (start > leo) start = leo
    const state = new ProducerStateManager(dir, {name, logger, producerIdExpirationMs: opts.producerIdExpirationMs,
      snapshots: opts.producerSnapshots})
    const rebuilt = rebuildProducerState(state, segs, start, now)
    if (rebuilt.from < rebuilt.to) {
      // Snapshot what was replayed, so the next start (clean or not) need not replay it again.
      state.takeSnapshot(leo, false)
      if (rebuilt.batches > 0) logger('info', `${name}: rebuilt producer state from offsets ${rebuilt.from}-${leo} (${rebuilt.batches} idempotent batches, ${state.producers.size} producers)`)
    }
    const log = new Log(dir, config, clock, logger, segs, clean ? leo : recoveryPoint, start, state)
    if (opts.highWatermark !== undefined && opts.highWatermark < leo) log.highWatermark = opts.highWatermark
    return log
  }

  get logStartOffset(): bigint {
    return this._logStartOffset
  }

  get logEndOffset(): bigint {
    return this.leo
  }

  /** On a single node the high watermark is the log end offset; replication sets it explicitly. */
  get highWatermark(): bigint {
    return this.hw ?? this.leo
  }

  /** Sets the high watermark explicitly (clamped to [logStartOffset, logEndOffset]); it then no longer follows the LEO. */
  set highWatermark(offset: bigint) {
    this.hw = offset < this._logStartOffset ? this._logStartOffset : offset > this.leo ? this.leo : offset
  }

  /** True when the high watermark was set explicitly (replication) rather than following the log end offset. */
  get hasExplicitHighWatermark(): boolean {
    return this.hw !== null
  }

  /** Lets the high watermark follow the log end offset again (a leader whose ISR is only itself). */
  followLogEndWithHighWatermark(): void {
    this.hw = null
  }

  /** The leader of `epoch` starts writing at `startOffset` (Kafka's maybeAssignEpochStartOffset on becoming leader). */
  assignEpochStartOffset(epoch: number, startOffset: bigint): void {
    this.leaderEpochCache.assign(epoch, startOffset)
  }

  /** Total bytes of all segments. */
  get size(): number {
    let n = 0
    for (const s of this.segs) n += s.size
    return n
  }

  /** The segments, oldest first. */
  get segments(): SegmentInfo[] {
    return this.segs.map((s, i) => ({
      baseOffset: s.baseOffset,
      nextOffset: i + 1 < this.segs.length ? this.segs[i + 1].baseOffset : this.leo,
      size: s.size,
      largestTimestamp: s.largestTimestamp,
      file: s.logPath,
    }))
  }

  /** The LogSegment objects, oldest first (for the LogCleaner, which reads them through its own fds). */
  get logSegments(): readonly LogSegment[] {
    return this.segs
  }

  /**
   * Replaces the contiguous inactive segments `old` by the fsynced cleaned segment at `old[0].baseOffset`
   * (see log-cleaner-swap.ts). Returns false, changing nothing, when `old` is no longer what the log holds
   * (retention, truncation or close happened during the cleaning): the caller discards its files.
   */
  replaceSegments(old: readonly LogSegment[], sizes: readonly number[], onStep?: (step: SwapStep) => void): boolean {
    const i = this.closed || old.length === 0 ? -1 : this.segs.indexOf(old[0])
    if (i < 0 || i + old.length >= this.segs.length) return false
    for (let j = 0; j < old.length; j++) if (this.segs[i + j] !== old[j] || old[j].size !== sizes[j]) return false
    // Reads are synchronous, so no reader is inside these segments now: close them before their files go.
    for (const seg of old) seg.closeHandles()
    const base = old[0].baseOffset
    swapInCleaned(this.dir, base, old.map((s) => s.baseOffset), onStep)
    const seg = LogSegment.open(this.dir, base, {indexIntervalBytes: this.config.indexIntervalBytes,
      segmentIndexBytes: this.config.segmentIndexBytes}, this.clock())
    seg.nextOffset = this.segs[i + old.length].baseOffset
    this.segs.splice(i, old.length, seg)
    return true
  }

  /** Base offset of the oldest segment (the log start offset may be above it after DeleteRecords). */
  get firstSegmentBaseOffset(): bigint {
    return this.segs[0].baseOffset
  }

  private get active(): LogSegment {
    return this.segs[this.segs.length - 1]
  }

  /**
   * Appends ONE already validated v2 batch (the caller checked size, magic, CRC and record count):
   * assigns offsets by writing baseOffset in place (the CRC does not cover it), stamps LogAppendTime if
   * configured (recomputing the CRC), rolls the segment when needed, writes with writeSync.
   */
  append(batch: Buffer, opts: AppendOptions = {}): AppendResult {
    if (this.closed) throw new Error(`log ${this.topic}-${this.partition} is closed`)
    if (batch.length < HEADER_SIZE || batch.readInt32BE(BATCH_LENGTH) + LOG_OVERHEAD !== batch.length) {
      throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `append needs exactly one whole batch (${batch.length} bytes)`)
    }
    const delta = BigInt(batch.readInt32BE(LAST_OFFSET_DELTA))
    // Idempotent batches only (producerId >= 0 has a non-negative high word): the common -1 case pays one int read.
    const producer = batch.readInt32BE(PRODUCER_ID) >= 0 ? readProducerBatch(batch, 0) : null
    if (producer !== null && (opts.assignOffsets ?? true) && !producer.isControl) {
      const dup = this.producerState.checkBatch(producer, this.leo)
      if (dup) return {firstOffset: firstOffsetOf(dup), lastOffset: dup.lastOffset, logAppendTime: dup.timestamp, maxTimestamp: dup.timestamp, duplicate: true}
    }
    let firstOffset: bigint
    if (opts.assignOffsets ?? true) {
      firstOffset = this.leo
      batch.writeBigInt64BE(firstOffset, BASE_OFFSET)
    } else {
      firstOffset = batch.readBigInt64BE(BASE_OFFSET)
      if (firstOffset < this.leo) {
        throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `out of order offsets: batch at ${firstOffset} below log end offset ${this.leo}`)
      }
    }
    const lastOffset = firstOffset + delta
    if (opts.leaderEpoch !== undefined) batch.writeInt32BE(opts.leaderEpoch, PARTITION_LEADER_EPOCH)
    const batchEpoch = batch.readInt32BE(PARTITION_LEADER_EPOCH)
    if (batchEpoch > this.leaderEpochCache.latestEpoch) this.leaderEpochCache.assign(batchEpoch, firstOffset)
    let logAppendTime = -1n
    if (opts.logAppendTime !== undefined && opts.logAppendTime !== null) logAppendTime = opts.logAppendTime
    else if (this.config.messageTimestampType === 'LogAppendTime' && (opts.assignOffsets ?? true)) logAppendTime = BigInt(this.clock())
    if (logAppendTime >= 0n) setMaxTimestampAndLogAppendTime(batch, 0, logAppendTime)
    const maxTimestamp = batch.readBigInt64BE(MAX_TIMESTAMP)

    const now = this.clock()
    this.maybeRoll(batch.length, firstOffset, lastOffset, now)
    this.active.append(batch, lastOffset, maxTimestamp, now)
    this.leo = lastOffset + 1n
    if (producer !== null) this.producerState.onBatch(producer, lastOffset, maxTimestamp)
    if (this.leo - this.recoveryPoint >= BigInt(this.config.flushMessages)) this.flush()
    this.emit('append', {firstOffset, lastOffset, logEndOffset: this.leo} satisfies AppendEvent)
    return {firstOffset, lastOffset, logAppendTime, maxTimestamp}
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

  private newSegment(baseOffset: bigint, now: number): LogSegment {
    return LogSegment.create(this.dir, baseOffset, {indexIntervalBytes: this.config.indexIntervalBytes,
      segmentIndexBytes: this.config.segmentIndexBytes}, now)
  }

  /** Starts a new active segment at `baseOffset` (default: the log end offset); the old one is fsynced in the background. */
  roll(baseOffset: bigint = this.leo, now: number = this.clock()): void {
    const old = this.active
    if (old.size === 0 && old.baseOffset === baseOffset) return
    old.onBecomeInactive()
    old.nextOffset = baseOffset
    this.segs.push(this.newSegment(baseOffset, now))
    // As Kafka: the producer state as of the new segment's base, so recovery never replays more than one segment.
    this.producerState.takeSnapshot(baseOffset, false)
    // Like Kafka: the rolled segment is flushed asynchronously, then the recovery point moves past it.
    old.flushAsync((err) => {
      if (err) {
        // ENOENT: retention deleted the segment first, nothing left to flush.
        if (!this.closed && (err as NodeJS.ErrnoException).code !== 'ENOENT') this.logger('warn', `${this.topic}-${this.partition}: background flush of ${basename(old.logPath)} failed: ${err.message}`)
        return
      }
      if (!this.closed && this.recoveryPoint < baseOffset) this.recoveryPoint = baseOffset
    })
  }

  /** Index of the segment holding `offset` (the last one whose base offset is <= offset). */
  private segmentIndexFor(offset: bigint): number {
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

  /**
   * Reads whole batches from the batch containing `fetchOffset`: up to `maxBytes`, at least one batch
   * when `minOneBatch`, and only batches below `maxOffset` (default the high watermark; a follower
   * passes the log end offset). Out of [logStartOffset, logEndOffset] -> errorCode OFFSET_OUT_OF_RANGE.
   * `allocate` supplies the buffers the bytes are read into (the broker's ReadBufferPool).
   */
  read(fetchOffset: bigint, maxBytes: number, minOneBatch: boolean, maxOffset: bigint = this.highWatermark,
    allocate?: (length: number) => Buffer): LogReadResult {
    const result: LogReadResult = {errorCode: 0, records: [], size: 0, logStartOffset: this._logStartOffset,
      logEndOffset: this.leo, highWatermark: this.highWatermark}
    if (fetchOffset < this._logStartOffset || fetchOffset > this.leo) {
      result.errorCode = ErrorCode.OFFSET_OUT_OF_RANGE
      return result
    }
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
    return result
  }

  /**
   * ListOffsets by timestamp: the first record (at or after the log start offset) whose timestamp is
   * >= `timestamp`, with that record's timestamp; null when there is none.
   */
  offsetForTimestamp(timestamp: bigint): {offset: bigint; timestamp: bigint} | null {
    for (const seg of this.segs) {
      if (seg.size === 0 || seg.maxTimestampSoFar < timestamp) continue
      const loc = seg.findBatchByTimestamp(timestamp, this._logStartOffset)
      if (!loc) continue
      const batch = seg.readAt(loc.position, loc.size)
      return findRecordByTimestamp(batch, timestamp, this._logStartOffset)
    }
    return null
  }

  /** ListOffsets MAX_TIMESTAMP (-3): the record with the largest timestamp (the first one if several). */
  maxTimestamp(): {offset: bigint; timestamp: bigint} | null {
    let best: LogSegment | null = null
    for (const seg of this.segs) if (seg.size > 0 && seg.maxTimestampSoFar >= 0n && (!best || seg.maxTimestampSoFar > best.maxTimestampSoFar)) best = seg
    if (!best) return null
    const loc = best.findBatchByTimestamp(best.maxTimestampSoFar, this._logStartOffset)
    if (!loc) return {offset: best.offsetOfMaxTimestampSoFar, timestamp: best.maxTimestampSoFar}
    return findRecordByTimestamp(best.readAt(loc.position, loc.size), best.maxTimestampSoFar, this._logStartOffset)
      ?? {offset: loc.lastOffset, timestamp: loc.maxTimestamp}
  }

  /**
   * DeleteRecords: moves the log start offset to `offset` (-1 = the high watermark) and deletes the
   * segments wholly below it. Throws KafkaError OFFSET_OUT_OF_RANGE above the high watermark. Returns the new log start offset.
   */
  deleteRecordsBefore(offset: bigint): bigint {
    const target = offset === -1n ? this.highWatermark : offset
    if (target < 0n || target > this.highWatermark) {
      throw new KafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `cannot delete records before ${offset}: high watermark is ${this.highWatermark}`)
    }
    if (target > this._logStartOffset) {
      this._logStartOffset = target
      this.leaderEpochCache.truncateFromStart(target)
      this.emit('logStartOffset', target)
    }
    this.deleteOldSegments((_seg, next) => next !== null && next.baseOffset <= this._logStartOffset, 'log start offset')
    this.producerState.deleteSnapshotsBefore(this._logStartOffset)
    return this._logStartOffset
  }

  /** Applies retention.ms / retention.bytes (cleanup.policy delete) and the log start offset; returns segments deleted. */
  applyRetention(now: number = this.clock()): number {
    let deleted = 0
    if (this.config.cleanupPolicy.split(',').includes('delete')) {
      const retentionMs = this.config.retentionMs
      if (retentionMs >= 0) {
        deleted += this.deleteOldSegments((seg) => BigInt(now) - seg.largestTimestamp > BigInt(retentionMs), 'retention.ms')
      }
      if (this.config.retentionBytes >= 0) {
        let diff = this.size - this.config.retentionBytes
        deleted += this.deleteOldSegments((seg) => {
          if (diff - seg.size < 0) return false
          diff -= seg.size
          return true
        }, 'retention.bytes')
      }
    }
    deleted += this.deleteOldSegments((_seg, next) => next !== null && next.baseOffset <= this._logStartOffset, 'log start offset')
    return deleted
  }

  /**
   * Deletes the oldest segments while `predicate` holds and the high watermark is past them, as Kafka:
   * the active segment may go too unless it is empty (a fresh empty one is rolled first).
   */
  private deleteOldSegments(predicate: (seg: LogSegment, next: LogSegment | null) => boolean, why: string): number {
    let n = 0
    while (n < this.segs.length) {
      const seg = this.segs[n]
      const next = n + 1 < this.segs.length ? this.segs[n + 1] : null
      const upper = next ? next.baseOffset : this.leo
      if (this.highWatermark < upper || (next === null && seg.size === 0) || !predicate(seg, next)) break
      n++
    }
    if (n === 0) return 0
    if (n === this.segs.length) this.roll(this.leo)
    const gone = this.segs.splice(0, n)
    for (const seg of gone) {
      this.logger('info', `${this.topic}-${this.partition}: deleting segment ${basename(seg.logPath)} (${seg.size} bytes) by ${why}`)
      seg.delete()
    }
    const first = this.segs[0].baseOffset
    if (first > this._logStartOffset) {
      this._logStartOffset = first
      this.leaderEpochCache.truncateFromStart(first)
      this.emit('logStartOffset', first)
    }
    if (this.recoveryPoint < first) this.recoveryPoint = first
    this.producerState.deleteSnapshotsBefore(this._logStartOffset)
    return n
  }

  /**
   * Truncates the log to `offset` (follower divergence): removes every batch at or after the batch
   * holding `offset` and moves the log end offset there.
   */
  truncateTo(offset: bigint): void {
    if (offset >= this.leo) return
    const now = this.clock()
    if (offset <= this.segs[0].baseOffset) {
      for (const s of this.segs) s.delete()
      this.segs = [this.newSegment(offset, now)]
      this._logStartOffset = offset
      this.leo = offset
    } else {
      const i = this.segmentIndexFor(offset)
      for (const s of this.segs.splice(i + 1)) s.delete()
      const seg = this.segs[i]
      const loc = seg.findBatch(offset)
      if (loc) seg.truncateToPosition(loc.position, loc.baseOffset)
      this.leo = seg.size === 0 ? seg.baseOffset : seg.nextOffset
    }
    if (this.hw !== null && this.hw > this.leo) this.hw = this.leo
    this.leaderEpochCache.truncateFromEnd(this.leo)
    if (this.recoveryPoint > this.leo) this.recoveryPoint = this.leo
    if (this._logStartOffset > this.leo) this._logStartOffset = this.leo
    // The producer state must forget the removed batches: reload from a snapshot at or below the new end.
    if (offset <= this._logStartOffset) this.producerState.truncateFully()
    rebuildProducerState(this.producerState, this.segs, this._logStartOffset, now)
  }

  /**
   * Empties the log and restarts it at `offset` (a follower whose fetch offset fell below the leader's
   * log start offset: Kafka's truncateFullyAndStartAt).
   */
  truncateFullyAndStartAt(offset: bigint): void {
    if (this.closed) throw new Error(`log ${this.topic}-${this.partition} is closed`)
    const now = this.clock()
    for (const s of this.segs) s.delete()
    this.segs = [this.newSegment(offset, now)]
    this._logStartOffset = offset
    this.leo = offset
    if (this.hw !== null) this.hw = offset
    this.recoveryPoint = offset
    this.leaderEpochCache.clear()
    this.producerState.truncateFully()
    this.emit('logStartOffset', offset)
  }

  /** Replaces the config; index size and interval apply to segments created from now on. */
  updateConfig(config: LogConfig): void {
    this.config = config
  }

  /** fsyncs every segment not yet known flushed and moves the recovery point to the log end offset. */
  flush(): void {
    for (let i = this.segmentIndexFor(this.recoveryPoint); i < this.segs.length; i++) this.segs[i].flush()
    this.recoveryPoint = this.leo
    this.lastFlushMs = this.clock()
  }

  /** Flushes when flush.ms has passed since the last flush and there is unflushed data (LogManager's timer calls this). */
  flushIfDue(now: number = this.clock()): boolean {
    if (this.recoveryPoint >= this.leo || now - this.lastFlushMs < this.config.flushMs) return false
    this.flush()
    return true
  }

  /** Flushes (unless `flush` is false) and closes all files; the log is unusable afterwards. */
  close(opts: {flush?: boolean} = {}): void {
    if (this.closed) return
    if (opts.flush ?? true) {
      this.flush()
      // A clean stop leaves the state at the log end offset, so the next start replays nothing.
      this.producerState.takeSnapshot(this.leo, true)
    }
    for (const s of this.segs) s.close()
    this.closed = true
  }

  /** Closes the files and removes the directory. */
  delete(): void {
    if (!this.closed) {
      for (const s of this.segs) s.closeHandles()
      this.closed = true
    }
    rmSync(this.dir, {recursive: true, force: true})
  }

  /** True after close() or delete(). */
  get isClosed(): boolean {
    return this.closed
  }
}

/** The leader epoch entries of the batches in `segs` (the checkpoint was missing): first batch of each newer epoch. */
function scanEpochs(segs: readonly LogSegment[]): EpochEntry[] {
  const out: EpochEntry[] = []
  let latest = -1
  for (const seg of segs) {
    if (seg.size === 0) continue
    const it = scanBatches(seg.fileDescriptor, 0, seg.size, false)
    for (let r = it.next(); !r.done; r = it.next()) {
      const epoch = r.value.buf.readInt32BE(r.value.off + PARTITION_LEADER_EPOCH)
      if (epoch > latest) {
        latest = epoch
        out.push({epoch, startOffset: r.value.buf.readBigInt64BE(r.value.off + BASE_OFFSET)})
      }
    }
  }
  return out
}
