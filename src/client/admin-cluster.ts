/**
 * The admin client's cluster-membership operations: ElectLeaders (43) and DescribeQuorum (55).
 * AdminClient exposes them as electLeaders() and describeQuorum(); they live here to keep admin.ts small.
 */
import {ErrorCode, KafkaError, errorInfo, getApiSchema} from '../protocol/index.js'
import type {Cluster} from './cluster.js'
import type {Connection} from './connection.js'

const ELECT_LEADERS = 43
const DESCRIBE_QUORUM = 55
const METADATA_TOPIC = '__cluster_metadata'

/** Which election ElectLeaders runs. */
export type ElectionType = 'preferred' | 'unclean'

/** One partition's answer to ElectLeaders. */
export interface ElectLeadersResult {
  topic: string
  partition: number
  errorCode: number
  /** Kafka's error name: NONE (elected), ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE... */
  error: string
  errorMessage: string | null
}

/** One voter of the metadata quorum. */
export interface QuorumReplica {
  replicaId: number
  logEndOffset: bigint
  /** ms since epoch, -1 when unknown. */
  lastFetchTimestamp: bigint
  lastCaughtUpTimestamp: bigint
}

/** The metadata quorum as its leader describes it. */
export interface QuorumDescription {
  leaderId: number
  leaderEpoch: number
  highWatermark: bigint
  voters: QuorumReplica[]
  observers: QuorumReplica[]
}

/** Runs ElectLeaders on the controller; `partitions` null = every partition. Throws KafkaError on a top-level error. */
export async function electLeaders(cluster: Cluster, type: ElectionType, partitions: {topic: string; partition: number}[] | null,
  timeoutMs: number): Promise<ElectLeadersResult[]> {
  const conn = await cluster.controllerConnection()
  const version = conn.versionFor(ELECT_LEADERS)
  if (type === 'unclean' && version < 1) {
    throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, 'the broker only supports preferred elections (ElectLeaders v0)')
  }
  let topicPartitions: {topic: string; partitions: number[]}[] | null = null
  if (partitions) {
    const byTopic = new Map<string, number[]>()
    for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition])
    topicPartitions = [...byTopic].map(([topic, parts]) => ({topic, partitions: parts}))
  }
  const body = await conn.send(ELECT_LEADERS, {electionType: type === 'preferred' ? 0 : 1, topicPartitions, timeoutMs})
  if ((body.errorCode ?? 0) !== ErrorCode.NONE) {
    throw new KafkaError(body.errorCode, `ElectLeaders failed: ${errorInfo(body.errorCode).message}`)
  }
  const out: ElectLeadersResult[] = []
  for (const t of body.replicaElectionResults as any[]) {
    for (const p of t.partitionResult as any[]) {
      out.push({topic: t.topic, partition: p.partitionId, errorCode: p.errorCode, error: errorInfo(p.errorCode).name, errorMessage: p.errorMessage ?? null})
    }
  }
  return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
}

/** True when this build of samsa has the DescribeQuorum schema (the API is optional). */
export function describeQuorumAvailable(): boolean {
  return getApiSchema(DESCRIBE_QUORUM) !== undefined
}

/**
 * DescribeQuorum of `__cluster_metadata`, asked of any node and then of the controller; null when
 * samsa or the brokers lack the API (a cluster without a Raft quorum, or an older broker).
 */
export async function describeQuorum(cluster: Cluster): Promise<QuorumDescription | null> {
  if (!describeQuorumAvailable()) return null
  const candidates: Array<() => Promise<Connection>> = [() => cluster.anyConnection(), () => cluster.controllerConnection()]
  let lastError: KafkaError | undefined
  for (const connect of candidates) {
    const conn = await connect()
    if (!conn.supports(DESCRIBE_QUORUM)) return null
    const body = await conn.send(DESCRIBE_QUORUM, {topics: [{topicName: METADATA_TOPIC, partitions: [{partitionIndex: 0}]}]})
    const p = body.topics?.[0]?.partitions?.[0]
    const code = body.errorCode || p?.errorCode || (p ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    if (code === ErrorCode.NONE) {
      const replica = (r: any): QuorumReplica => ({
        replicaId: r.replicaId, logEndOffset: BigInt(r.logEndOffset ?? -1),
        lastFetchTimestamp: BigInt(r.lastFetchTimestamp ?? -1), lastCaughtUpTimestamp: BigInt(r.lastCaughtUpTimestamp ?? -1),
      })
      return {
        leaderId: p.leaderId, leaderEpoch: p.leaderEpoch, highWatermark: BigInt(p.highWatermark ?? -1),
        voters: (p.currentVoters ?? []).map(replica), observers: (p.observers ?? []).map(replica),
      }
    }
    lastError = new KafkaError(code, `DescribeQuorum failed: ${errorInfo(code).message}`)
    // Only the quorum leader answers; another node says so, and the controller is asked next.
    if (code !== ErrorCode.NOT_LEADER_OR_FOLLOWER && code !== ErrorCode.NOT_CONTROLLER) break
  }
  throw lastError!
}
