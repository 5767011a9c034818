/**
 * Metadata (3), v0-12: this broker, the cluster id, the controller (this node) and the requested
 * topics with their partitions. Unknown topics are created here when both the client
 * (allowAutoTopicCreation, v4+; always before v4) and the broker (auto.create.topics.enable) allow
 * it -- the only place auto-creation happens, as in Kafka.
 */
import {hostname} from 'node:os'
import {ErrorCode, KafkaError} from '../../protocol/index.js'
import type {BrokerContext, TopicImage} from '../context.js'
import type {Handler, RequestContext} from './types.js'

/** "Not requested" for the authorized-operations fields. */
const OPS_NOT_REQUESTED = -2147483648
/** ACL operations bits (AclOperation codes) allowed on topics: READ WRITE CREATE DELETE ALTER DESCRIBE DESCRIBE_CONFIGS ALTER_CONFIGS. */
const TOPIC_OPS = [3, 4, 5, 6, 7, 8, 10, 11].reduce((m, op) => m | (1 << op), 0)
/** Cluster ops: CREATE ALTER DESCRIBE CLUSTER_ACTION DESCRIBE_CONFIGS ALTER_CONFIGS IDEMPOTENT_WRITE CREATE_TOKENS DESCRIBE_TOKENS. */
const CLUSTER_OPS = [5, 7, 8, 9, 10, 11, 12, 13, 14].reduce((m, op) => m | (1 << op), 0)
const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

/** The host:port clients should use: advertised.listeners when set, else the bound address. */
export function advertisedEndpoint(broker: BrokerContext): {host: string; port: number} {
  const adv = broker.props['advertised.listeners']
  if (adv) {
    const m = adv.split(',')[0].trim().match(/^(?:[A-Za-z_]+:\/\/)?\[?([^\]]*)\]?:(\d+)$/)
    if (m && m[1] !== '') return {host: m[1], port: Number(m[2])}
  }
  const wildcard = broker.host === '' || broker.host === '0.0.0.0' || broker.host === '::'
  // Like Kafka, a wildcard listener advertises the machine's host name.
  return {host: wildcard ? hostname() : broker.host, port: broker.port}
}

/**
 * The live (unfenced) brokers with the endpoints they registered; this node with its advertised
 * endpoint, and alone when nothing is registered yet (a single node before its first heartbeat).
 */
export function liveBrokers(broker: BrokerContext): {nodeId: number; host: string; port: number; rack: string | null}[] {
  const self = {nodeId: broker.nodeId, ...advertisedEndpoint(broker), rack: broker.props['broker.rack'] ?? null}
  const out = broker.metadata.brokers().filter((b) => !b.fenced)
    .map((b) => b.id === broker.nodeId ? self : {nodeId: b.id, host: b.host, port: b.port, rack: b.rack})
  return out.length > 0 ? out : [self]
}

/** Replicas that cannot serve: fenced or unregistered brokers. */
function offlineOf(replicas: number[], live: Set<number>): number[] {
  return replicas.filter((r) => !live.has(r))
}

function topicEntry(topic: TopicImage, includeOps: boolean, live?: Set<number>): object {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.topicId,
    isInternal: topic.internal,
    partitions: topic.partitions.map((p) => ({
      // An offline partition (no eligible leader) tells clients to refresh and retry.
      errorCode: p.leader === -1 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
      partitionIndex: p.partition,
      leaderId: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: p.replicas,
      isrNodes: p.isr,
      offlineReplicas: live ? offlineOf(p.replicas, live) : [],
    })),
    topicAuthorizedOperations: includeOps ? TOPIC_OPS : OPS_NOT_REQUESTED,
  }
}

function errorEntry(name: string | null, errorCode: number, topicId = ZERO_UUID): object {
  return {errorCode, name, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: OPS_NOT_REQUESTED}
}

/** Looks up (or auto-creates) one requested topic. */
async function describeTopic(broker: BrokerContext, name: string, autoCreate: boolean, includeOps: boolean): Promise<object> {
  const existing = broker.metadata.topic(name)
  if (existing) return topicEntry(existing, includeOps)
  if (!autoCreate) return errorEntry(name, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  try {
    const created = await broker.metadata.createTopic(name, -1, -1, {})
    return topicEntry(created, includeOps)
  } catch (err) {
    if (err instanceof KafkaError) {
      // A concurrent request may have created it first.
      const now = broker.metadata.topic(name)
      if (now) return topicEntry(now, includeOps)
      return errorEntry(name, err.code)
    }
    throw err
  }
}

export const metadataHandler: Handler = {
  apiKey: 3,
  minVersion: 0,
  maxVersion: 12,
  async handle(broker: BrokerContext, req: any, ctx: RequestContext) {
    const version = ctx.header.apiVersion
    const includeOps = version >= 8 && req.includeTopicAuthorizedOperations === true
    const requested: {name: string | null; topicId?: string}[] | null = req.topics
    // v0: an empty list means all topics; v1+: null means all, empty means none.
    const all = requested === null || (version === 0 && requested.length === 0)
    let topics: object[]
    if (all) {
      topics = broker.metadata.topics().map((t) => topicEntry(t, includeOps))
    } else {
      const autoCreate = req.allowAutoTopicCreation !== false && broker.props['auto.create.topics.enable'] !== 'false'
      topics = []
      for (const t of requested) {
        if (t.name === null || t.name === undefined) {
          const byId = t.topicId ? broker.metadata.topicById(t.topicId) : undefined
          topics.push(byId ? topicEntry(byId, includeOps) : errorEntry(null, ErrorCode.UNKNOWN_TOPIC_ID, t.topicId))
        } else {
          topics.push(await describeTopic(broker, t.name, autoCreate, includeOps))
        }
      }
    }
    const brokers = liveBrokers(broker)
    const live = new Set(brokers.map((b) => b.nodeId))
    if (live.size > 1 || broker.metadata.brokers().length > 1) {
      for (const t of topics as any[]) for (const p of t.partitions) p.offlineReplicas = offlineOf(p.replicaNodes, live)
    }
    return {
      throttleTimeMs: 0,
      brokers,
      clusterId: broker.clusterId,
      controllerId: broker.metadata.controllerId(),
      topics,
      clusterAuthorizedOperations: version >= 8 && req.includeClusterAuthorizedOperations === true ? CLUSTER_OPS : OPS_NOT_REQUESTED,
    }
  },
}
