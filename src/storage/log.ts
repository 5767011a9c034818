/**
 * Log (Kafka's UnifiedLog): one partition's directory `<topic>-<partition>`. Its segments, log end
 * offset, reads, rolling and flushing live in LocalLog; Log adds what is layered on them: offset
 * assignment on append (log-append.ts), the log start offset (DeleteRecords, retention via
 * log-retention.ts), the high watermark, idempotent producers' state, the leader epoch cache, and
 * recovery at open (log-open.ts, log-loader.ts). Callers (the broker's partition / replica manager, or LogManager)
 * call it from one serial path; every method is synchronous.
 */
import {EventEmitter} from 'node:events'
import {basename} from 'node:path'
import {LAST_OFFSET_DELTA, MAX_TIMESTAMP, PARTITION_LEADER_EPOCH, PRODUCER_ID} from '../records/batch-header.js'
import {ErrorCode, KafkaError} from '../protocol/errors.js'
import type {LogConfig} from './log-config.js'
import type {LogSegment} from './log-segment.js'
import {parsePartitionDirName, rebuildProducerState} from './log-loader.js'
import {readProducerBatch, type ProducerStateManager} from './producer-state.js'
import {firstOffsetOf} from './producer-state-entry.js'
import type {SwapStep} from './log-cleaner-swap.js'
import type {LeaderEpochFileCache} from './leader-epoch-cache.js'
import {LocalLog, type LogReadResult, type SegmentInfo} from './local-log.js'
import {loadLog, type LoadedLog, type LogOpenOptions} from './log-open.js'
import {assignOffsetsAndEpoch, checkSingleBatch, stampLogAppendTime, type AppendEvent, type AppendOptions,
  type AppendResult} from './log-append.js'
import {deletableSegmentCount, deletesByRetention, logStartOffsetBreached, retentionMsBreached, retentionSizeBreached,
  type SegmentDeletionPredicate} from './log-retention.js'

export {parsePartitionDirName} from './log-loader.js'
export type {StorageLogger} from './log-loader.js'
export type {LogOpenOptions} from './log-open.js'
export type {LogReadResult, SegmentInfo} from './local-log.js'
export type {AppendOptions, AppendResult, AppendEvent} from './log-append.js'

/** One partition log (see file comment). Events: 'append' (AppendEvent), 'logStartOffset' (bigint). */
export class Log extends EventEmitter {
  readonly topic: string
  readonly partition: number
  /** Idempotent producers' state (sequence numbers, epochs) and its snapshot files. */
  readonly producerState: ProducerStateManager
  /** leader-epoch-checkpoint: where each leader epoch starts (OffsetForLeaderEpoch, follower truncation). */
  readonly leaderEpochCache: LeaderEpochFileCache
  private readonly clock: () => number
  private readonly local: LocalLog
  private _logStartOffset: bigint
  /** null: the high watermark follows the log end offset (single node). */
  private hw: bigint | null = null

  private constructor(readonly dir: string, config: LogConfig, loaded: LoadedLog) {
    super()
    const {topic, partition} = parsePartitionDirName(basename(dir))
    this.topic = topic
    this.partition = partition
    this.clock = loaded.clock
    this.producerState = loaded.producerState
    this.leaderEpochCache = loaded.leaderEpochCache
    this._logStartOffset = loaded.logStartOffset
    // As Kafka: the producer state as of each new segment's base, so recovery never replays more than one segment.
    this.local = new LocalLog(dir, config, loaded.clock, loaded.logger, `${topic}-${partition}`, loaded.segs,
      loaded.recoveryPoint, (baseOffset) => this.producerState.takeSnapshot(baseOffset, false))
  }

  /** Opens (or creates) the partition log in `dir`, recovering it when the last stop was not clean (see log-open.ts). */
  static open(dir: string, config: LogConfig, opts: LogOpenOptions = {}): Log {
    const log = new Log(dir, config, loadLog(dir, config, opts))
    if (opts.highWatermark !== undefined && opts.highWatermark < log.logEndOffset) log.highWatermark = opts.highWatermark
    return log
  }

  /** The topic config in force (replaced by updateConfig). */
  get config(): LogConfig {
    return this.local.config
  }

  set config(config: LogConfig) {
    this.local.config = config
  }

  /** Offset below which all data is known to be fsynced. */
  get recoveryPoint(): bigint {
    return this.local.recoveryPoint
  }

  set recoveryPoint(offset: bigint) {
    this.local.recoveryPoint = offset
  }

  get logStartOffset(): bigint {
    return this._logStartOffset
  }

  get logEndOffset(): bigint {
    return this.local.logEndOffset
  }

