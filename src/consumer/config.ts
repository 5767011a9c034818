/**
 * Consumer settings: Kafka's client property names in camelCase with Kafka 4's defaults, and the
 * parser from "fetch.min.bytes=1"-style properties (CLI `-X`, property files) into a ConsumerConfig.
 */
import {propertyParser, type PropertySetter} from '../client/properties.js'

/** A partition assignment strategy by Kafka's name. */
export type AssignmentStrategyName = 'range' | 'roundrobin' | 'cooperative-sticky'

/** Settings of a Consumer; every field but bootstrap has Kafka's default. */
export interface ConsumerConfig {
  bootstrap: string | string[]
  clientId?: string
  groupId?: string
  groupInstanceId?: string
  sessionTimeoutMs?: number
  rebalanceTimeoutMs?: number
  heartbeatIntervalMs?: number
  partitionAssignmentStrategy?: AssignmentStrategyName[]
  autoOffsetReset?: 'earliest' | 'latest' | 'none'
  enableAutoCommit?: boolean
  autoCommitIntervalMs?: number
  fetchMinBytes?: number
  fetchMaxBytes?: number
  fetchMaxWaitMs?: number
  maxPartitionFetchBytes?: number
  maxPollRecords?: number
  isolationLevel?: 'read_uncommitted' | 'read_committed'
  checkCrcs?: boolean
  requestTimeoutMs?: number
  /** max.poll.interval.ms: the default of rebalanceTimeoutMs. */
  maxPollIntervalMs?: number
  /** metadata.max.age.ms: how often regex subscriptions are re-matched against the topic list. */
  metadataMaxAgeMs?: number
  /** retry.backoff.ms: pause after a retriable error before trying again. */
  retryBackoffMs?: number
}

/** A setting that cannot be used. */
export class ConsumerConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConsumerConfigError'
  }
}

/** ConsumerConfig with every default applied. */
export type ResolvedConsumerConfig = Required<Omit<ConsumerConfig, 'groupId' | 'groupInstanceId'>> &
  Pick<ConsumerConfig, 'groupId' | 'groupInstanceId'>

const STRATEGIES: AssignmentStrategyName[] = ['range', 'roundrobin', 'cooperative-sticky']

/** Applies Kafka's defaults and checks ranges; throws ConsumerConfigError naming the property. */
export function resolveConsumerConfig(c: ConsumerConfig): ResolvedConsumerConfig {
  const maxPollIntervalMs = int('max.poll.interval.ms', c.maxPollIntervalMs ?? 300_000, 1)
  const sessionTimeoutMs = int('session.timeout.ms', c.sessionTimeoutMs ?? 45_000, 1)
  const heartbeatIntervalMs = int('heartbeat.interval.ms', c.heartbeatIntervalMs ?? 3_000, 1)
  if (heartbeatIntervalMs >= sessionTimeoutMs) {
    throw new ConsumerConfigError(`heartbeat.interval.ms (${heartbeatIntervalMs}) must be below session.timeout.ms (${sessionTimeoutMs})`)
  }
  const strategies = c.partitionAssignmentStrategy ?? ['range', 'cooperative-sticky']
  if (strategies.length === 0) throw new ConsumerConfigError('partition.assignment.strategy must name at least one assignor')
  for (const s of strategies) {
    if (!STRATEGIES.includes(s)) throw new ConsumerConfigError(`invalid value "${s}" for partition.assignment.strategy: expected range, roundrobin or cooperative-sticky`)
  }
  const reset = c.autoOffsetReset ?? 'latest'
  if (!['earliest', 'latest', 'none'].includes(reset)) throw new ConsumerConfigError(`invalid value "${reset}" for auto.offset.reset: expected earliest, latest or none`)
  const isolation = c.isolationLevel ?? 'read_uncommitted'
  if (isolation !== 'read_uncommitted' && isolation !== 'read_committed') {
    throw new ConsumerConfigError(`invalid value "${isolation}" for isolation.level: expected read_uncommitted or read_committed`)
  }
  if (c.groupInstanceId !== undefined && c.groupInstanceId.length === 0) throw new ConsumerConfigError('group.instance.id must not be empty')
  return {
    bootstrap: c.bootstrap,
    clientId: c.clientId ?? 'samsa-consumer',
    groupId: c.groupId,
    groupInstanceId: c.groupInstanceId,
    sessionTimeoutMs,
    rebalanceTimeoutMs: int('rebalance.timeout.ms', c.rebalanceTimeoutMs ?? maxPollIntervalMs, 1),
    heartbeatIntervalMs,
    partitionAssignmentStrategy: strategies,
    autoOffsetReset: reset,
    enableAutoCommit: c.enableAutoCommit ?? true,
    autoCommitIntervalMs: int('auto.commit.interval.ms', c.autoCommitIntervalMs ?? 5_000, 0),
    fetchMinBytes: int('fetch.min.bytes', c.fetchMinBytes ?? 1, 0),
    fetchMaxBytes: int('fetch.max.bytes', c.fetchMaxBytes ?? 52_428_800, 1),
    fetchMaxWaitMs: int('fetch.max.wait.ms', c.fetchMaxWaitMs ?? 500, 0),
    maxPartitionFetchBytes: int('max.partition.fetch.bytes', c.maxPartitionFetchBytes ?? 1_048_576, 1),
    maxPollRecords: int('max.poll.records', c.maxPollRecords ?? 500, 1),
    isolationLevel: isolation,
    checkCrcs: c.checkCrcs ?? true,
    requestTimeoutMs: int('request.timeout.ms', c.requestTimeoutMs ?? 30_000, 1),
    maxPollIntervalMs,
    metadataMaxAgeMs: int('metadata.max.age.ms', c.metadataMaxAgeMs ?? 300_000, 0),
    retryBackoffMs: int('retry.backoff.ms', c.retryBackoffMs ?? 100, 0),
  }
}

