/**
 * What Log.open does before the Log object exists (Kafka's UnifiedLog.apply): creates the dir, runs
 * LogLoader (swap completion, leftovers, segment recovery), settles the log start offset, rebuilds the
 * producer state and loads the leader epoch cache, scanning the batches when its checkpoint is missing.
 * Separate from Log so the class holds the running log only.
 */
import {mkdirSync} from 'node:fs'
import {basename} from 'node:path'
import {BASE_OFFSET, PARTITION_LEADER_EPOCH} from '../records/batch-header.js'
import type {LogConfig} from './log-config.js'
import {LogSegment} from './log-segment.js'
import {cleanDirAndListSegments, loadSegments, parsePartitionDirName, rebuildProducerState,
  type StorageLogger} from './log-loader.js'
import {ProducerStateManager} from './producer-state.js'
import {LeaderEpochFileCache, type EpochEntry} from './leader-epoch-cache.js'
import {scanBatches} from './batch-scan.js'
import {segmentConfigOf} from './local-log.js'

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

/** Everything a Log is built from, consistent with each other after recovery. */
export interface LoadedLog {
  clock: () => number
  logger: StorageLogger
  /** The segments, oldest first; never empty. */
  segs: LogSegment[]
  recoveryPoint: bigint
  logStartOffset: bigint
  producerState: ProducerStateManager
  leaderEpochCache: LeaderEpochFileCache
}

/** Opens (or creates) the partition dir `dir` and recovers it when the last stop was not clean. */
export function loadLog(dir: string, config: LogConfig, opts: LogOpenOptions): LoadedLog {
  const clock = opts.clock ?? Date.now
  const logger = opts.logger ?? (() => {})
  mkdirSync(dir, {recursive: true})
  const name = basename(dir)
  parsePartitionDirName(name)
  const segConfig = segmentConfigOf(config)
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
  const leaderEpochCache = LeaderEpochFileCache.load(dir, () => scanEpochs(segs))
  // Recovery may have cut batches the file still names; the log is the truth.
  leaderEpochCache.truncateFromEnd(leo)
  leaderEpochCache.truncateFromStart(start)
  return {clock, logger, segs, recoveryPoint: clean ? leo : recoveryPoint, logStartOffset: start, producerState: state,
    leaderEpochCache}
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
