/**
 * LogManager: owns one data dir. At open it removes the clean-shutdown marker, reads the checkpoints and
 * opens (recovering if needed) every `<topic>-<partition>` dir (that start-up lives in log-dir-loader.ts);
 * it creates and deletes logs, runs retention and flush.ms timers and the LogCleaner (compacted topics),
 * writes the checkpoints, and on close flushes everything and writes `.kafka_cleanshutdown`. The broker
 * is its only caller.
 */
import {EventEmitter} from 'node:events'
import {closeSync, existsSync, mkdirSync, openSync, renameSync} from 'node:fs'
import {rm} from 'node:fs/promises'
import {randomUUID} from 'node:crypto'
import {join} from 'node:path'
import {DEFAULT_LOG_CONFIG, type LogConfig} from './log-config.js'
import {Log, type StorageLogger} from './log.js'
import {LOG_START_OFFSET_CHECKPOINT, RECOVERY_POINT_CHECKPOINT, partitionKey, writeOffsetCheckpoint,
  type CheckpointEntry} from './checkpoint.js'
import {fsyncDir} from './file-util.js'
import {LogCleaner, type CleanerStats, type SwapStep} from './log-cleaner.js'
import {CLEAN_SHUTDOWN_FILE, REPLICATION_OFFSET_CHECKPOINT, loadLogDir, type LogManagerOpenInfo} from './log-dir-loader.js'

export {CLEAN_SHUTDOWN_FILE, REPLICATION_OFFSET_CHECKPOINT, type LogManagerOpenInfo} from './log-dir-loader.js'

/** Options of LogManager.open. */
export interface LogManagerOptions {
  logger?: StorageLogger
  clock?: () => number
  /** Config of logs found at open whose topic `topicConfig` does not know (default: Kafka's defaults). */
  defaultConfig?: LogConfig
  /** Per-topic config for logs found at open. */
  topicConfig?: (topic: string) => LogConfig | undefined
  /** Start the retention/flush/checkpoint timers (default true; tests call the methods directly). */
  scheduler?: boolean
  /** log.retention.check.interval.ms (default 300000). */
  retentionCheckIntervalMs?: number
  /** How often flush.ms is checked (log.flush.scheduler.interval.ms; default 1000). */
  flushCheckIntervalMs?: number
  /** log.flush.offset.checkpoint.interval.ms (default 60000). */
  checkpointIntervalMs?: number
  /** replica.high.watermark.checkpoint.interval.ms (default 5000). */
  highWatermarkCheckpointIntervalMs?: number
  /** Topics whose dirs are someone else's (the KRaft metadata log). */
  skipTopics?: string[]
  /** producer.id.expiration.ms (default 86400000): idle idempotent producers are forgotten after this long. */
  producerIdExpirationMs?: number
  /** producer.id.expiration.check.interval.ms (default 600000). */
  producerIdExpirationCheckIntervalMs?: number
  /** log.cleaner.enable (default true): compact logs whose cleanup.policy includes 'compact'. */
  cleanerEnable?: boolean
  /** log.cleaner.backoff.ms (default 15000): the pause between cleaner passes. */
  cleanerBackoffMs?: number
  /** log.cleaner.dedupe.buffer.size (default 128 MiB). */
  cleanerDedupeBufferSize?: number
  /** Test hook: called at each step of a cleaner's segment swap (throw to simulate a crash). */
  cleanerSwapHook?: (step: SwapStep) => void
}

/** Owns the data dir's logs (see file comment). Event 'logDeleted' (topic, partition) after a deleted dir is gone. */
export class LogManager extends EventEmitter {
  private readonly logs = new Map<string, Log>()
  private readonly timers: NodeJS.Timeout[] = []
  private readonly logger: StorageLogger
  private readonly clock: () => number
  private readonly defaultConfig: LogConfig
  private pendingDeletes: Promise<void>[] = []
  /** Compacts the logs whose cleanup.policy includes 'compact'. */
  readonly cleaner: LogCleaner
  private closed = false
  openInfo: LogManagerOpenInfo = {cleanShutdown: false, logsLoaded: 0}

  private constructor(readonly dataDir: string, private readonly opts: LogManagerOptions) {
    super()
    this.logger = opts.logger ?? (() => {})
    this.clock = opts.clock ?? Date.now
    this.defaultConfig = opts.defaultConfig ?? {...DEFAULT_LOG_CONFIG}
    this.cleaner = new LogCleaner(dataDir, {logger: this.logger, clock: this.clock, dedupeBufferSize: opts.cleanerDedupeBufferSize,
      onSwapStep: opts.cleanerSwapHook})
  }

