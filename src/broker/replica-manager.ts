/**
 * ReplicaManager: the partitions this node hosts (Kafka's ReplicaManager). It keeps the partition
 * logs (through the storage LogManager) in step with the metadata image: creates logs for replicas
 * assigned here, deletes the logs of deleted topics, pushes config changes into open logs, and turns
 * each replica into leader or follower as the image says -- followers are handed to one
 * ReplicaFetcher per leader. A timer shrinks the ISR of lagging followers. Handlers read and append
 * through the Log and Partition objects it hands out.
 */
import {logConfigFromProps, type Log, type LogConfig, type LogManager} from '../storage/index.js'
import {effectiveTopicConfig} from './config-defs.js'
import type {ReplicaManager as ReplicaManagerContract, TopicImage, BrokerLogger, MetadataManager, MetadataChange, PartitionImage} from './context.js'
import {Partition} from './partition.js'
import {ReplicaFetcher, type ReplicaFetcherConfig} from './replica-fetcher.js'

/** A topic's LogConfig from its overrides and the effective broker config; undefined for an unknown topic. */
export function topicLogConfig(metadata: MetadataManager, props: Record<string, string>, topicName: string): LogConfig | undefined {
  const topic = metadata.topic(topicName)
  if (!topic) return undefined
  return logConfigFromProps(effectiveTopicConfig(topic.configs, {...props, ...metadata.brokerConfigOverrides()}))
}

/** A numeric prop, or `dflt` when missing or not a number. */
function num(props: Record<string, string>, name: string, dflt: number): number {
  const n = Number(props[name])
  return props[name] !== undefined && Number.isFinite(n) ? n : dflt
}

/** What the replica manager needs besides the logs and the metadata. */
export interface ReplicaManagerOptions {
  nodeId: number
  /** Effective broker props (replica.* settings, broker defaults of topic configs). */
  props: Record<string, string>
  logger: BrokerLogger
  clock?: () => number
}

/** Partition logs and replicas of this node; see the file comment. */
export class ReplicaManager implements ReplicaManagerContract {
  /** LogConfig per topic name, rebuilt when topic or broker configs change. */
  private configs = new Map<string, LogConfig>()
  private partitions = new Map<string, Partition>()
  private fetchers = new Map<number, ReplicaFetcher>()
  private isrTimer: NodeJS.Timeout | undefined
  private closed = false
  private readonly nodeId: number
  private readonly props: Record<string, string>
  private readonly logger: BrokerLogger
  private readonly clock: () => number
  /** replica.lag.time.max.ms */
  readonly lagTimeMs: number

  /** `opts` as a bare logger is the single-node form older callers use: node id = the controller's, no props. */
  constructor(private readonly logManager: LogManager, private readonly metadata: MetadataManager, options: ReplicaManagerOptions | BrokerLogger) {
    const opts: ReplicaManagerOptions = typeof options === 'function' ? {nodeId: metadata.controllerId(), props: {}, logger: options} : options
    this.nodeId = opts.nodeId
    this.props = opts.props
    this.logger = opts.logger
    this.clock = opts.clock ?? Date.now
    this.lagTimeMs = num(this.props, 'replica.lag.time.max.ms', 30000)
    metadata.onChange((change) => this.apply(change))
  }

  /**
   * Opens the log of every hosted partition in the image (creating missing ones), removes logs of
   * topics that no longer exist, applies leadership, and starts the ISR shrink timer.
   */
  startup(): void {
    const wanted = new Set<string>()
    for (const topic of this.metadata.topics()) {
      for (const p of topic.partitions) {
        wanted.add(`${topic.name}-${p.partition}`)
        this.applyPartition(topic, p)
      }
    }
    // A crash between the RemoveTopicRecord and the directory deletion leaves a stray log behind.
    for (const log of this.logManager.allLogs()) {
      if (!wanted.has(`${log.topic}-${log.partition}`)) {
        this.logger('info', `deleting log ${log.topic}-${log.partition}: its topic no longer exists`)
        this.deleteLog(log.topic, log.partition)
      }
    }
    // Kafka checks every lag/2, so a follower is out of the ISR at most 1.5 x the lag time after it stopped.
    this.isrTimer = setInterval(() => this.maybeShrinkIsr(), Math.max(10, Math.floor(this.lagTimeMs / 2)))
    this.isrTimer.unref()
  }

  getLog(topic: string, partition: number): Log | undefined {
    return this.logManager.getLog(topic, partition)
  }

  /** The hosted replica of a partition, if any. */
  partition(topic: string, partition: number): Partition | undefined {
    return this.partitions.get(`${topic}-${partition}`)
  }

  /** Every hosted replica. */
  allPartitions(): Partition[] {
    return [...this.partitions.values()]
  }

  /** The effective LogConfig of a topic (cached), or undefined for an unknown topic. */
  logConfig(topicName: string): LogConfig | undefined {
    let config = this.configs.get(topicName)
    if (!config) {
      config = topicLogConfig(this.metadata, this.props, topicName)
      if (!config) return undefined
      this.configs.set(topicName, config)
    }
    return config
  }

  /** min.insync.replicas of a topic (its override, else the broker's). */
  minInsyncReplicas(topicName: string): number {
    const topic = this.metadata.topic(topicName)
    const v = topic?.configs['min.insync.replicas'] ?? this.metadata.brokerConfigOverrides()['min.insync.replicas'] ?? this.props['min.insync.replicas']
    const n = Number(v)
    return Number.isInteger(n) && n > 0 ? n : 1
  }

