/**
 * LogConfig: the per-partition log settings, named after Kafka's topic configs, and the mapping from
 * Kafka's topic config names (segment.bytes ...) and broker defaults (log.segment.bytes ...) to it.
 */

/** Kafka's "never" for flush.messages / flush.ms is Long.MAX_VALUE; a safe JS integer is as good in practice. */
export const NEVER = Number.MAX_SAFE_INTEGER

/** Settings of one partition log; field names are camelCase of Kafka's topic config names. */
export interface LogConfig {
  segmentBytes: number
  segmentMs: number
  indexIntervalBytes: number
  segmentIndexBytes: number
  /** -1 keeps data forever. */
  retentionMs: number
  /** -1 means no size limit. */
  retentionBytes: number
  maxMessageBytes: number
  messageTimestampType: 'CreateTime' | 'LogAppendTime'
  /** fsync after this many unflushed records (NEVER by default: the page cache and replication are the durability story). */
  flushMessages: number
  /** fsync when the last flush is older than this (NEVER by default). */
  flushMs: number
  /** 'delete', 'compact' or 'compact,delete' (compact: the LogCleaner keeps the latest record per key). */
  cleanupPolicy: string
  /** delete.retention.ms: how long a tombstone survives after its batch was first cleaned. */
  deleteRetentionMs: number
  /** min.cleanable.dirty.ratio: dirty bytes / (clean + dirty) bytes above which the cleaner compacts the log. */
  minCleanableDirtyRatio: number
  /** min.compaction.lag.ms: records younger than this stay uncompacted. */
  minCompactionLagMs: number
  /** max.compaction.lag.ms: a record older than this makes the log eligible whatever its dirty ratio. */
  maxCompactionLagMs: number
}

/** Kafka's defaults. */
export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1073741824,
  segmentMs: 604800000,
  indexIntervalBytes: 4096,
  segmentIndexBytes: 10485760,
  retentionMs: 604800000,
  retentionBytes: -1,
  maxMessageBytes: 1048588,
  messageTimestampType: 'CreateTime',
  flushMessages: NEVER,
  flushMs: NEVER,
  cleanupPolicy: 'delete',
  deleteRetentionMs: 86400000,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: NEVER,
})

/** True when the cleanup.policy includes 'compact' (the LogCleaner owns such logs). */
export function isCompacted(config: Readonly<LogConfig>): boolean {
  return config.cleanupPolicy.split(',').includes('compact')
}

/** Returns a fresh copy of the defaults (optionally overridden). */
export function defaultLogConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return {...DEFAULT_LOG_CONFIG, ...overrides}
}

/** Parses a Kafka long config value; values beyond the safe integer range (Long.MAX_VALUE) become NEVER. */
function parseLong(name: string, value: string): number {
  const trimmed = value.trim()
  if (!/^-?\d+$/.test(trimmed)) throw new Error(`invalid value '${value}' for ${name}: not an integer`)
  const n = Number(trimmed)
  return n > NEVER ? NEVER : n
}

/** First present key wins: topic-level names first, then the broker defaults in Kafka's precedence order. */
function pick(props: Record<string, string>, names: readonly (readonly [string, number])[]): number | undefined {
  for (const [name, scale] of names) {
    const v = props[name]
    if (v === undefined || v === null || String(v).trim() === '') continue
    const n = parseLong(name, String(v))
    // -1 stays -1 (unlimited) whatever the unit.
    if (n < 0) return n
    return Math.min(n * scale, NEVER)
  }
  return undefined
}

const HOUR = 3600000
const MINUTE = 60000