  /** Opens the data dir (creating it), loading and recovering every partition log in it. */
  static open(dataDir: string, opts: LogManagerOptions = {}): LogManager {
    mkdirSync(dataDir, {recursive: true})
    const m = new LogManager(dataDir, opts)
    m.loadLogs()
    if (opts.scheduler ?? true) m.startScheduler()
    return m
  }

  private loadLogs(): void {
    this.openInfo = loadLogDir(this.dataDir, {logger: this.logger, clock: this.clock, defaultConfig: this.defaultConfig,
      topicConfig: this.opts.topicConfig, skipTopics: this.opts.skipTopics, producerIdExpirationMs: this.opts.producerIdExpirationMs,
      track: (key, log) => this.track(key, log), removeDeleted: (path, name) => void this.removeAsync(path, name)})
  }

  private track(key: string, log: Log): void {
    this.logs.set(key, log)
    // DeleteRecords and retention move the log start offset: persist it promptly (rare, small file).
    log.on('logStartOffset', () => {
      if (!this.closed) this.checkpointLogStartOffsets()
    })
  }

  /** The log of a partition, creating its directory if it does not exist; an existing log gets `config`. */
  getOrCreateLog(topic: string, partition: number, config: LogConfig = this.defaultConfig): Log {
    if (this.closed) throw new Error('log manager is closed')
    const key = partitionKey(topic, partition)
    const existing = this.logs.get(key)
    if (existing) {
      existing.updateConfig(config)
      return existing
    }
    const dir = join(this.dataDir, `${topic}-${partition}`)
    // A brand-new dir needs no recovery; one left on disk but not loaded at open (unexpected) gets checked.
    const log = Log.open(dir, config, {clock: this.clock, logger: this.logger, cleanShutdown: !existsSync(dir),
      producerIdExpirationMs: this.opts.producerIdExpirationMs})
    this.track(key, log)
    return log
  }

  /** The log of a partition, if this data dir has it. */
  getLog(topic: string, partition: number): Log | undefined {
    return this.logs.get(partitionKey(topic, partition))
  }

  /** Every open log. */
  allLogs(): Log[] {
    return [...this.logs.values()]
  }

  /**
   * Deletes a partition's log like Kafka: the dir is renamed to `<topic>-<partition>.<uuid>-delete`
   * at once (so a restart never loads it), then removed in the background. Resolves when it is gone.
   */
  deleteLog(topic: string, partition: number): Promise<void> {
    const key = partitionKey(topic, partition)
    const log = this.logs.get(key)
    if (!log) return Promise.resolve()
    this.logs.delete(key)
    this.cleaner.forget(topic, partition)
    log.removeAllListeners('logStartOffset')
    log.close({flush: false})
    const name = `${topic}-${partition}.${randomUUID().replace(/-/g, '')}-delete`
    const target = join(this.dataDir, name)
    renameSync(log.dir, target)
    fsyncDir(this.dataDir)
    // Forget it in the checkpoints now so a stale entry cannot apply to a re-created topic of the same name.
    this.checkpointRecoveryPoints()
    this.checkpointLogStartOffsets()
    return this.removeAsync(target, name, topic, partition)
  }

  private removeAsync(path: string, name: string, topic?: string, partition?: number): Promise<void> {
    const p = rm(path, {recursive: true, force: true}).then(() => {
      if (topic !== undefined) this.emit('logDeleted', topic, partition)
    }, (err: Error) => this.logger('warn', `could not remove ${name}: ${err.message}`))
    this.pendingDeletes.push(p)
    void p.finally(() => (this.pendingDeletes = this.pendingDeletes.filter((q) => q !== p)))
    return p
  }

  /** Writes recovery-point-offset-checkpoint for every log. */
  checkpointRecoveryPoints(): void {
    const entries: CheckpointEntry[] = this.allLogs().map((l) => ({topic: l.topic, partition: l.partition, offset: l.recoveryPoint}))
    writeOffsetCheckpoint(join(this.dataDir, RECOVERY_POINT_CHECKPOINT), entries)
  }

  /**
   * Writes replication-offset-checkpoint (each log's high watermark) once replication has set any
   * high watermark explicitly; a single node whose high watermarks follow the log ends needs none.
   */
  checkpointHighWatermarks(): void {
    const logs = this.allLogs()
    const path = join(this.dataDir, REPLICATION_OFFSET_CHECKPOINT)
    if (!logs.some((l) => l.hasExplicitHighWatermark) && !existsSync(path)) return
    writeOffsetCheckpoint(path, logs.map((l) => ({topic: l.topic, partition: l.partition, offset: l.highWatermark})))
  }

