/**
 * LogCleaner: compaction for logs whose cleanup.policy includes 'compact', after Kafka's LogCleaner and
 * LogCleanerManager. It keeps each log's first dirty offset in `cleaner-offset-checkpoint` (Kafka's
 * file and format), picks the filthiest eligible log (dirty ratio >= min.cleanable.dirty.ratio, a
 * record older than max.compaction.lag.ms, or kept tombstones whose delete horizon has passed), and
 * cleans one log at a time on the event loop in slices (log-cleaner-run.ts). The LogManager owns it.
 */
import {join} from 'node:path'
import {NEVER, isCompacted} from './log-config.js'
import {partitionKey, readOffsetCheckpoint, writeOffsetCheckpoint, type CheckpointEntry} from './checkpoint.js'
import {DEFAULT_DEDUPE_BUFFER_SIZE} from './log-cleaner-offset-map.js'
import {cleanLog, type CleanerStats} from './log-cleaner-run.js'
import type {SwapStep} from './log-cleaner-swap.js'
import type {Log, StorageLogger} from './log.js'

export type {CleanerStats} from './log-cleaner-run.js'
export type {SwapStep} from './log-cleaner-swap.js'
export const CLEANER_OFFSET_CHECKPOINT = 'cleaner-offset-checkpoint'

/** Options of a LogCleaner. */
export interface LogCleanerOptions {
  logger?: StorageLogger
  clock?: () => number
  /** log.cleaner.dedupe.buffer.size (default 128 MiB): the most the offset map may take. */
  dedupeBufferSize?: number
  /** Input bytes a cleaning handles before it yields to the event loop (default 1 MiB). */
  sliceBytes?: number
  /** Test hook: called at each step of a segment swap (throw to simulate a crash there). */
  onSwapStep?: (step: SwapStep) => void
}

/** Where a log's dirty section starts and ends, and how large each part is. */
export interface CleanableState {
  firstDirtyOffset: bigint
  firstUncleanableOffset: bigint
  cleanBytes: number
  dirtyBytes: number
  /** dirty / (clean + dirty), 0 when both are 0. */
  dirtyRatio: number
  /** Why the log needs cleaning now, or null. */
  reason: 'dirty ratio' | 'max.compaction.lag.ms' | 'tombstone horizon' | null
}

/** Compacts logs (see file comment). */
export class LogCleaner {
  private readonly checkpointPath: string
  private readonly firstDirty: Map<string, bigint>
  /** Earliest delete horizon of the tombstones each log kept at its last cleaning. */
  private readonly horizons = new Map<string, number>()
  /** Logs whose cleaning failed: skipped until restart, as Kafka marks partitions uncleanable. */
  private readonly uncleanable = new Set<string>()
  private readonly logger: StorageLogger
  private readonly clock: () => number
  private running: Promise<CleanerStats[]> | null = null
  private closed = false

  constructor(readonly dataDir: string, private readonly opts: LogCleanerOptions = {}) {
    this.logger = opts.logger ?? (() => {})
    this.clock = opts.clock ?? Date.now
    this.checkpointPath = join(dataDir, CLEANER_OFFSET_CHECKPOINT)
    try {
      this.firstDirty = readOffsetCheckpoint(this.checkpointPath)
    } catch (err) {
      this.logger('warn', `ignoring unreadable ${CLEANER_OFFSET_CHECKPOINT}: ${(err as Error).message}`)
      this.firstDirty = new Map()
    }
  }

  /** Kafka's cleanableOffsets plus the byte sizes of the clean and dirty sections and whether to clean now. */
  cleanableState(log: Log, now: number = this.clock()): CleanableState {
    const key = partitionKey(log.topic, log.partition)
    const segs = log.logSegments
    const cp = this.firstDirty.get(key)
    const firstDirty = cp === undefined || cp < log.logStartOffset || cp > log.logEndOffset ? log.logStartOffset : cp
    let firstUncleanable = segs[segs.length - 1].baseOffset
    if (log.highWatermark < firstUncleanable) firstUncleanable = log.highWatermark
    const lag = log.config.minCompactionLagMs
    let cleanBytes = 0
    let dirtyBytes = 0
    let firstDirtySegment = -1
    for (let i = 0; i + 1 < segs.length; i++) {
      const seg = segs[i]
      const next = segs[i + 1].baseOffset
      if (seg.baseOffset >= firstUncleanable) break
      if (next <= firstDirty) {
        cleanBytes += seg.size
        continue
      }
      // Records younger than min.compaction.lag.ms stay dirty and uncleaned, with everything after them.
      if (lag > 0 && seg.size > 0 && seg.largestTimestamp > BigInt(now - lag)) {
        if (seg.baseOffset < firstUncleanable) firstUncleanable = seg.baseOffset > firstDirty ? seg.baseOffset : firstDirty
        break
      }
      if (firstDirtySegment < 0) firstDirtySegment = i
      dirtyBytes += seg.size
    }
    const total = cleanBytes + dirtyBytes
    const dirtyRatio = total === 0 ? 0 : dirtyBytes / total
    let reason: CleanableState['reason'] = null
    if (dirtyBytes > 0 && firstDirty < firstUncleanable && dirtyRatio >= log.config.minCleanableDirtyRatio) reason = 'dirty ratio'
    else if (dirtyBytes > 0 && firstDirty < firstUncleanable && log.config.maxCompactionLagMs < NEVER && firstDirtySegment >= 0) {
      const first = segs[firstDirtySegment].findBatch(firstDirty)
      if (first && BigInt(now) - first.maxTimestamp > BigInt(log.config.maxCompactionLagMs)) reason = 'max.compaction.lag.ms'
    }
    const horizon = this.horizons.get(key)
    if (reason === null && horizon !== undefined && horizon <= now) reason = 'tombstone horizon'
    return {firstDirtyOffset: firstDirty, firstUncleanableOffset: firstUncleanable, cleanBytes, dirtyBytes, dirtyRatio, reason}
  }

