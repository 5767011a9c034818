/**
 * Kafka's topic and broker configuration keys as samsa knows them: type, default, broker synonym
 * (the broker-wide default a topic falls back to), a one-line doc, and validation with Kafka-style
 * messages. The metadata manager validates and resolves topic configs here; DescribeConfigs,
 * CreateTopics and the AlterConfigs handlers describe them from here.
 */

/** Kafka's ConfigDef types (DescribeConfigs v3+ reports them as configType numbers). */
export type ConfigType = 'string' | 'int' | 'long' | 'double' | 'boolean' | 'list' | 'class' | 'password'

/** One configuration key. */
export interface ConfigDef {
  name: string
  type: ConfigType
  default: string | null
  scope: 'topic' | 'broker' | 'both'
  /** The broker config a topic config defaults to (segment.bytes <- log.segment.bytes). */
  brokerSynonym?: string
  /** For brokers: cannot be changed while running (DescribeConfigs reports readOnly). */
  readOnly?: boolean
  sensitive?: boolean
  doc: string
  /** Returns a readable error for a bad value, or undefined when the value is valid. */
  validate?(v: string): string | undefined
}

/** Constraints a config def may declare; `spec` turns them into a validate function. */
interface Constraints {
  min?: number | bigint; max?: number; oneOf?: string[]; listOf?: string[]
  /** A further check once the type is right. */
  check?: (v: string) => string | undefined
}

const INT_MIN = -2147483648n
const INT_MAX = 2147483647n
const LONG_MIN = -9223372036854775808n
const LONG_MAX = 9223372036854775807n
const LONG_MAX_S = LONG_MAX.toString()

/** Splits a Kafka list value ("a, b,c") into trimmed, non-empty items. */
export function splitList(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter((s) => s.length > 0)
}

/** Builds the validator of a typed key with optional constraints (messages as Kafka's ConfigException). */
function makeValidator(name: string, type: ConfigType, c: Constraints): (v: string) => string | undefined {
  const bad = (v: string, why: string) => `Invalid value ${v} for configuration ${name}: ${why}`
  const typed = typeValidator(type, c, bad)
  return c.check ? (raw) => typed(raw) ?? c.check!(raw.trim()) : typed
}

/** The type and range part of a validator. */
function typeValidator(type: ConfigType, c: Constraints, bad: (v: string, why: string) => string): (v: string) => string | undefined {
  return (raw: string) => {
    const v = raw.trim()
    switch (type) {
      case 'int':
      case 'long': {
        if (!/^[-+]?\d+$/.test(v)) return bad(raw, `Not a number of type ${type.toUpperCase()}`)
        const n = BigInt(v)
        if (type === 'int' ? n < INT_MIN || n > INT_MAX : n < LONG_MIN || n > LONG_MAX) {
          return bad(raw, `Not a number of type ${type.toUpperCase()}`)
        }
        if (c.min !== undefined && n < BigInt(c.min)) return bad(raw, `Value must be at least ${c.min}`)
        if (c.max !== undefined && n > BigInt(c.max)) return bad(raw, `Value must be no more than ${c.max}`)
        return undefined
      }
      case 'double': {
        const n = Number(v)
        if (v === '' || !Number.isFinite(n)) return bad(raw, 'Not a number of type DOUBLE')
        if (c.min !== undefined && n < Number(c.min)) return bad(raw, `Value must be at least ${c.min}`)
        if (c.max !== undefined && n > c.max) return bad(raw, `Value must be no more than ${c.max}`)
        return undefined
      }
      case 'boolean':
        if (!/^(true|false)$/i.test(v)) return bad(raw, 'Expected value to be either true or false')
        return undefined
      case 'list':
        if (c.listOf) {
          for (const item of splitList(v)) {
            if (!c.listOf.includes(item)) return bad(raw, `String must be one of: ${c.listOf.join(', ')}`)
          }
        }
        return undefined
      default:
        if (c.oneOf && !c.oneOf.includes(v)) return bad(raw, `String must be one of: ${c.oneOf.join(', ')}`)
        return undefined
    }
  }
}