/** Kafka config names (topic name first, then broker names by precedence) with the unit scale into the field. */
const NUMERIC: Record<Exclude<keyof LogConfig, 'messageTimestampType' | 'cleanupPolicy' | 'minCleanableDirtyRatio'>, readonly (readonly [string, number])[]> = {
  segmentBytes: [['segment.bytes', 1], ['log.segment.bytes', 1]],
  segmentMs: [['segment.ms', 1], ['log.roll.ms', 1], ['log.roll.hours', HOUR]],
  indexIntervalBytes: [['index.interval.bytes', 1], ['log.index.interval.bytes', 1]],
  segmentIndexBytes: [['segment.index.bytes', 1], ['log.index.size.max.bytes', 1]],
  retentionMs: [['retention.ms', 1], ['log.retention.ms', 1], ['log.retention.minutes', MINUTE], ['log.retention.hours', HOUR]],
  retentionBytes: [['retention.bytes', 1], ['log.retention.bytes', 1]],
  maxMessageBytes: [['max.message.bytes', 1], ['message.max.bytes', 1]],
  flushMessages: [['flush.messages', 1], ['log.flush.interval.messages', 1]],
  flushMs: [['flush.ms', 1], ['log.flush.interval.ms', 1]],
  deleteRetentionMs: [['delete.retention.ms', 1], ['log.cleaner.delete.retention.ms', 1]],
  minCompactionLagMs: [['min.compaction.lag.ms', 1], ['log.cleaner.min.compaction.lag.ms', 1]],
  maxCompactionLagMs: [['max.compaction.lag.ms', 1], ['log.cleaner.max.compaction.lag.ms', 1]],
}

/**
 * Maps Kafka topic configs and/or broker log.* defaults to a LogConfig, on top of `base` (Kafka's defaults
 * unless given; pass the broker-level LogConfig as base when resolving a topic's overrides).
 */
export function logConfigFromProps(props: Record<string, string>, base: Readonly<LogConfig> = DEFAULT_LOG_CONFIG): LogConfig {
  const config: LogConfig = {...base}
  for (const key of Object.keys(NUMERIC) as (keyof typeof NUMERIC)[]) {
    const v = pick(props, NUMERIC[key])
    if (v !== undefined) config[key] = v
  }
  const tsType = props['message.timestamp.type'] ?? props['log.message.timestamp.type']
  if (tsType !== undefined) {
    if (tsType !== 'CreateTime' && tsType !== 'LogAppendTime') throw new Error(`invalid message.timestamp.type '${tsType}'`)
    config.messageTimestampType = tsType
  }
  const ratio = props['min.cleanable.dirty.ratio'] ?? props['log.cleaner.min.cleanable.ratio']
  if (ratio !== undefined && String(ratio).trim() !== '') {
    const r = Number(ratio)
    if (!Number.isFinite(r) || r < 0 || r > 1) throw new Error(`invalid min.cleanable.dirty.ratio '${ratio}': must be between 0 and 1`)
    config.minCleanableDirtyRatio = r
  }
  const policy = props['cleanup.policy'] ?? props['log.cleanup.policy']
  if (policy !== undefined) {
    const parts = policy.split(',').map((p) => p.trim()).filter((p) => p.length > 0)
    if (parts.length === 0 || parts.some((p) => p !== 'delete' && p !== 'compact')) throw new Error(`invalid cleanup.policy '${policy}'`)
    config.cleanupPolicy = parts.join(',')
  }
  if (config.segmentBytes < 14) throw new Error(`segment.bytes must be at least 14, got ${config.segmentBytes}`)
  if (config.segmentIndexBytes < 8) throw new Error(`segment.index.bytes must be at least 8, got ${config.segmentIndexBytes}`)
  return config
}

/** The topic-level config names and values of a LogConfig (what DescribeConfigs shows for a topic). */
export function logConfigToProps(config: Readonly<LogConfig>): Record<string, string> {
  return {
    'segment.bytes': String(config.segmentBytes),
    'segment.ms': String(config.segmentMs),
    'index.interval.bytes': String(config.indexIntervalBytes),
    'segment.index.bytes': String(config.segmentIndexBytes),
    'retention.ms': String(config.retentionMs),
    'retention.bytes': String(config.retentionBytes),
    'max.message.bytes': String(config.maxMessageBytes),
    'message.timestamp.type': config.messageTimestampType,
    'flush.messages': config.flushMessages >= NEVER ? '9223372036854775807' : String(config.flushMessages),
    'flush.ms': config.flushMs >= NEVER ? '9223372036854775807' : String(config.flushMs),
    'cleanup.policy': config.cleanupPolicy,
    'delete.retention.ms': String(config.deleteRetentionMs),
    'min.cleanable.dirty.ratio': String(config.minCleanableDirtyRatio),
    'min.compaction.lag.ms': String(config.minCompactionLagMs),
    'max.compaction.lag.ms': config.maxCompactionLagMs >= NEVER ? '9223372036854775807' : String(config.maxCompactionLagMs),
  }
}