const {int, intProp, boolProp, enumProp, parse} = propertyParser<ConsumerConfig>((m) => new ConsumerConfigError(m))

const PROPERTIES: Record<string, PropertySetter<ConsumerConfig>> = {
  'bootstrap.servers': (out, v) => (out.bootstrap = v),
  'client.id': (out, v) => (out.clientId = v),
  'group.id': (out, v) => (out.groupId = v),
  'group.instance.id': (out, v) => (out.groupInstanceId = v),
  'session.timeout.ms': intProp('sessionTimeoutMs'),
  'rebalance.timeout.ms': intProp('rebalanceTimeoutMs'),
  'max.poll.interval.ms': intProp('maxPollIntervalMs'),
  'heartbeat.interval.ms': intProp('heartbeatIntervalMs'),
  'partition.assignment.strategy': (out, v) => {
    // Java users write class names (org.apache...RangeAssignor); librdkafka users write short names.
    out.partitionAssignmentStrategy = v.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(strategyName)
  },
  // librdkafka's spellings too.
  'auto.offset.reset': enumProp('autoOffsetReset', ['earliest', 'latest', 'none'],
    {smallest: 'earliest', beginning: 'earliest', largest: 'latest', end: 'latest'}),
  'enable.auto.commit': boolProp('enableAutoCommit'),
  'auto.commit.interval.ms': intProp('autoCommitIntervalMs'),
  'fetch.min.bytes': intProp('fetchMinBytes'),
  'fetch.max.bytes': intProp('fetchMaxBytes'),
  'fetch.max.wait.ms': intProp('fetchMaxWaitMs'),
  'max.partition.fetch.bytes': intProp('maxPartitionFetchBytes'),
  'max.poll.records': intProp('maxPollRecords'),
  'isolation.level': enumProp('isolationLevel', ['read_uncommitted', 'read_committed']),
  'check.crcs': boolProp('checkCrcs'),
  'request.timeout.ms': intProp('requestTimeoutMs'),
  'metadata.max.age.ms': intProp('metadataMaxAgeMs'),
  'retry.backoff.ms': intProp('retryBackoffMs'),
}

function strategyName(s: string): AssignmentStrategyName {
  const short = s.slice(s.lastIndexOf('.') + 1).toLowerCase()
  if (short === 'range' || short === 'rangeassignor') return 'range'
  if (short === 'roundrobin' || short === 'roundrobinassignor') return 'roundrobin'
  if (short === 'cooperative-sticky' || short === 'cooperativestickyassignor') return 'cooperative-sticky'
  throw new ConsumerConfigError(`invalid value "${s}" for partition.assignment.strategy: expected range, roundrobin or cooperative-sticky`)
}

/**
 * Parses Kafka client property names into a ConsumerConfig on top of `base`; unknown names are
 * ignored (Kafka only warns); bad values throw ConsumerConfigError naming the property.
 */
export function consumerConfigFromProperties(props: Record<string, string>, base: Partial<ConsumerConfig> = {}): ConsumerConfig {
  const config = parse(props, PROPERTIES, base)
  resolveConsumerConfig(config)
  return config
}