/** Declares one key; every key gets at least type validation. */
function spec(
  name: string, type: ConfigType, dflt: string | null, scope: ConfigDef['scope'], doc: string,
  extra: Constraints & {brokerSynonym?: string; readOnly?: boolean; sensitive?: boolean} = {},
): ConfigDef {
  const {brokerSynonym, readOnly, sensitive, ...c} = extra
  const d: ConfigDef = {name, type, default: dflt, scope, doc, validate: makeValidator(name, type, c)}
  if (brokerSynonym !== undefined) d.brokerSynonym = brokerSynonym
  if (readOnly) d.readOnly = true
  if (sensitive) d.sensitive = true
  return d
}

const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer']
const TIMESTAMP_TYPES = ['CreateTime', 'LogAppendTime']
const CLEANUP_POLICIES = ['compact', 'delete']
const WEEK_MS = '604800000'

/** samsa has no remote log storage, so (as Kafka without it) a topic cannot turn tiered storage on. */
function noTieredStorage(v: string): string | undefined {
  if (v.toLowerCase() !== 'true') return undefined
  return 'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.'
}

/** Topic-level configs with Kafka's defaults and their broker-level synonyms. */
export const TOPIC_CONFIGS: ConfigDef[] = [
  spec('cleanup.policy', 'list', 'delete', 'topic', 'What happens to old segments: delete them, compact them by key, or both.', {brokerSynonym: 'log.cleanup.policy', listOf: CLEANUP_POLICIES}),
  spec('compression.type', 'string', 'producer', 'both', 'Final compression of stored batches; producer keeps the producer\'s codec.', {brokerSynonym: 'compression.type', oneOf: COMPRESSION_TYPES}),
  spec('delete.retention.ms', 'long', '86400000', 'topic', 'How long delete tombstones are kept in compacted topics.', {brokerSynonym: 'log.cleaner.delete.retention.ms', min: 0}),
  spec('file.delete.delay.ms', 'long', '60000', 'topic', 'Delay before a deleted segment file is removed from disk.', {brokerSynonym: 'log.segment.delete.delay.ms', min: 0}),
  spec('flush.messages', 'long', LONG_MAX_S, 'topic', 'Number of appended messages after which the log is fsynced.', {brokerSynonym: 'log.flush.interval.messages', min: 1}),
  spec('flush.ms', 'long', LONG_MAX_S, 'topic', 'Time after which appended messages are fsynced.', {brokerSynonym: 'log.flush.interval.ms', min: 0}),
  spec('follower.replication.throttled.replicas', 'list', '', 'topic', 'Replicas whose follower-side replication is throttled.', {brokerSynonym: 'follower.replication.throttled.replicas'}),
  spec('index.interval.bytes', 'int', '4096', 'topic', 'Bytes appended between two offset index entries.', {brokerSynonym: 'log.index.interval.bytes', min: 0}),
  spec('leader.replication.throttled.replicas', 'list', '', 'topic', 'Replicas whose leader-side replication is throttled.', {brokerSynonym: 'leader.replication.throttled.replicas'}),
  spec('local.retention.bytes', 'long', '-2', 'topic', 'Local bytes kept with tiered storage (-2 = retention.bytes).', {brokerSynonym: 'log.local.retention.bytes', min: -2}),
  spec('local.retention.ms', 'long', '-2', 'topic', 'Local time kept with tiered storage (-2 = retention.ms).', {brokerSynonym: 'log.local.retention.ms', min: -2}),
  spec('max.compaction.lag.ms', 'long', LONG_MAX_S, 'topic', 'Longest time a message stays ineligible for compaction.', {brokerSynonym: 'log.cleaner.max.compaction.lag.ms', min: 1}),
  spec('max.message.bytes', 'int', '1048588', 'topic', 'Largest record batch size accepted.', {brokerSynonym: 'message.max.bytes', min: 0}),
  spec('message.downconversion.enable', 'boolean', 'true', 'topic', 'Whether old fetch versions may get down-converted batches.', {brokerSynonym: 'log.message.downconversion.enable'}),
  spec('message.timestamp.after.max.ms', 'long', LONG_MAX_S, 'topic', 'How far in the future a CreateTime timestamp may be.', {brokerSynonym: 'log.message.timestamp.after.max.ms', min: 0}),
  spec('message.timestamp.before.max.ms', 'long', LONG_MAX_S, 'topic', 'How far in the past a CreateTime timestamp may be.', {brokerSynonym: 'log.message.timestamp.before.max.ms', min: 0}),
  spec('message.timestamp.difference.max.ms', 'long', LONG_MAX_S, 'topic', 'Largest allowed difference between a CreateTime timestamp and the broker clock.', {brokerSynonym: 'log.message.timestamp.difference.max.ms', min: 0}),
  spec('message.timestamp.type', 'string', 'CreateTime', 'topic', 'Whether record timestamps are the producer\'s (CreateTime) or the broker\'s (LogAppendTime).', {brokerSynonym: 'log.message.timestamp.type', oneOf: TIMESTAMP_TYPES}),
  spec('min.cleanable.dirty.ratio', 'double', '0.5', 'topic', 'Dirty fraction of the log that triggers compaction.', {brokerSynonym: 'log.cleaner.min.cleanable.ratio', min: 0, max: 1}),
  spec('min.compaction.lag.ms', 'long', '0', 'topic', 'Shortest time a message stays uncompacted.', {brokerSynonym: 'log.cleaner.min.compaction.lag.ms', min: 0}),
  spec('min.insync.replicas', 'int', '1', 'both', 'Fewest in-sync replicas for an acks=all write to succeed.', {brokerSynonym: 'min.insync.replicas', min: 1}),
  spec('preallocate', 'boolean', 'false', 'topic', 'Preallocate segment files on creation.', {brokerSynonym: 'log.preallocate'}),
  spec('remote.storage.enable', 'boolean', 'false', 'topic', 'Tiered storage for this topic (not supported by samsa).', {check: noTieredStorage}),
  spec('retention.bytes', 'long', '-1', 'topic', 'Largest size of a partition before old segments are deleted (-1 = no limit).', {brokerSynonym: 'log.retention.bytes'}),
  spec('retention.ms', 'long', WEEK_MS, 'topic', 'Longest time a segment is kept before deletion (-1 = forever).', {brokerSynonym: 'log.retention.ms', min: -1}),
  spec('segment.bytes', 'int', '1073741824', 'topic', 'Segment file size at which the log rolls.', {brokerSynonym: 'log.segment.bytes', min: 14}),
  spec('segment.index.bytes', 'int', '10485760', 'topic', 'Size of the offset index file of a segment.', {brokerSynonym: 'log.index.size.max.bytes', min: 8}),
  spec('segment.jitter.ms', 'long', '0', 'topic', 'Random jitter subtracted from segment.ms to avoid thundering rolls.', {brokerSynonym: 'log.roll.jitter.ms', min: 0}),
  spec('segment.ms', 'long', WEEK_MS, 'topic', 'Time after which the log rolls even if the segment is not full.', {brokerSynonym: 'log.roll.ms', min: 1}),
  spec('unclean.leader.election.enable', 'boolean', 'false', 'both', 'Allow out-of-sync replicas to become leader (may lose data).', {brokerSynonym: 'unclean.leader.election.enable'}),
]

