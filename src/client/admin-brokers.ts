/**
 * The admin client's broker-level reads: DescribeCluster (60, with a Metadata fallback) and
 * DescribeLogDirs (35, fanned out to every broker). Separate from admin-cluster.ts, which holds
 * the controller/quorum operations (ElectLeaders, DescribeQuorum), and from the topic operations.
 */
import {ErrorCode, KafkaError, errorInfo} from '../protocol/index.js'
import {topicError} from './errors.js'
import type {AdminDriver} from './admin-driver.js'

const DESCRIBE_LOG_DIRS = 35
const DESCRIBE_CLUSTER = 60

/** A broker as seen by describeCluster. */
export interface ClusterBroker { nodeId: number; host: string; port: number; rack: string | null; isController: boolean }

/** The cluster's identity and membership. */
export interface ClusterDescription {
  clusterId: string | null
  controllerId: number
  brokers: ClusterBroker[]
  /** Which API answered: DescribeCluster, or Metadata on brokers that lack it. */
  source: 'DescribeCluster' | 'Metadata'
}

/** One partition replica inside a log dir. */
export interface LogDirPartition { topic: string; partition: number; size: bigint; offsetLag: bigint; isFuture: boolean }

/** One log dir of one broker. */
export interface LogDirDescription {
  broker: number
  logDir: string
  error: string | null
  totalBytes: bigint | null
  usableBytes: bigint | null
  partitions: LogDirPartition[]
}

/** DescribeCluster from any broker, or Metadata where the broker lacks it; brokers sorted by id. */
export async function describeCluster(driver: AdminDriver): Promise<ClusterDescription> {
  return driver.withRetry(async () => {
    const conn = await driver.cluster.anyConnection()
    if (conn.supports(DESCRIBE_CLUSTER)) {
      const body = await conn.send(DESCRIBE_CLUSTER, {includeClusterAuthorizedOperations: false, endpointType: 1})
      if (body.errorCode !== ErrorCode.NONE) {
        throw new KafkaError(body.errorCode, `DescribeCluster failed: ${body.errorMessage ?? errorInfo(body.errorCode).message}`)
      }
      return {
        clusterId: body.clusterId, controllerId: body.controllerId, source: 'DescribeCluster' as const,
        brokers: (body.brokers as any[]).map((b) => ({nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack ?? null, isController: b.brokerId === body.controllerId}))
          .sort((a, b) => a.nodeId - b.nodeId),
      }
    }
    const md = await driver.cluster.refreshMetadata([])
    return {
      clusterId: md.clusterId, controllerId: md.controllerId, source: 'Metadata' as const,
      brokers: [...md.brokers.values()].map((b) => ({...b, isController: b.nodeId === md.controllerId})).sort((a, b) => a.nodeId - b.nodeId),
    }
  })
}

/** DescribeLogDirs on every broker (or on `brokers`), optionally limited to some topics. */
export async function describeLogDirs(driver: AdminDriver, opts: {topics?: string[]; brokers?: number[]}): Promise<LogDirDescription[]> {
  const md = await driver.withRetry(() => driver.cluster.refreshMetadata(opts.topics ?? null))
  let topicsBody: Array<{topic: string; partitions: number[]}> | null = null
  if (opts.topics) {
    topicsBody = opts.topics.map((name) => {
      const t = md.topics.get(name)
      if (!t || t.errorCode !== ErrorCode.NONE) throw topicError(t?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name)
      return {topic: name, partitions: t.partitions.map((p) => p.partition)}
    })
  }
  const nodes = opts.brokers ?? [...md.brokers.keys()].sort((a, b) => a - b)
  const perBroker = await Promise.all(nodes.map(async (node) => {
    const conn = await driver.cluster.connectionTo(node)
    const body = await conn.send(DESCRIBE_LOG_DIRS, {topics: topicsBody})
    if (body.errorCode) throw new KafkaError(body.errorCode, `DescribeLogDirs on broker ${node} failed`)
    return (body.results as any[]).map((r): LogDirDescription => ({
      broker: node,
      logDir: r.logDir,
      error: r.errorCode === ErrorCode.NONE ? null : errorInfo(r.errorCode).name,
      totalBytes: r.totalBytes >= 0n && conn.versionFor(DESCRIBE_LOG_DIRS) >= 4 ? r.totalBytes : null,
      usableBytes: r.usableBytes >= 0n && conn.versionFor(DESCRIBE_LOG_DIRS) >= 4 ? r.usableBytes : null,
      partitions: (r.topics as any[]).flatMap((t) => (t.partitions as any[]).map((p) => ({
        topic: t.name, partition: p.partitionIndex, size: p.partitionSize, offsetLag: p.offsetLag, isFuture: p.isFutureKey,
      }))).sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition),
    }))
  }))
  return perBroker.flat()
}