  /** On a single node the high watermark is the log end offset; replication sets it explicitly. */
  get highWatermark(): bigint {
    return this.hw ?? this.local.logEndOffset
  }

  /** Sets the high watermark explicitly (clamped to [logStartOffset, logEndOffset]); it then no longer follows the LEO. */
  set highWatermark(offset: bigint) {
    const leo = this.local.logEndOffset
    this.hw = offset < this._logStartOffset ? this._logStartOffset : offset > leo ? leo : offset
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
    return this.local.size
  }

  /** The segments, oldest first. */
  get segments(): SegmentInfo[] {
    return this.local.segmentInfos()
  }

  /** The LogSegment objects, oldest first (for the LogCleaner, which reads them through its own fds). */
  get logSegments(): readonly LogSegment[] {
    return this.local.segs
  }

  /**
   * Replaces the contiguous inactive segments `old` by the fsynced cleaned segment at `old[0].baseOffset`
   * (see log-cleaner-swap.ts). Returns false, changing nothing, when `old` is no longer what the log holds
   * (retention, truncation or close happened during the cleaning): the caller discards its files.
   */
  replaceSegments(old: readonly LogSegment[], sizes: readonly number[], onStep?: (step: SwapStep) => void): boolean {
    return this.local.replaceSegments(old, sizes, onStep)
  }

  /** Base offset of the oldest segment (the log start offset may be above it after DeleteRecords). */
  get firstSegmentBaseOffset(): bigint {
    return this.local.segs[0].baseOffset
  }

  /**
   * Appends ONE already validated v2 batch (the caller checked size, magic, CRC and record count):
   * assigns offsets by writing baseOffset in place (the CRC does not cover it), stamps LogAppendTime if
   * configured (recomputing the CRC), rolls the segment when needed, writes with writeSync.
   */
  append(batch: Buffer, opts: AppendOptions = {}): AppendResult {
    if (this.local.closed) throw new Error(`log ${this.topic}-${this.partition} is closed`)
    checkSingleBatch(batch)
    // Idempotent batches only (producerId >= 0 has a non-negative high word): the common -1 case pays one int read.
    const producer = batch.readInt32BE(PRODUCER_ID) >= 0 ? readProducerBatch(batch, 0) : null
    if (producer !== null && (opts.assignOffsets ?? true) && !producer.isControl) {
      const dup = this.producerState.checkBatch(producer, this.local.logEndOffset)
      if (dup) return {firstOffset: firstOffsetOf(dup), lastOffset: dup.lastOffset, logAppendTime: dup.timestamp, maxTimestamp: dup.timestamp, duplicate: true}
    }
    const firstOffset = assignOffsetsAndEpoch(batch, this.local.logEndOffset, opts)
    const lastOffset = firstOffset + BigInt(batch.readInt32BE(LAST_OFFSET_DELTA))
    const batchEpoch = batch.readInt32BE(PARTITION_LEADER_EPOCH)
    if (batchEpoch > this.leaderEpochCache.latestEpoch) this.leaderEpochCache.assign(batchEpoch, firstOffset)
    const logAppendTime = stampLogAppendTime(batch, opts, this.config, this.clock)
    const maxTimestamp = batch.readBigInt64BE(MAX_TIMESTAMP)

    this.local.append(batch, firstOffset, lastOffset, maxTimestamp, this.clock())
    if (producer !== null) this.producerState.onBatch(producer, lastOffset, maxTimestamp)
    const leo = this.local.logEndOffset
    if (leo - this.local.recoveryPoint >= BigInt(this.config.flushMessages)) this.flush()
    this.emit('append', {firstOffset, lastOffset, logEndOffset: leo} satisfies AppendEvent)
    return {firstOffset, lastOffset, logAppendTime, maxTimestamp}
  }