/** Broker configs samsa honours, including the log.* defaults of topic configs. */
export const BROKER_CONFIGS: ConfigDef[] = [
  spec('node.id', 'int', '-1', 'broker', 'Id of this node.', {readOnly: true}),
  spec('broker.id', 'int', '-1', 'broker', 'Id of this broker (same as node.id).', {readOnly: true}),
  spec('broker.rack', 'string', null, 'broker', 'Rack of this broker.', {readOnly: true}),
  spec('log.dirs', 'list', null, 'broker', 'Directory holding the partition logs.', {readOnly: true}),
  spec('log.dir', 'string', '/tmp/kafka-logs', 'broker', 'Log directory when log.dirs is not set.', {readOnly: true}),
  spec('listeners', 'list', 'PLAINTEXT://:9092', 'broker', 'Addresses the broker listens on.', {readOnly: true}),
  spec('advertised.listeners', 'list', null, 'broker', 'Addresses given to clients in metadata.', {readOnly: true}),
  spec('num.partitions', 'int', '1', 'broker', 'Default partition count of new topics.', {min: 1}),
  spec('default.replication.factor', 'int', '1', 'broker', 'Default replication factor of new topics.', {min: 1}),
  spec('auto.create.topics.enable', 'boolean', 'true', 'broker', 'Create unknown topics on metadata requests.', {readOnly: true}),
  spec('delete.topic.enable', 'boolean', 'true', 'broker', 'Allow topics to be deleted.', {readOnly: true}),
  spec('socket.request.max.bytes', 'int', '104857600', 'broker', 'Largest request frame accepted.', {readOnly: true, min: 1}),
  spec('connections.max.idle.ms', 'long', '600000', 'broker', 'Idle connections are closed after this time.', {readOnly: true}),
  spec('log.retention.check.interval.ms', 'long', '300000', 'broker', 'How often retention is checked.', {readOnly: true, min: 1}),
  spec('log.flush.scheduler.interval.ms', 'long', LONG_MAX_S, 'broker', 'How often the flusher checks flush.ms.', {readOnly: true}),
  spec('log.flush.offset.checkpoint.interval.ms', 'int', '60000', 'broker', 'How often the recovery point is checkpointed.', {readOnly: true, min: 0}),
  spec('producer.id.expiration.ms', 'int', '86400000', 'broker', 'How long an idempotent producer\'s state is kept after its last write.', {readOnly: true, min: 1}),
  spec('producer.id.expiration.check.interval.ms', 'int', '600000', 'broker', 'How often expired producer state is removed.', {readOnly: true, min: 1}),
  spec('log.flush.start.offset.checkpoint.interval.ms', 'int', '60000', 'broker', 'How often log start offsets are checkpointed.', {readOnly: true, min: 0}),
  spec('replica.lag.time.max.ms', 'long', '30000', 'broker', 'A follower leaves the ISR after lagging this long.', {readOnly: true}),
  spec('process.roles', 'list', 'broker,controller', 'broker', 'Every samsa node is a broker and a controller voter.', {readOnly: true}),
  spec('controller.quorum.voters', 'list', '', 'broker', 'The controller voters as id@host:port (empty: this node alone).', {readOnly: true}),
  spec('controller.quorum.election.timeout.ms', 'int', '1000', 'broker', 'How long a candidate waits for votes before a new election.', {readOnly: true, min: 1}),
  spec('controller.quorum.fetch.timeout.ms', 'int', '2000', 'broker', 'A voter that hears nothing from the leader this long starts an election.', {readOnly: true, min: 1}),
  spec('broker.heartbeat.interval.ms', 'int', '2000', 'broker', 'How often a broker heartbeats to the active controller.', {readOnly: true, min: 1}),
  spec('broker.session.timeout.ms', 'int', '9000', 'broker', 'A broker without a heartbeat this long is fenced and loses its leaderships.', {readOnly: true, min: 1}),
  spec('replica.fetch.wait.max.ms', 'int', '500', 'broker', 'Longest wait of a follower fetch with no new data.', {readOnly: true, min: 0}),
  spec('replica.fetch.max.bytes', 'int', '1048576', 'broker', 'Bytes a follower asks for per partition.', {readOnly: true, min: 0}),
  spec('replica.socket.timeout.ms', 'int', '30000', 'broker', 'How long a follower waits for a fetch answer.', {readOnly: true, min: 1}),
  spec('auto.leader.rebalance.enable', 'boolean', 'true', 'broker', 'Move leadership back to preferred replicas on a timer.', {readOnly: true}),
  spec('leader.imbalance.check.interval.seconds', 'long', '300', 'broker', 'How often preferred leaders are restored.', {readOnly: true, min: 1}),
  spec('offsets.topic.num.partitions', 'int', '50', 'broker', 'Partitions of __consumer_offsets.', {readOnly: true, min: 1}),
  spec('offsets.topic.replication.factor', 'int', '3', 'broker', 'Replication factor of __consumer_offsets.', {readOnly: true, min: 1}),
  spec('offsets.retention.minutes', 'int', '10080', 'broker', 'Committed offsets of empty groups are kept this long.', {readOnly: true, min: 1}),
  spec('group.initial.rebalance.delay.ms', 'int', '3000', 'broker', 'Wait for more members before the first rebalance.', {readOnly: true}),
  spec('group.min.session.timeout.ms', 'int', '6000', 'broker', 'Smallest session timeout a member may ask for.', {readOnly: true}),
  spec('group.max.session.timeout.ms', 'int', '1800000', 'broker', 'Largest session timeout a member may ask for.', {readOnly: true}),
  // Broker-wide defaults of topic configs; all dynamically alterable, as in Kafka.
  spec('log.cleanup.policy', 'list', 'delete', 'broker', 'Default cleanup.policy.', {listOf: CLEANUP_POLICIES}),
  spec('compression.type', 'string', 'producer', 'both', 'Default compression.type.', {oneOf: COMPRESSION_TYPES}),
  spec('log.cleaner.delete.retention.ms', 'long', '86400000', 'broker', 'Default delete.retention.ms.', {min: 0}),
  spec('log.segment.delete.delay.ms', 'long', '60000', 'broker', 'Default file.delete.delay.ms.', {min: 0}),
  spec('log.flush.interval.messages', 'long', LONG_MAX_S, 'broker', 'Default flush.messages.', {min: 1}),
  spec('log.flush.interval.ms', 'long', null, 'broker', 'Default flush.ms (unset: log.flush.scheduler.interval.ms).'),
  spec('follower.replication.throttled.replicas', 'list', '', 'broker', 'Default follower.replication.throttled.replicas.'),
  spec('leader.replication.throttled.replicas', 'list', '', 'broker', 'Default leader.replication.throttled.replicas.'),
  spec('log.index.interval.bytes', 'int', '4096', 'broker', 'Default index.interval.bytes.', {min: 0}),
  spec('log.local.retention.bytes', 'long', '-2', 'broker', 'Default local.retention.bytes.', {min: -2}),
  spec('log.local.retention.ms', 'long', '-2', 'broker', 'Default local.retention.ms.', {min: -2}),
  spec('log.cleaner.enable', 'boolean', 'true', 'broker', 'Whether the log cleaner compacts topics whose cleanup.policy includes compact.', {readOnly: true}),
  spec('log.cleaner.backoff.ms', 'long', '15000', 'broker', 'Pause between log cleaner passes.', {readOnly: true, min: 0}),
  spec('log.cleaner.dedupe.buffer.size', 'long', '134217728', 'broker', 'Memory for the cleaner\'s key-to-offset map.', {readOnly: true, min: 1}),
  spec('log.cleaner.max.compaction.lag.ms', 'long', LONG_MAX_S, 'broker', 'Default max.compaction.lag.ms.', {min: 1}),
  spec('message.max.bytes', 'int', '1048588', 'broker', 'Default max.message.bytes.', {min: 0}),
  spec('log.message.downconversion.enable', 'boolean', 'true', 'broker', 'Default message.downconversion.enable.'),
  spec('log.message.timestamp.after.max.ms', 'long', LONG_MAX_S, 'broker', 'Default message.timestamp.after.max.ms.', {min: 0}),
  spec('log.message.timestamp.before.max.ms', 'long', LONG_MAX_S, 'broker', 'Default message.timestamp.before.max.ms.', {min: 0}),
  spec('log.message.timestamp.difference.max.ms', 'long', LONG_MAX_S, 'broker', 'Default message.timestamp.difference.max.ms.', {min: 0}),
  spec('log.message.timestamp.type', 'string', 'CreateTime', 'broker', 'Default message.timestamp.type.', {oneOf: TIMESTAMP_TYPES}),
  spec('log.cleaner.min.cleanable.ratio', 'double', '0.5', 'broker', 'Default min.cleanable.dirty.ratio.', {min: 0, max: 1}),
  spec('log.cleaner.min.compaction.lag.ms', 'long', '0', 'broker', 'Default min.compaction.lag.ms.', {min: 0}),
  spec('min.insync.replicas', 'int', '1', 'both', 'Default min.insync.replicas.', {min: 1}),
  spec('log.preallocate', 'boolean', 'false', 'broker', 'Default preallocate.'),
  spec('log.retention.bytes', 'long', '-1', 'broker', 'Default retention.bytes.'),
  spec('log.retention.ms', 'long', null, 'broker', 'Default retention.ms (wins over minutes and hours).', {min: -1}),
  spec('log.retention.minutes', 'int', null, 'broker', 'Default retention in minutes (wins over hours).', {min: -1}),
  spec('log.retention.hours', 'int', '168', 'broker', 'Default retention in hours.', {min: -1}),
  spec('log.segment.bytes', 'int', '1073741824', 'broker', 'Default segment.bytes.', {min: 14}),
  spec('log.index.size.max.bytes', 'int', '10485760', 'broker', 'Default segment.index.bytes.', {min: 8}),
  spec('log.roll.jitter.ms', 'long', null, 'broker', 'Default segment.jitter.ms (wins over hours).', {min: 0}),
  spec('log.roll.jitter.hours', 'int', '0', 'broker', 'Default segment jitter in hours.', {min: 0}),
  spec('log.roll.ms', 'long', null, 'broker', 'Default segment.ms (wins over hours).', {min: 1}),
  spec('log.roll.hours', 'int', '168', 'broker', 'Default segment roll time in hours.', {min: 1}),
  spec('unclean.leader.election.enable', 'boolean', 'false', 'both', 'Default unclean.leader.election.enable.'),
]

