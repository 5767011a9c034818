/**
 * The client's view of a cluster: bootstraps from a list of host:port, caches Metadata (brokers,
 * topics, partitions, leaders, topic ids), keeps one Connection per broker, and refreshes the cache
 * when a caller reports a stale-metadata error. Owned by AdminClient and the producer/consumer engines.
 */
import {Connection, type ConnectionOptions} from './connection.js'
import {ErrorCode, KafkaError} from '../protocol/index.js'

/** A broker as Metadata describes it. */
export interface BrokerInfo { nodeId: number; host: string; port: number; rack: string | null }

/** One partition's replica placement. */
export interface PartitionMetadata {
  partition: number
  leader: number
  leaderEpoch: number
  /** Preferred replica first, as the controller assigned them. */
  replicas: number[]
  isr: number[]
  offline: number[]
  errorCode: number
}

/** One topic as Metadata describes it. */
export interface TopicMetadata {
  name: string
  topicId: string
  internal: boolean
  errorCode: number
  partitions: PartitionMetadata[]
}

/** One Metadata answer, decoded into maps. */
export interface MetadataSnapshot {
  clusterId: string | null
  controllerId: number
  brokers: Map<number, BrokerInfo>
  topics: Map<string, TopicMetadata>
  /** Date.now() when fetched. */
  fetchedAt: number
}

/** Settings of a Cluster; names mirror Kafka's client properties. */
export interface ClusterOptions {
  /** bootstrap.servers: "host:port,host:port" or a list. */
  bootstrap: string | string[]
  clientId?: string
  requestTimeoutMs?: number
  connectTimeoutMs?: number
  /** retry.backoff.ms between attempts after a retriable error. */
  retryBackoffMs?: number
  /** How many times a retriable failure is retried (bounded: no endless loops). */
  retries?: number
}

const METADATA_KEY = 3
/** The nil topic id: "no id" in requests and in answers of brokers without topic ids. */
export const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