  /** Starts a new active segment at `baseOffset` (default: the log end offset); the old one is fsynced in the background. */
  roll(baseOffset: bigint = this.local.logEndOffset, now: number = this.clock()): void {
    this.local.roll(baseOffset, now)
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
      logEndOffset: this.local.logEndOffset, highWatermark: this.highWatermark}
    if (fetchOffset < this._logStartOffset || fetchOffset > this.local.logEndOffset) {
      result.errorCode = ErrorCode.OFFSET_OUT_OF_RANGE
      return result
    }
    this.local.readInto(result, fetchOffset, maxBytes, minOneBatch, maxOffset, allocate)
    return result
  }

  /**
   * ListOffsets by timestamp: the first record (at or after the log start offset) whose timestamp is
   * >= `timestamp`, with that record's timestamp; null when there is none.
   */
  offsetForTimestamp(timestamp: bigint): {offset: bigint; timestamp: bigint} | null {
    return this.local.offsetForTimestamp(timestamp, this._logStartOffset)
  }

  /** ListOffsets MAX_TIMESTAMP (-3): the record with the largest timestamp (the first one if several). */
  maxTimestamp(): {offset: bigint; timestamp: bigint} | null {
    return this.local.maxTimestamp(this._logStartOffset)
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
    this.maybeIncrementLogStartOffset(target)
    this.deleteOldSegments(logStartOffsetBreached(this._logStartOffset), 'log start offset')
    this.producerState.deleteSnapshotsBefore(this._logStartOffset)
    return this._logStartOffset
  }

  /** Moves the log start offset up to `offset` (never down), dropping the leader epochs below it. */
  private maybeIncrementLogStartOffset(offset: bigint): void {
    if (offset <= this._logStartOffset) return
    this._logStartOffset = offset
    this.leaderEpochCache.truncateFromStart(offset)
    this.emit('logStartOffset', offset)
  }

  /** Applies retention.ms / retention.bytes (cleanup.policy delete) and the log start offset; returns segments deleted. */
  applyRetention(now: number = this.clock()): number {
    let deleted = 0
    if (deletesByRetention(this.config)) {
      const retentionMs = this.config.retentionMs
      if (retentionMs >= 0) deleted += this.deleteOldSegments(retentionMsBreached(now, retentionMs), 'retention.ms')
      // Sized after retention.ms has run, so the two limits do not both count the same segments.
      if (this.config.retentionBytes >= 0) deleted += this.deleteOldSegments(retentionSizeBreached(this.size, this.config.retentionBytes), 'retention.bytes')
    }
    deleted += this.deleteOldSegments(logStartOffsetBreached(this._logStartOffset), 'log start offset')
    return deleted
  }

  /** Deletes the oldest segments `predicate` allows (see deletableSegmentCount) and moves the log start offset past them. */
  private deleteOldSegments(predicate: SegmentDeletionPredicate, why: string): number {
    const n = deletableSegmentCount(this.local.segs, this.local.logEndOffset, this.highWatermark, predicate)
    if (n === 0) return 0
    const first = this.local.deleteOldestSegments(n, why)
    this.maybeIncrementLogStartOffset(first)
    if (this.local.recoveryPoint < first) this.local.recoveryPoint = first
    this.producerState.deleteSnapshotsBefore(this._logStartOffset)
    return n
  }

  /**
   * Truncates the log to `offset` (follower divergence): removes every batch at or after the batch
   * holding `offset` and moves the log end offset there.
   */
  truncateTo(offset: bigint): void {
    if (offset >= this.local.logEndOffset) return
    const now = this.clock()
    if (this.local.truncateTo(offset, now)) this._logStartOffset = offset
    const leo = this.local.logEndOffset
    if (this.hw !== null && this.hw > leo) this.hw = leo
    this.leaderEpochCache.truncateFromEnd(leo)
    if (this._logStartOffset > leo) this._logStartOffset = leo
    // The producer state must forget the removed batches: reload from a snapshot at or below the new end.
    if (offset <= this._logStartOffset) this.producerState.truncateFully()
    rebuildProducerState(this.producerState, this.local.segs, this._logStartOffset, now)
  }

  /**
   * Empties the log and restarts it at `offset` (a follower whose fetch offset fell below the leader's
   * log start offset: Kafka's truncateFullyAndStartAt).
   */
  truncateFullyAndStartAt(offset: bigint): void {
    if (this.local.closed) throw new Error(`log ${this.topic}-${this.partition} is closed`)
    this.local.truncateFullyAndStartAt(offset, this.clock())
    this._logStartOffset = offset
    if (this.hw !== null) this.hw = offset
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
    this.local.flush()
  }

  /** Flushes when flush.ms has passed since the last flush and there is unflushed data (LogManager's timer calls this). */
  flushIfDue(now: number = this.clock()): boolean {
    return this.local.flushIfDue(now)
  }

  /** Flushes (unless `flush` is false) and closes all files; the log is unusable afterwards. */
  close(opts: {flush?: boolean} = {}): void {
    if (this.local.closed) return
    if (opts.flush ?? true) {
      this.flush()
      // A clean stop leaves the state at the log end offset, so the next start replays nothing.
      this.producerState.takeSnapshot(this.local.logEndOffset, true)
    }
    this.local.close()
  }

  /** Closes the files and removes the directory. */
  delete(): void {
    this.local.delete()
  }

  /** True after close() or delete(). */
  get isClosed(): boolean {
    return this.local.closed
  }
}
