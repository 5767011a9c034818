/**
 * AdminClient: topic, config, cluster and log-dir administration over the Kafka admin APIs.
 * Each method makes the requests, retries retriable errors a bounded number of times (refreshing
 * metadata in between), and returns plain data or throws a KafkaError whose message names the
 * topic or resource. It never prints. Commands build one from client properties and call it.
 */
import {Cluster, sleep, type ClusterOptions, type TopicMetadata} from './cluster.js'
import type {Connection} from './connection.js'
import {ErrorCode, KafkaError, errorInfo} from '../protocol/index.js'
import {
  ConfigResourceType, configSourceName, type ConfigEntry, type ConfigResource, type ConfigResourceResult,
} from './config-types.js'
import {topicError} from './errors.js'
import {describeQuorum, electLeaders, type ElectionType, type ElectLeadersResult, type QuorumDescription} from './admin-cluster.js'

export * from './config-types.js'
export type {ElectionType, ElectLeadersResult, QuorumDescription, QuorumReplica} from './admin-cluster.js'

const API = {
  listOffsets: 2, metadata: 3, createTopics: 19, deleteTopics: 20, describeConfigs: 32, alterConfigs: 33,
  describeLogDirs: 35, createPartitions: 37, incrementalAlterConfigs: 44, describeCluster: 60,
} as const

/** A topic to create. */
export interface NewTopic {
  name: string
  numPartitions?: number
  replicationFactor?: number
  configs?: Record<string, string>
  /** Explicit replica assignment per partition (replaces numPartitions/replicationFactor). */
  assignments?: number[][]
}

/** What the broker reports back for a created topic (v5+ fills partitions/configs). */
export interface CreatedTopic {
  name: string
  topicId: string
  numPartitions: number
  replicationFactor: number
  configs: Array<{name: string; value: string | null}>
}

/** One line of a topic listing. */
export interface TopicListing { name: string; topicId: string; partitions: number; internal: boolean }

/** One partition of a described topic. */
export interface PartitionDescription {
  partition: number
  leader: number
  leaderEpoch: number
  /** Preferred replica first, as the broker assigned them. */
  replicas: number[]
  isr: number[]
  offline: number[]
  logStartOffset: bigint | null
  logEndOffset: bigint | null
  /** Name of the error that kept offsets from being read, if any. */
  offsetError?: string
}

/** A topic with its partitions and their offsets. */
export interface TopicDescription {
  name: string
  topicId: string
  internal: boolean
  partitions: PartitionDescription[]
}

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

/** A config change for incrementalAlterConfigs. */
export interface AlterConfigOp { name: string; op: 'set' | 'delete' | 'append' | 'subtract'; value?: string | null }

const OP_CODES = {set: 0, delete: 1, append: 2, subtract: 3} as const
// Errors after which a metadata refresh and another attempt may succeed.
const REFRESH_ERRORS = new Set<number>([
  ErrorCode.NOT_CONTROLLER, ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NETWORK_EXCEPTION, ErrorCode.REQUEST_TIMED_OUT, ErrorCode.BROKER_NOT_AVAILABLE,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
])

/** Admin operations against one cluster. Call close() when done. */
export class AdminClient {
  readonly cluster: Cluster
  private readonly requestTimeoutMs: number

  constructor(opts: ClusterOptions | Cluster) {
    this.cluster = opts instanceof Cluster ? opts : new Cluster(opts)
    this.requestTimeoutMs = opts instanceof Cluster ? 30_000 : opts.requestTimeoutMs ?? 30_000
  }