  /**
   * Cleans every compacted log that needs it, filthiest first, one at a time; resolves with the figures
   * of each cleaning. A call while a pass runs joins that pass.
   */
  runOnce(logs: readonly Log[]): Promise<CleanerStats[]> {
    this.running ??= this.pass(logs).finally(() => (this.running = null))
    return this.running
  }

  private async pass(logs: readonly Log[]): Promise<CleanerStats[]> {
    const now = this.clock()
    const todo: {log: Log; state: CleanableState}[] = []
    for (const log of logs) {
      if (log.isClosed || !isCompacted(log.config) || this.uncleanable.has(partitionKey(log.topic, log.partition))) continue
      const state = this.cleanableState(log, now)
      if (state.reason !== null) todo.push({log, state})
    }
    todo.sort((a, b) => b.state.dirtyRatio - a.state.dirtyRatio)
    const out: CleanerStats[] = []
    for (const {log} of todo) {
      if (this.closed) break
      const stats = await this.clean(log)
      if (stats) out.push(stats)
    }
    return out
  }

  /** Cleans one log now, whatever its dirty ratio (tests, and `pass` above); null when it cannot be cleaned. */
  async clean(log: Log, now: number = this.clock()): Promise<CleanerStats | null> {
    const key = partitionKey(log.topic, log.partition)
    if (log.isClosed || !isCompacted(log.config)) return null
    const state = this.cleanableState(log, now)
    const started = this.clock()
    try {
      const stats = await cleanLog(log, {now, firstDirtyOffset: state.firstDirtyOffset, firstUncleanableOffset: state.firstUncleanableOffset,
        dedupeBufferSize: this.opts.dedupeBufferSize ?? DEFAULT_DEDUPE_BUFFER_SIZE, sliceBytes: this.opts.sliceBytes ?? 1024 * 1024,
        onSwapStep: this.opts.onSwapStep})
      if (stats.aborted || this.closed) return stats
      this.firstDirty.set(key, stats.endOffset)
      if (stats.nextTombstoneHorizon >= 0) this.horizons.set(key, stats.nextTombstoneHorizon)
      else this.horizons.delete(key)
      this.writeCheckpoint()
      const ms = this.clock() - started
      this.logger('info', `${log.topic}-${log.partition}: cleaned offsets ${stats.firstDirtyOffset}-${stats.endOffset} in ${ms} ms: ` +
        `${stats.bytesRead} -> ${stats.bytesWritten} bytes, ${stats.recordsRead} -> ${stats.recordsKept} records, ` +
        `${stats.segmentsBefore} -> ${stats.segmentsAfter} segments`)
      return stats
    } catch (err) {
      if (log.isClosed || this.closed) return null
      this.uncleanable.add(key)
      this.logger('error', `${log.topic}-${log.partition}: cleaning failed, the log stays uncompacted until restart: ${(err as Error).message}`)
      return null
    }
  }

  /** The first dirty offset the checkpoint holds for a partition (undefined: none yet). */
  firstDirtyOffset(topic: string, partition: number): bigint | undefined {
    return this.firstDirty.get(partitionKey(topic, partition))
  }

  /** Forgets a deleted partition. */
  forget(topic: string, partition: number): void {
    const key = partitionKey(topic, partition)
    this.horizons.delete(key)
    this.uncleanable.delete(key)
    if (this.firstDirty.delete(key) && !this.closed) this.writeCheckpoint()
  }

  /** Writes cleaner-offset-checkpoint (atomically). */
  writeCheckpoint(): void {
    const entries: CheckpointEntry[] = []
    for (const [key, offset] of this.firstDirty) {
      const sp = key.lastIndexOf(' ')
      entries.push({topic: key.slice(0, sp), partition: Number(key.slice(sp + 1)), offset})
    }
    writeOffsetCheckpoint(this.checkpointPath, entries)
  }

  /** Resolves when no cleaning is running. */
  async idle(): Promise<void> {
    while (this.running) await this.running.catch(() => {})
  }

  /** Stops: a running cleaning abandons its files at its next slice; no checkpoint is written after this. */
  close(): void {
    this.closed = true
  }
}