const TOPIC_BY_NAME = new Map(TOPIC_CONFIGS.map((d) => [d.name, d]))
const BROKER_BY_NAME = new Map(BROKER_CONFIGS.map((d) => [d.name, d]))

/** The topic config def of `name`, if Kafka has such a topic config. */
export function topicConfigDef(name: string): ConfigDef | undefined {
  return TOPIC_BY_NAME.get(name)
}

/** The broker config def of `name`, if samsa knows it. */
export function brokerConfigDef(name: string): ConfigDef | undefined {
  return BROKER_BY_NAME.get(name)
}

/** A broker property a topic config falls back to, with the factor that converts its unit to the topic's. */
export interface BrokerSynonym { name: string; factor: number }

const HOUR_MS = 3_600_000
// Broker configs whose value is in another unit, or that back up another broker config when unset.
const EXTRA_SYNONYMS: Record<string, BrokerSynonym[]> = {
  'retention.ms': [{name: 'log.retention.minutes', factor: 60_000}, {name: 'log.retention.hours', factor: HOUR_MS}],
  'segment.ms': [{name: 'log.roll.hours', factor: HOUR_MS}],
  'segment.jitter.ms': [{name: 'log.roll.jitter.hours', factor: HOUR_MS}],
  'flush.ms': [{name: 'log.flush.scheduler.interval.ms', factor: 1}],
}