  /** Writes log-start-offset-checkpoint for the logs whose start is inside their first segment (as Kafka does). */
  checkpointLogStartOffsets(): void {
    const entries: CheckpointEntry[] = this.allLogs()
      .filter((l) => l.logStartOffset > l.firstSegmentBaseOffset)
      .map((l) => ({topic: l.topic, partition: l.partition, offset: l.logStartOffset}))
    writeOffsetCheckpoint(join(this.dataDir, LOG_START_OFFSET_CHECKPOINT), entries)
  }

  /** Runs retention on every log; returns the number of segments deleted. */
  applyRetention(now: number = this.clock()): number {
    let n = 0
    for (const log of this.allLogs()) {
      try {
        n += log.applyRetention(now)
      } catch (err) {
        this.logger('error', `retention of ${log.topic}-${log.partition} failed: ${(err as Error).message}`)
      }
    }
    return n
  }

  /** Flushes the logs whose flush.ms has elapsed. */
  flushDueLogs(now: number = this.clock()): void {
    for (const log of this.allLogs()) {
      try {
        log.flushIfDue(now)
      } catch (err) {
        this.logger('error', `flush of ${log.topic}-${log.partition} failed: ${(err as Error).message}`)
      }
    }
  }

  /** Forgets idempotent producers idle for producer.id.expiration.ms in every log; returns how many. */
  removeExpiredProducers(now: number = this.clock()): number {
    let n = 0
    for (const log of this.allLogs()) n += log.producerState.removeExpiredProducers(now)
    return n
  }

  /** Runs one cleaner pass over the compacted logs that need it (the scheduler does this every log.cleaner.backoff.ms). */
  runCleaner(): Promise<CleanerStats[]> {
    if (this.closed) return Promise.resolve([])
    return this.cleaner.runOnce(this.allLogs())
  }

  private startScheduler(): void {
    const every = (ms: number, fn: () => void): void => {
      const t = setInterval(() => {
        try {
          fn()
        } catch (err) {
          this.logger('error', `log manager task failed: ${(err as Error).message}`)
        }
      }, ms)
      t.unref()
      this.timers.push(t)
    }
    every(this.opts.retentionCheckIntervalMs ?? 300000, () => this.applyRetention())
    every(this.opts.flushCheckIntervalMs ?? 1000, () => this.flushDueLogs())
    every(this.opts.producerIdExpirationCheckIntervalMs ?? 600000, () => this.removeExpiredProducers())
    if (this.opts.cleanerEnable ?? true) {
      // Failures are logged by the cleaner itself; a pass still running makes the next tick join it.
      every(this.opts.cleanerBackoffMs ?? 15000, () => void this.runCleaner().catch((err: Error) => this.logger('error', `log cleaner: ${err.message}`)))
    }
    every(this.opts.checkpointIntervalMs ?? 60000, () => {
      this.checkpointRecoveryPoints()
      this.checkpointLogStartOffsets()
    })
    // replica.high.watermark.checkpoint.interval.ms (5000): a restarted replica must not expose uncommitted data.
    every(this.opts.highWatermarkCheckpointIntervalMs ?? 5000, () => this.checkpointHighWatermarks())
  }

  /** Waits for background directory removals (tests, orderly shutdown). */
  async drain(): Promise<void> {
    while (this.pendingDeletes.length > 0) await Promise.all(this.pendingDeletes)
  }

  /** Flushes and closes every log, writes both checkpoints, then the clean-shutdown marker. */
  close(): void {
    if (this.closed) return
    // A running cleaning sees its logs closed at its next slice and drops its unfinished files.
    this.cleaner.close()
    for (const t of this.timers) clearInterval(t)
    this.timers.length = 0
    let ok = true
    for (const log of this.allLogs()) {
      try {
        log.close()
      } catch (err) {
        ok = false
        this.logger('error', `closing ${log.topic}-${log.partition} failed: ${(err as Error).message}`)
      }
    }
    this.checkpointRecoveryPoints()
    this.checkpointLogStartOffsets()
    this.checkpointHighWatermarks()
    this.closed = true
    // Only a fully flushed stop may skip recovery next time.
    if (ok) {
      closeSync(openSync(join(this.dataDir, CLEAN_SHUTDOWN_FILE), 'w'))
      fsyncDir(this.dataDir)
    }
  }
}