  /** Shrinks the ISR of every led partition whose followers lag (the timer calls this). */
  maybeShrinkIsr(): void {
    for (const p of this.partitions.values()) {
      try {
        p.maybeShrinkIsr(this.lagTimeMs)
      } catch (err) {
        this.logger('error', `${p.name}: ISR check failed: ${(err as Error).message}`)
      }
    }
  }

  /** Stops the fetchers (before the logs close) and the ISR timer. */
  async shutdown(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.isrTimer) clearInterval(this.isrTimer)
    await Promise.all([...this.fetchers.values()].map((f) => f.close()))
    this.fetchers.clear()
  }

  private ensureLog(topic: TopicImage, partition: number): Log | undefined {
    try {
      return this.logManager.getOrCreateLog(topic.name, partition, this.logConfig(topic.name)!)
    } catch (err) {
      this.logger('error', `cannot open log ${topic.name}-${partition}: ${(err as Error).message}`)
      return undefined
    }
  }

  /** Makes the local replica of `image` leader, follower, or nothing, as the image says. */
  private applyPartition(topic: TopicImage, image: PartitionImage): void {
    if (this.closed) return
    const key = `${topic.name}-${image.partition}`
    let p = this.partitions.get(key)
    if (!image.replicas.includes(this.nodeId)) {
      if (p) this.dropPartition(key, p)
      return
    }
    if (!p) {
      const log = this.ensureLog(topic, image.partition)
      if (!log) return
      p = new Partition(topic.name, image.partition, log, this.nodeId, this.metadata, this.logger, this.clock)
      this.partitions.set(key, p)
    }
    if (image.leader === this.nodeId) {
      this.removeFromFetcher(p)
      if (p.role === 'leader' && p.leaderEpoch === image.leaderEpoch) p.updateIsr(image)
      else p.becomeLeader(image)
      return
    }
    if (p.role === 'follower' && p.leaderId === image.leader && p.leaderEpoch === image.leaderEpoch) {
      p.updateIsr(image)
      return
    }
    this.removeFromFetcher(p)
    p.becomeFollower(image)
    if (image.leader >= 0) this.fetcherFor(image.leader).addPartition(p)
  }

  private dropPartition(key: string, p: Partition): void {
    this.removeFromFetcher(p)
    p.stop()
    this.partitions.delete(key)
  }

  private removeFromFetcher(p: Partition): void {
    for (const [id, f] of this.fetchers) {
      if (!f.removePartition(p)) continue
      if (f.size === 0) {
        this.fetchers.delete(id)
        void f.close()
      }
    }
  }

  private fetcherFor(leaderId: number): ReplicaFetcher {
    let f = this.fetchers.get(leaderId)
    if (!f) {
      const config: ReplicaFetcherConfig = {
        nodeId: this.nodeId, sourceId: leaderId,
        address: () => {
          const b = this.metadata.brokers().find((x) => x.id === leaderId)
          return b ? {host: b.host, port: b.port} : undefined
        },
        maxWaitMs: num(this.props, 'replica.fetch.wait.max.ms', 500),
        minBytes: num(this.props, 'replica.fetch.min.bytes', 1),
        partitionMaxBytes: num(this.props, 'replica.fetch.max.bytes', 1048576),
        responseMaxBytes: num(this.props, 'replica.fetch.response.max.bytes', 10485760),
        backoffMs: num(this.props, 'replica.fetch.backoff.ms', 1000),
        socketTimeoutMs: num(this.props, 'replica.socket.timeout.ms', 30000),
        logger: this.logger,
      }
      f = new ReplicaFetcher(config)
      this.fetchers.set(leaderId, f)
    }
    return f
  }

  private apply(change: MetadataChange): void {
    try {
      switch (change.kind) {
        case 'topic-created':
          this.configs.delete(change.topic.name)
          break
        case 'partition-created':
        case 'partition-changed':
          this.applyPartition(change.topic, change.partition)
          break
        case 'topic-removed':
          this.configs.delete(change.topic.name)
          for (const p of change.topic.partitions) {
            const key = `${change.topic.name}-${p.partition}`
            const part = this.partitions.get(key)
            if (part) this.dropPartition(key, part)
            this.deleteLog(change.topic.name, p.partition)
          }
          break
        case 'topic-config':
          this.configs.delete(change.topic.name)
          this.pushConfig(change.topic)
          break
        case 'broker-config':
          this.configs.clear()
          for (const topic of this.metadata.topics()) this.pushConfig(topic)
          break
        case 'broker-changed':
          // A re-registered leader may listen elsewhere now: its fetcher reconnects to the new address.
          this.fetchers.get(change.broker.id)?.addressChanged()
          break
      }
    } catch (err) {
      this.logger('error', `applying metadata change ${change.kind} failed: ${(err as Error).message}`)
    }
  }

  /** Renames the dir away now; the files are removed in the background. */
  private deleteLog(topic: string, partition: number): void {
    if (!this.logManager.getLog(topic, partition)) return
    this.logManager.deleteLog(topic, partition)
      .catch((err: Error) => this.logger('warn', `removing log ${topic}-${partition} failed: ${err.message}`))
  }

  private pushConfig(topic: TopicImage): void {
    const config = this.logConfig(topic.name)
    if (!config) return
    for (const p of topic.partitions) this.getLog(topic.name, p.partition)?.updateConfig(config)
  }
}