/** Broker properties a topic config defaults to, highest precedence first (retention.ms <- log.retention.ms, .minutes, .hours). */
export function brokerSynonymsOf(topicConfig: string): BrokerSynonym[] {
  const d = TOPIC_BY_NAME.get(topicConfig)
  if (!d?.brokerSynonym) return []
  return [{name: d.brokerSynonym, factor: 1}, ...(EXTRA_SYNONYMS[topicConfig] ?? [])]
}

/** Converts a broker synonym's value to the topic config's unit (hours -> ms; -1 stays -1). */
export function convertSynonymValue(value: string, factor: number): string {
  if (factor === 1) return value
  const n = BigInt(value.trim())
  return n < 0n ? n.toString() : (n * BigInt(factor)).toString()
}

/** Checks one topic config; returns a readable error (unknown name or bad value) or undefined. */
export function validateTopicConfig(name: string, value: string | null): string | undefined {
  const d = TOPIC_BY_NAME.get(name)
  if (!d) return `Unknown topic config name: ${name}`
  if (value === null) return `Null value not supported for topic config: ${name}`
  return d.validate?.(value)
}

/** Checks one broker config set at runtime; returns a readable error or undefined. */
export function validateBrokerConfig(name: string, value: string | null): string | undefined {
  const d = BROKER_BY_NAME.get(name)
  if (!d) return `Unknown broker config name: ${name}`
  if (d.readOnly) return `Cannot update these configs dynamically: ${name}`
  if (value === null) return undefined
  return d.validate?.(value)
}