/** Parses "host:port[,host:port]" into addresses; throws KafkaError(INVALID_CONFIG) on a malformed entry. */
export function parseBootstrap(bootstrap: string | string[]): Array<{host: string; port: number}> {
  const list = (Array.isArray(bootstrap) ? bootstrap : bootstrap.split(','))
    .map((s) => s.trim()).filter((s) => s.length > 0)
  if (list.length === 0) throw new KafkaError(ErrorCode.INVALID_CONFIG, 'no bootstrap servers given')
  return list.map((entry) => {
    // Strip a listener prefix such as PLAINTEXT:// and IPv6 brackets.
    const s = entry.replace(/^[A-Za-z_]+:\/\//, '')
    const m = s.match(/^\[?([^\]]*?)\]?:(\d+)$/)
    const port = m ? Number(m[2]) : NaN
    if (!m || !m[1] || !(port > 0 && port < 65536)) {
      throw new KafkaError(ErrorCode.INVALID_CONFIG, `invalid bootstrap server "${entry}" (expected HOST:PORT)`)
    }
    return {host: m[1], port}
  })
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Metadata cache plus one connection per broker. */
export class Cluster {
  private readonly bootstrap: Array<{host: string; port: number}>
  private readonly connOpts: Omit<ConnectionOptions, 'host' | 'port'>
  readonly retryBackoffMs: number
  readonly retries: number
  private readonly connections = new Map<string, Promise<Connection>>()
  private snapshot: MetadataSnapshot | undefined
  private closed = false

  constructor(opts: ClusterOptions) {
    this.bootstrap = parseBootstrap(opts.bootstrap)
    this.connOpts = {clientId: opts.clientId, requestTimeoutMs: opts.requestTimeoutMs, connectTimeoutMs: opts.connectTimeoutMs}
    this.retryBackoffMs = opts.retryBackoffMs ?? 100
    this.retries = opts.retries ?? 5
  }

  /** The last Metadata answer (undefined before the first refresh). */
  get metadata(): MetadataSnapshot | undefined {
    return this.snapshot
  }

  /** Connection to any reachable broker: a known broker first, else the bootstrap list in order. */
  async anyConnection(): Promise<Connection> {
    for (const [, p] of this.connections) {
      const conn = await p.catch(() => undefined)
      if (conn?.isOpen) return conn
    }
    const candidates = [
      ...[...(this.snapshot?.brokers.values() ?? [])].map((b) => ({host: b.host, port: b.port})),
      ...this.bootstrap,
    ]
    let lastError: Error | undefined
    for (const addr of candidates) {
      try {
        return await this.connectionToAddress(addr.host, addr.port)
      } catch (err) {
        lastError = err as Error
      }
    }
    throw lastError ?? new KafkaError(ErrorCode.NETWORK_EXCEPTION, 'no broker reachable')
  }

  /** Connection to a broker by node id (refreshes metadata once when the id is unknown). */
  async connectionTo(nodeId: number): Promise<Connection> {
    let broker = this.snapshot?.brokers.get(nodeId)
    if (!broker) {
      await this.refreshMetadata()
      broker = this.snapshot?.brokers.get(nodeId)
    }
    if (!broker) throw new KafkaError(ErrorCode.BROKER_NOT_AVAILABLE, `broker ${nodeId} is not in the cluster metadata`)
    return this.connectionToAddress(broker.host, broker.port)
  }

  /** Connection to the active controller as Metadata reports it (any broker when unknown). */
  async controllerConnection(): Promise<Connection> {
    const md = this.snapshot ?? await this.refreshMetadata()
    if (md.controllerId >= 0 && md.brokers.has(md.controllerId)) return this.connectionTo(md.controllerId)
    return this.anyConnection()
  }

  /**
   * Fetches Metadata for `topics` (null = all topics) and merges it into the cache. Topics asked for
   * by name are replaced; a full listing replaces the topic map.
   */
  async refreshMetadata(topics: string[] | null = null): Promise<MetadataSnapshot> {
    const conn = await this.anyConnection()
    const version = conn.versionFor(METADATA_KEY)
    // v0 has no null: an empty list meant "all topics" there, and "none" from v1 on.
    const requestTopics = topics === null
      ? (version === 0 ? [] : null)
      : topics.map((name) => ({name, topicId: ZERO_UUID}))
    const body = await conn.send(METADATA_KEY, {
      topics: requestTopics,
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    }, {version})
    const next = decodeMetadata(body)
    if (topics !== null && this.snapshot) {
      // Keep what we knew about other topics; a partial answer only updates the ones asked for.
      const merged = new Map(this.snapshot.topics)
      for (const [name, t] of next.topics) merged.set(name, t)
      next.topics = merged
    }
    this.snapshot = next
    return next
  }

  /** Metadata of one topic from the cache, refreshed when missing; throws UNKNOWN_TOPIC_OR_PARTITION. */
  async topic(name: string, refresh = false): Promise<TopicMetadata> {
    let t = refresh ? undefined : this.snapshot?.topics.get(name)
    if (!t || t.errorCode !== ErrorCode.NONE) {
      await this.refreshMetadata([name])
      t = this.snapshot?.topics.get(name)
    }
    if (!t || t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
      throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic "${name}" does not exist`)
    }
    if (t.errorCode !== ErrorCode.NONE) throw new KafkaError(t.errorCode, `metadata of topic "${name}" is unavailable`)
    return t
  }

  /** Node id of a partition's leader; throws LEADER_NOT_AVAILABLE when there is none. */
  async leaderFor(topic: string, partition: number): Promise<number> {
    const t = await this.topic(topic)
    const p = t.partitions.find((x) => x.partition === partition)
    if (!p) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic "${topic}" has no partition ${partition}`)
    if (p.leader < 0) throw new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `partition ${topic}-${partition} has no leader`)
    return p.leader
  }

  /** Closes every connection; the Cluster cannot be used afterwards. */
  async close(): Promise<void> {
    this.closed = true
    const all = [...this.connections.values()]
    this.connections.clear()
    for (const p of all) {
      const conn = await p.catch(() => undefined)
      conn?.close()
    }
  }

  private connectionToAddress(host: string, port: number): Promise<Connection> {
    if (this.closed) return Promise.reject(new KafkaError(ErrorCode.NETWORK_EXCEPTION, 'client is closed'))
    const key = `${host}:${port}`
    const existing = this.connections.get(key)
    if (existing) return existing
    const p = Connection.connect({host, port, ...this.connOpts})
    this.connections.set(key, p)
    p.then((conn) => {
      // Forget a dead connection so the next caller reconnects.
      conn.once('close', () => {
        if (this.connections.get(key) === p) this.connections.delete(key)
      })
    }, () => {
      if (this.connections.get(key) === p) this.connections.delete(key)
    })
    return p
  }
}

/** Turns a Metadata response body (any version) into a snapshot. */
export function decodeMetadata(body: any): MetadataSnapshot {
  const brokers = new Map<number, BrokerInfo>()
  for (const b of body.brokers ?? []) brokers.set(b.nodeId, {nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack ?? null})
  const topics = new Map<string, TopicMetadata>()
  for (const t of body.topics ?? []) {
    if (t.name == null) continue
    topics.set(t.name, {
      name: t.name,
      topicId: t.topicId ?? ZERO_UUID,
      internal: Boolean(t.isInternal),
      errorCode: t.errorCode,
      partitions: (t.partitions ?? []).map((p: any) => ({
        partition: p.partitionIndex,
        leader: p.leaderId,
        leaderEpoch: p.leaderEpoch ?? -1,
        replicas: p.replicaNodes ?? [],
        isr: p.isrNodes ?? [],
        offline: p.offlineReplicas ?? [],
        errorCode: p.errorCode,
      })).sort((a: PartitionMetadata, b: PartitionMetadata) => a.partition - b.partition),
    })
  }
  return {clusterId: body.clusterId ?? null, controllerId: body.controllerId ?? -1, brokers, topics, fetchedAt: Date.now()}
}
