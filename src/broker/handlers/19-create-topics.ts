/**
 * CreateTopics (19) v0-7: validates each topic (partitions, replication factor or explicit
 * assignments, configs) and asks the metadata manager to create it. Errors are per topic; v5+
 * answers with the resulting partition count, replication factor and configs, v7 with the topic id.
 */
import {ErrorCode, KafkaError} from '../../protocol/index.js'
import type {BrokerContext} from '../context.js'
import type {Handler, RequestContext} from './types.js'
import {TOPIC_CONFIGS, resolveTopicConfig, validateTopicConfig} from '../config-defs.js'

const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

interface TopicResult {
  name: string; topicId: string; errorCode: number; errorMessage: string | null
  numPartitions: number; replicationFactor: number; configs: object[] | null
}

/** Turns an error from the metadata manager into a response error (unexpected ones are logged). */
function errorOf(broker: BrokerContext, err: unknown, what: string): {errorCode: number; errorMessage: string} {
  if (err instanceof KafkaError) return {errorCode: err.code, errorMessage: err.message}
  broker.logger('error', `${what}: ${(err as Error)?.stack ?? String(err)}`)
  return {errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: (err as Error)?.message ?? String(err)}
}

/** Explicit assignments ordered by partition: partitions 0..n-1 exactly, same replica count, no duplicate brokers. */
function assignmentsOf(list: {partitionIndex: number; brokerIds: number[]}[]): number[][] {
  const sorted = [...list].sort((a, b) => a.partitionIndex - b.partitionIndex)
  sorted.forEach((a, i) => {
    if (a.partitionIndex !== i) throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Partitions should be a consecutive 0-based integer sequence')
    if (a.brokerIds.length === 0) throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Empty replica assignment for partition ${i}.`)
    if (new Set(a.brokerIds).size !== a.brokerIds.length) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Duplicate brokers not allowed in replica assignment: ${a.brokerIds.join(', ')} for partition id ${i}.`)
    }
    if (a.brokerIds.length !== sorted[0].brokerIds.length) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'All partitions should have the same number of replicas')
    }
  })
  return sorted.map((a) => a.brokerIds)
}

/** Resolves a broker default (num.partitions, default.replication.factor): dynamic override, then static. */
function brokerDefault(broker: BrokerContext, name: string, fallback: number): number {
  const v = broker.metadata.brokerConfigOverrides()[name] ?? broker.props[name]
  const n = v === undefined ? NaN : Number(v)
  return Number.isInteger(n) && n > 0 ? n : fallback
}

/** Checks one topic's request and creates it (or only validates); never throws. */
async function createOne(broker: BrokerContext, t: any, validateOnly: boolean, duplicate: boolean): Promise<TopicResult> {
  const name: string = t.name
  const result: TopicResult = {name, topicId: ZERO_UUID, errorCode: 0, errorMessage: null, numPartitions: -1, replicationFactor: -1, configs: []}
  try {
    if (duplicate) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Create topics request contains multiple entries for the topic ${name}.`)
    let numPartitions: number = t.numPartitions
    let replicationFactor: number = t.replicationFactor
    let assignments: number[][] | undefined
    if (t.assignments.length > 0) {
      if (numPartitions !== -1 || replicationFactor !== -1) {
        throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.')
      }
      assignments = assignmentsOf(t.assignments)
      numPartitions = assignments.length
      replicationFactor = assignments[0].length
    } else {
      // -1 means "the broker's default" (v4+; older clients never send it, so accept it everywhere).
      if (numPartitions === -1) numPartitions = brokerDefault(broker, 'num.partitions', 1)
      else if (numPartitions <= 0) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.')
      if (replicationFactor === -1) replicationFactor = brokerDefault(broker, 'default.replication.factor', 1)
      else if (replicationFactor <= 0) throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.')
    }
    const configs: Record<string, string> = {}
    for (const c of t.configs as {name: string; value: string | null}[]) {
      const problem = validateTopicConfig(c.name, c.value)
      if (problem) throw new KafkaError(ErrorCode.INVALID_CONFIG, problem)
      configs[c.name] = c.value!
    }
    // With explicit assignments the metadata manager expects -1/-1, as on the wire.
    const image = assignments
      ? await broker.metadata.createTopic(name, -1, -1, configs, {validateOnly, assignments})
      : await broker.metadata.createTopic(name, numPartitions, replicationFactor, configs, {validateOnly})
    result.topicId = image.topicId
    result.numPartitions = image.partitions.length
    result.replicationFactor = image.partitions[0]?.replicas.length ?? replicationFactor
    const dynamic = broker.metadata.brokerConfigOverrides()
    result.configs = TOPIC_CONFIGS.map((d) => {
      const r = resolveTopicConfig(d.name, configs, broker.props, dynamic)
      return {name: d.name, value: d.sensitive ? null : r.value, readOnly: false, configSource: r.source, isSensitive: !!d.sensitive}
    })
  } catch (err) {
    Object.assign(result, errorOf(broker, err, `CreateTopics ${name}`))
  }
  return result
}

/** CreateTopics handler. */
export const createTopicsHandler: Handler = {
  apiKey: 19,
  minVersion: 0,
  maxVersion: 7,
  async handle(broker: BrokerContext, request: any, _ctx: RequestContext) {
    const seen = new Map<string, number>()
    for (const t of request.topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1)
    const topics: TopicResult[] = []
    // One at a time: the metadata manager is a single serial path anyway.
    const reported = new Set<string>()
    for (const t of request.topics) {
      // A name listed twice gets one INVALID_REQUEST entry, like Kafka's name-keyed response.
      if (reported.has(t.name)) continue
      reported.add(t.name)
      topics.push(await createOne(broker, t, !!request.validateOnly, seen.get(t.name)! > 1))
    }
    return {throttleTimeMs: 0, topics}
  },
}