/** The value a broker property resolves to through its synonym chain, or undefined when none is set. */
function fromBroker(topicConfig: string, brokerProps: Record<string, string>): string | undefined {
  for (const s of brokerSynonymsOf(topicConfig)) {
    const v = brokerProps[s.name]
    if (v !== undefined && v !== null && v !== '' ) {
      try {
        return convertSynonymValue(v, s.factor)
      } catch {
        // An unparsable broker property must not break topic creation; skip to the next synonym.
      }
    }
  }
  return undefined
}

/**
 * Every topic config's effective value: the topic's override, else the broker property (through
 * its synonyms, in precedence order), else Kafka's default. Unknown override keys are kept as given.
 */
export function effectiveTopicConfig(topicOverrides: Record<string, string>, brokerProps: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const d of TOPIC_CONFIGS) {
    const v = topicOverrides[d.name] ?? fromBroker(d.name, brokerProps) ?? d.default
    if (v !== null) out[d.name] = v
  }
  for (const [k, v] of Object.entries(topicOverrides)) if (!(k in out)) out[k] = v
  return out
}

/** DescribeConfigs v3+ configType numbers (Kafka's ConfigEntry.ConfigType). */
export const CONFIG_TYPE_CODE: Record<ConfigType, number> = {
  boolean: 1, string: 2, int: 3, long: 5, double: 6, list: 7, class: 8, password: 9,
}