  /** Creates topics; TOPIC_ALREADY_EXISTS is ignored when ifNotExists is set (the topic is then absent from the result). */
  async createTopics(topics: NewTopic[], opts: {validateOnly?: boolean; ifNotExists?: boolean} = {}): Promise<CreatedTopic[]> {
    const body = await this.withRetry(async () => {
      const conn = await this.cluster.controllerConnection()
      // -1 means "the broker's num.partitions / default.replication.factor", understood from v4 on.
      const brokerDefault = conn.versionFor(API.createTopics) >= 4 ? -1 : 1
      const res = await conn.send(API.createTopics, {
        topics: topics.map((t) => ({
          name: t.name,
          numPartitions: t.assignments ? -1 : t.numPartitions ?? brokerDefault,
          replicationFactor: t.assignments ? -1 : t.replicationFactor ?? brokerDefault,
          assignments: (t.assignments ?? []).map((brokerIds, partitionIndex) => ({partitionIndex, brokerIds})),
          configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({name, value})),
        })),
        timeoutMs: this.serverTimeoutMs(),
        validateOnly: opts.validateOnly ?? false,
      })
      throwIfRefreshNeeded(res.topics)
      return res
    })
    const created: CreatedTopic[] = []
    for (const t of body.topics as any[]) {
      if (t.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS && opts.ifNotExists) continue
      if (t.errorCode !== ErrorCode.NONE) throw topicError(t.errorCode, t.name, t.errorMessage, 'create')
      const asked = topics.find((x) => x.name === t.name)
      created.push({
        name: t.name,
        topicId: t.topicId ?? '00000000-0000-0000-0000-000000000000',
        // Brokers before v5 do not echo the layout; report what was asked for.
        numPartitions: t.numPartitions > 0 ? t.numPartitions : asked?.assignments?.length ?? asked?.numPartitions ?? -1,
        replicationFactor: t.replicationFactor > 0 ? t.replicationFactor : asked?.assignments?.[0]?.length ?? asked?.replicationFactor ?? -1,
        configs: (t.configs ?? []).map((c: any) => ({name: c.name, value: c.value})),
      })
    }
    return created
  }

  /** Lists topic names (internal topics only when asked), sorted. */
  async listTopics(opts: {internal?: boolean} = {}): Promise<TopicListing[]> {
    const md = await this.withRetry(() => this.cluster.refreshMetadata(null))
    return [...md.topics.values()]
      .filter((t) => t.errorCode === ErrorCode.NONE && (opts.internal || !t.internal))
      .map((t) => ({name: t.name, topicId: t.topicId, partitions: t.partitions.length, internal: t.internal}))
      .sort((a, b) => a.name.localeCompare(b.name))
  }

  /** Describes topics with each partition's leader, replicas, ISR and log start/end offsets. */
  async describeTopics(names: string[], opts: {offsets?: boolean} = {}): Promise<TopicDescription[]> {
    const md = await this.withRetry(() => this.cluster.refreshMetadata(names))
    const topics: TopicMetadata[] = names.map((name) => {
      const t = md.topics.get(name)
      if (!t || t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw topicError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name)
      if (t.errorCode !== ErrorCode.NONE) throw topicError(t.errorCode, name, null, 'describe')
      return t
    })
    const result: TopicDescription[] = topics.map((t) => ({
      name: t.name, topicId: t.topicId, internal: t.internal,
      partitions: t.partitions.map((p) => ({
        partition: p.partition, leader: p.leader, leaderEpoch: p.leaderEpoch, replicas: p.replicas,
        isr: p.isr, offline: p.offline, logStartOffset: null, logEndOffset: null,
      })),
    }))
    if (opts.offsets !== false) await this.fillOffsets(result)
    return result
  }

  /**
   * Reads offsets for partitions by timestamp spec: -2 earliest, -1 latest, -3 max timestamp, or a
   * timestamp in ms. Returns "topic:partition" -> offset (null when unavailable).
   */
  async listOffsets(requests: Array<{topic: string; partition: number}>, timestamp: bigint): Promise<Map<string, {offset: bigint | null; timestamp: bigint; error?: string}>> {
    const out = new Map<string, {offset: bigint | null; timestamp: bigint; error?: string}>()
    const byLeader = new Map<number, Array<{topic: string; partition: number}>>()
    for (const r of requests) {
      let leader: number
      try {
        leader = await this.cluster.leaderFor(r.topic, r.partition)
      } catch (err) {
        out.set(`${r.topic}:${r.partition}`, {offset: null, timestamp: -1n, error: (err as KafkaError).name})
        continue
      }
      const list = byLeader.get(leader) ?? []
      list.push(r)
      byLeader.set(leader, list)
    }
    await Promise.all([...byLeader].map(async ([leader, parts]) => {
      let conn: Connection
      let res: any
      try {
        conn = await this.cluster.connectionTo(leader)
        res = await conn.send(API.listOffsets, listOffsetsBody(parts, timestamp))
      } catch (err) {
        // One unreachable leader must not hide the offsets the other leaders returned.
        const error = err instanceof KafkaError ? err.name : 'UNKNOWN_SERVER_ERROR'
        for (const p of parts) out.set(`${p.topic}:${p.partition}`, {offset: null, timestamp: -1n, error})
        return
      }
      for (const t of res.topics as any[]) {
        for (const p of t.partitions as any[]) {
          const key = `${t.name}:${p.partitionIndex}`
          if (p.errorCode !== ErrorCode.NONE) {
            out.set(key, {offset: null, timestamp: -1n, error: errorInfo(p.errorCode).name})
            continue
          }
          // v0 answers a list of offsets instead of one.
          const offset = conn.versionFor(API.listOffsets) === 0 ? (p.oldStyleOffsets?.[0] ?? null) : p.offset
          out.set(key, {offset, timestamp: p.timestamp ?? -1n})
        }
      }
    }))
    return out
  }

  /** Grows a topic to `totalCount` partitions. */
  async createPartitions(topic: string, totalCount: number, opts: {validateOnly?: boolean} = {}): Promise<void> {
    const body = await this.withRetry(async () => {
      const conn = await this.cluster.controllerConnection()
      const res = await conn.send(API.createPartitions, {
        topics: [{name: topic, count: totalCount, assignments: null}],
        timeoutMs: this.serverTimeoutMs(),
        validateOnly: opts.validateOnly ?? false,
      })
      throwIfRefreshNeeded(res.results)
      return res
    })
    for (const r of body.results as any[]) {
      if (r.errorCode !== ErrorCode.NONE) throw topicError(r.errorCode, r.name, r.errorMessage, 'add partitions to')
    }
  }

  /** Deletes topics; throws after the request when any topic could not be deleted. */
  async deleteTopics(names: string[]): Promise<void> {
    const body = await this.withRetry(async () => {
      const conn = await this.cluster.controllerConnection()
      const res = await conn.send(API.deleteTopics, {
        topicNames: names,
        topics: names.map((name) => ({name, topicId: '00000000-0000-0000-0000-000000000000'})),
        timeoutMs: this.serverTimeoutMs(),
      })
      throwIfRefreshNeeded(res.responses)
      return res
    })
    for (const r of body.responses as any[]) {
      if (r.errorCode !== ErrorCode.NONE) throw topicError(r.errorCode, r.name, r.errorMessage, 'delete')
    }
  }

  /** Reads configs of topics and brokers, with their sources and synonyms. */
  async describeConfigs(resources: ConfigResource[], opts: {includeSynonyms?: boolean; includeDocumentation?: boolean; keys?: string[]} = {}): Promise<ConfigResourceResult[]> {
    // Broker resources must be asked of that broker; topic ones of any broker.
    const groups = new Map<number, ConfigResource[]>()
    for (const r of resources) {
      const node = r.type === 'broker' && r.name !== '' ? Number(r.name) : -1
      groups.set(node, [...(groups.get(node) ?? []), r])
    }
    const results: ConfigResourceResult[] = []
    for (const [node, list] of groups) {
      const body = await this.withRetry(async () => {
        const conn = node >= 0 ? await this.cluster.connectionTo(node) : await this.cluster.anyConnection()
        return conn.send(API.describeConfigs, {
          resources: list.map((r) => ({resourceType: ConfigResourceType[r.type], resourceName: r.name, configurationKeys: opts.keys ?? null})),
          includeSynonyms: opts.includeSynonyms ?? false,
          includeDocumentation: opts.includeDocumentation ?? false,
        })
      })
      for (const r of body.results as any[]) {
        const type = r.resourceType === ConfigResourceType.topic ? 'topic' : 'broker'
        if (r.errorCode !== ErrorCode.NONE) {
          if (type === 'topic') throw topicError(r.errorCode, r.resourceName, r.errorMessage, 'describe configs of')
          throw new KafkaError(r.errorCode, `cannot describe configs of broker ${r.resourceName}: ${r.errorMessage ?? errorInfo(r.errorCode).message}`)
        }
        results.push({type, name: r.resourceName, configs: (r.configs as any[]).map(toConfigEntry)})
      }
    }
    return results
  }

  /** Applies set/delete/append/subtract changes; falls back to a full AlterConfigs on brokers without IncrementalAlterConfigs. */
  async incrementalAlterConfigs(resource: ConfigResource, ops: AlterConfigOp[], opts: {validateOnly?: boolean} = {}): Promise<void> {
    const conn = await this.connectionForResource(resource)
    if (!conn.supports(API.incrementalAlterConfigs)) return this.alterConfigsByReplace(resource, ops, opts)
    const body = await this.withRetry(async () => (await this.connectionForResource(resource)).send(API.incrementalAlterConfigs, {
      resources: [{
        resourceType: ConfigResourceType[resource.type], resourceName: resource.name,
        configs: ops.map((o) => ({name: o.name, configOperation: OP_CODES[o.op], value: o.op === 'delete' ? null : o.value ?? null})),
      }],
      validateOnly: opts.validateOnly ?? false,
    }))
    this.checkAlterResponses(body.responses)
  }

  /** Replaces the whole set of overrides of a resource (legacy AlterConfigs). */
  async alterConfigs(resource: ConfigResource, configs: Record<string, string>, opts: {validateOnly?: boolean} = {}): Promise<void> {
    const body = await this.withRetry(async () => (await this.connectionForResource(resource)).send(API.alterConfigs, {
      resources: [{
        resourceType: ConfigResourceType[resource.type], resourceName: resource.name,
        configs: Object.entries(configs).map(([name, value]) => ({name, value})),
      }],
      validateOnly: opts.validateOnly ?? false,
    }))
    this.checkAlterResponses(body.responses)
  }

  /** The cluster id, controller and brokers; uses Metadata when DescribeCluster is unsupported. */
  async describeCluster(): Promise<ClusterDescription> {
    return this.withRetry(async () => {
      const conn = await this.cluster.anyConnection()
      if (conn.supports(API.describeCluster)) {
        const body = await conn.send(API.describeCluster, {includeClusterAuthorizedOperations: false, endpointType: 1})
        if (body.errorCode !== ErrorCode.NONE) {
          throw new KafkaError(body.errorCode, `DescribeCluster failed: ${body.errorMessage ?? errorInfo(body.errorCode).message}`)
        }
        return {
          clusterId: body.clusterId, controllerId: body.controllerId, source: 'DescribeCluster' as const,
          brokers: (body.brokers as any[]).map((b) => ({nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack ?? null, isController: b.brokerId === body.controllerId}))
            .sort((a, b) => a.nodeId - b.nodeId),
        }
      }
      const md = await this.cluster.refreshMetadata([])
      return {
        clusterId: md.clusterId, controllerId: md.controllerId, source: 'Metadata' as const,
        brokers: [...md.brokers.values()].map((b) => ({...b, isController: b.nodeId === md.controllerId})).sort((a, b) => a.nodeId - b.nodeId),
      }
    })
  }

  /** Log dirs of every broker (or of `brokers`), optionally only for some topics. */
  async describeLogDirs(opts: {topics?: string[]; brokers?: number[]} = {}): Promise<LogDirDescription[]> {
    const md = await this.withRetry(() => this.cluster.refreshMetadata(opts.topics ?? null))
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
      const conn = await this.cluster.connectionTo(node)
      const body = await conn.send(API.describeLogDirs, {topics: topicsBody})
      if (body.errorCode) throw new KafkaError(body.errorCode, `DescribeLogDirs on broker ${node} failed`)
      return (body.results as any[]).map((r): LogDirDescription => ({
        broker: node,
        logDir: r.logDir,
        error: r.errorCode === ErrorCode.NONE ? null : errorInfo(r.errorCode).name,
        totalBytes: r.totalBytes >= 0n && conn.versionFor(API.describeLogDirs) >= 4 ? r.totalBytes : null,
        usableBytes: r.usableBytes >= 0n && conn.versionFor(API.describeLogDirs) >= 4 ? r.usableBytes : null,
        partitions: (r.topics as any[]).flatMap((t) => (t.partitions as any[]).map((p) => ({
          topic: t.name, partition: p.partitionIndex, size: p.partitionSize, offsetLag: p.offsetLag, isFuture: p.isFutureKey,
        }))).sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition),
      }))
    }))
    return perBroker.flat()
  }

  /** ElectLeaders on the controller: one result per partition (null partitions = all). */
  async electLeaders(type: ElectionType, partitions: {topic: string; partition: number}[] | null): Promise<ElectLeadersResult[]> {
    return this.withRetry(() => electLeaders(this.cluster, type, partitions, this.serverTimeoutMs()))
  }

  /** The metadata quorum (leader, epoch, voters' log positions); null when the cluster has no DescribeQuorum. */
  async describeQuorum(): Promise<QuorumDescription | null> {
    return this.withRetry(() => describeQuorum(this.cluster))
  }

  /** Closes all connections. */
  async close(): Promise<void> {
    await this.cluster.close()
  }

  private async fillOffsets(topics: TopicDescription[]): Promise<void> {
    const parts = topics.flatMap((t) => t.partitions.map((p) => ({topic: t.name, partition: p.partition})))
    if (parts.length === 0) return
    // Earliest and latest must be separate requests: a broker rejects a partition listed twice.
    const [earliest, latest] = await Promise.all([this.listOffsets(parts, -2n), this.listOffsets(parts, -1n)])
    for (const t of topics) {
      for (const p of t.partitions) {
        const e = earliest.get(`${t.name}:${p.partition}`)
        const l = latest.get(`${t.name}:${p.partition}`)
        p.logStartOffset = e?.offset ?? null
        p.logEndOffset = l?.offset ?? null
        const error = e?.error ?? l?.error
        if (error) p.offsetError = error
      }
    }
  }

  private async connectionForResource(resource: ConfigResource): Promise<Connection> {
    if (resource.type === 'broker' && resource.name !== '') return this.cluster.connectionTo(Number(resource.name))
    return this.cluster.anyConnection()
  }

  private async alterConfigsByReplace(resource: ConfigResource, ops: AlterConfigOp[], opts: {validateOnly?: boolean}): Promise<void> {
    const [current] = await this.describeConfigs([resource])
    const overrides: Record<string, string> = {}
    const dynamic = resource.type === 'topic' ? 'DYNAMIC_TOPIC_CONFIG' : 'DYNAMIC_BROKER_CONFIG'
    for (const c of current.configs) if (c.source === dynamic && c.value !== null) overrides[c.name] = c.value
    for (const o of ops) {
      if (o.op === 'set') overrides[o.name] = o.value ?? ''
      else if (o.op === 'delete') delete overrides[o.name]
      else throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `broker does not support IncrementalAlterConfigs, needed for "${o.op}"`)
    }
    await this.alterConfigs(resource, overrides, opts)
  }

  private checkAlterResponses(responses: any[]): void {
    for (const r of responses) {
      if (r.errorCode === ErrorCode.NONE) continue
      if (r.resourceType === ConfigResourceType.topic) throw topicError(r.errorCode, r.resourceName, r.errorMessage, 'alter configs of')
      throw new KafkaError(r.errorCode, `cannot alter configs of broker ${r.resourceName}: ${r.errorMessage ?? errorInfo(r.errorCode).message}`)
    }
  }

  private serverTimeoutMs(): number {
    // Leave the broker time to answer before our own request timeout fires.
    return Math.max(1000, this.requestTimeoutMs - 5000)
  }

  /** Runs `fn`, refreshing metadata and retrying (bounded) on errors that a refresh may cure. */
  private async withRetry<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn()
      } catch (err) {
        const code = err instanceof KafkaError ? err.code : undefined
        if (code === undefined || !REFRESH_ERRORS.has(code) || attempt >= this.cluster.retries) throw err
        await sleep(this.cluster.retryBackoffMs * (attempt + 1))
        await this.cluster.refreshMetadata([]).catch(() => undefined)
      }
    }
  }
}

