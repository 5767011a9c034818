/**
 * What LogManager.open does to its data dir before serving (Kafka's LogManager.loadLogs): consumes the
 * clean-shutdown marker, reads the recovery point, log start offset and high watermark checkpoints, and
 * opens (recovering if needed) every `<topic>-<partition>` dir. Kept apart from LogManager, which holds
 * the running logs, their checkpoints and background tasks; LogManager.close writes the marker back.
 */
import {existsSync, readdirSync, rmSync, statSync} from 'node:fs'
import {join} from 'node:path'
import type {LogConfig} from './log-config.js'
import {Log, parsePartitionDirName, type StorageLogger} from './log.js'
import {LOG_START_OFFSET_CHECKPOINT, RECOVERY_POINT_CHECKPOINT, partitionKey, readOffsetCheckpoint} from './checkpoint.js'
import {fsyncDir} from './file-util.js'

export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown'
/** Kafka's high watermark checkpoint (same text format as recovery-point-offset-checkpoint). */
export const REPLICATION_OFFSET_CHECKPOINT = 'replication-offset-checkpoint'

/** What loadLogDir needs from its LogManager. */
export interface LogDirLoadContext {
  logger: StorageLogger
  clock: () => number
  /** Config of logs whose topic `topicConfig` does not know (each log gets its own copy). */
  defaultConfig: LogConfig
  topicConfig?: (topic: string) => LogConfig | undefined
  /** Topics whose dirs are someone else's (default: the KRaft metadata log). */
  skipTopics?: string[]
  producerIdExpirationMs?: number
  /** Takes each opened log, in dir name order. */
  track: (key: string, log: Log) => void
  /** Starts removing a `<topic>-<partition>.<uuid>-delete` dir a previous deleteLog left behind. */
  removeDeleted: (path: string, name: string) => void
}

/** What LogManager.open found. */
export interface LogManagerOpenInfo {
  cleanShutdown: boolean
  logsLoaded: number
}

/** Loads every partition log of `dataDir` (see file comment), handing each to `ctx.track`. */
export function loadLogDir(dataDir: string, ctx: LogDirLoadContext): LogManagerOpenInfo {
  const marker = join(dataDir, CLEAN_SHUTDOWN_FILE)
  const clean = existsSync(marker)
  // The marker only vouches for the stop that wrote it: remove it now so a crash from here on is seen as unclean.
  if (clean) {
    rmSync(marker, {force: true})
    fsyncDir(dataDir)
  }
  const recoveryPoints = readCheckpoint(dataDir, RECOVERY_POINT_CHECKPOINT, ctx.logger)
  const startOffsets = readCheckpoint(dataDir, LOG_START_OFFSET_CHECKPOINT, ctx.logger)
  const highWatermarks = readCheckpoint(dataDir, REPLICATION_OFFSET_CHECKPOINT, ctx.logger)
  const skip = new Set(ctx.skipTopics ?? ['__cluster_metadata'])
  let loaded = 0
  for (const name of readdirSync(dataDir).sort()) {
    const path = join(dataDir, name)
    if (!statSync(path).isDirectory()) continue
    if (/\.[0-9a-f]{32}-delete$/.test(name)) {
      ctx.removeDeleted(path, name)
      continue
    }
    let tp: {topic: string; partition: number}
    try {
      tp = parsePartitionDirName(name)
    } catch {
      continue
    }
    if (skip.has(tp.topic)) continue
    const key = partitionKey(tp.topic, tp.partition)
    if (!clean && loaded === 0) ctx.logger('info', `data dir ${dataDir} was not shut down cleanly: recovering unflushed segments`)
    const log = Log.open(path, ctx.topicConfig?.(tp.topic) ?? {...ctx.defaultConfig}, {
      clock: ctx.clock, logger: ctx.logger, cleanShutdown: clean,
      recoveryPoint: recoveryPoints.get(key) ?? 0n, logStartOffset: startOffsets.get(key),
      producerIdExpirationMs: ctx.producerIdExpirationMs, highWatermark: highWatermarks.get(key),
    })
    ctx.track(key, log)
    loaded++
  }
  return {cleanShutdown: clean, logsLoaded: loaded}
}

/** A checkpoint of the data dir; an unreadable one is logged and treated as empty (its logs then recover). */
function readCheckpoint(dataDir: string, file: string, logger: StorageLogger): Map<string, bigint> {
  try {
    return readOffsetCheckpoint(join(dataDir, file))
  } catch (err) {
    logger('warn', `ignoring unreadable ${file}: ${(err as Error).message}`)
    return new Map()
  }
}