/** DescribeConfigs configSource numbers. */
export enum ConfigSource {
  UNKNOWN = 0,
  DYNAMIC_TOPIC_CONFIG = 1,
  DYNAMIC_BROKER_CONFIG = 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG = 3,
  STATIC_BROKER_CONFIG = 4,
  DEFAULT_CONFIG = 5,
  DYNAMIC_BROKER_LOGGER_CONFIG = 6,
}

/** One source a config's value may come from (DescribeConfigs synonyms). */
export interface ConfigSynonym { name: string; value: string | null; source: ConfigSource }

/** A config's resolved value, where it came from, and every source that has a value (highest first). */
export interface ResolvedConfig { name: string; value: string | null; source: ConfigSource; synonyms: ConfigSynonym[] }

/**
 * Sources of one broker property, highest precedence first: dynamic (AlterConfigs), static (the
 * broker's own config, told apart from defaults by differing from the default), Kafka's default.
 */
export function brokerPropSources(name: string, staticProps: Record<string, string>, dynamicProps: Record<string, string>, dynamicSource = ConfigSource.DYNAMIC_BROKER_CONFIG): ConfigSynonym[] {
  const out: ConfigSynonym[] = []
  const dflt = BROKER_BY_NAME.get(name)?.default ?? null
  if (dynamicProps[name] !== undefined) out.push({name, value: dynamicProps[name], source: dynamicSource})
  const s = staticProps[name]
  if (s !== undefined && s !== dflt) out.push({name, value: s, source: ConfigSource.STATIC_BROKER_CONFIG})
  if (dflt !== null) out.push({name, value: dflt, source: ConfigSource.DEFAULT_CONFIG})
  return out
}

/** Resolves a topic config as DescribeConfigs and CreateTopics v5+ report it. */
export function resolveTopicConfig(name: string, overrides: Record<string, string>, staticProps: Record<string, string>, dynamicProps: Record<string, string>): ResolvedConfig {
  const synonyms: ConfigSynonym[] = []
  if (overrides[name] !== undefined) synonyms.push({name, value: overrides[name], source: ConfigSource.DYNAMIC_TOPIC_CONFIG})
  let value: string | null | undefined = synonyms[0]?.value
  let source = synonyms[0]?.source
  for (const s of brokerSynonymsOf(name)) {
    for (const syn of brokerPropSources(s.name, staticProps, dynamicProps)) {
      synonyms.push(syn)
      if (value === undefined && syn.value !== null) {
        try {
          value = convertSynonymValue(syn.value, s.factor)
          source = syn.source
        } catch {
          // Unparsable broker value: fall through to the next source.
        }
      }
    }
  }
  if (value === undefined) {
    value = TOPIC_BY_NAME.get(name)?.default ?? null
    source = ConfigSource.DEFAULT_CONFIG
  }
  return {name, value, source: source!, synonyms}
}