/** Throws the first NOT_CONTROLLER-like error of a per-topic answer so withRetry can retry the request. */
function throwIfRefreshNeeded(entries: any[] | undefined): void {
  for (const e of entries ?? []) {
    if (e.errorCode === ErrorCode.NOT_CONTROLLER) throw new KafkaError(e.errorCode, `broker is not the controller`)
  }
}

function listOffsetsBody(parts: Array<{topic: string; partition: number}>, timestamp: bigint): object {
  const byTopic = new Map<string, number[]>()
  for (const p of parts) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition])
  return {
    replicaId: -1,
    isolationLevel: 0,
    topics: [...byTopic].map(([name, partitions]) => ({
      name,
      partitions: partitions.map((partitionIndex) => ({partitionIndex, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1})),
    })),
  }
}

function toConfigEntry(c: any): ConfigEntry {
  return {
    name: c.name,
    value: c.value,
    // v0 only says "default or not"; later versions say where the value comes from.
    source: c.configSource > 0 ? configSourceName(c.configSource) : c.isDefault ? 'DEFAULT_CONFIG' : 'UNKNOWN',
    readOnly: c.readOnly,
    sensitive: c.isSensitive,
    synonyms: (c.synonyms ?? []).map((s: any) => ({name: s.name, value: s.value, source: configSourceName(s.source)})),
    type: c.configType ?? 0,
    documentation: c.documentation ?? null,
  }
}
