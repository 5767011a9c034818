/**
 * ProducerMetadata: what the producer knows about the topics it writes to -- partition counts for
 * the partitioner and each partition's leader for the Sender -- on top of the client's Cluster cache.
 * Refreshes are coalesced (one at a time, at most one per retry.backoff.ms unless forced) and, as
 * Kafka's producer does, ask brokers to auto-create unknown topics. Owned by the Producer.
 */
import {Cluster, decodeMetadata} from '../client/index.js'
import {ErrorCode, KafkaError} from '../protocol/index.js'

/** Partition count and leaders of one topic; `leaders[p]` is -1 while a partition has none. */
export interface TopicInfo {
  name: string
  numPartitions: number
  leaders: number[]
  /** Error of the last lookup when the topic is unusable (unknown, unauthorized); NONE otherwise. */
  errorCode: number
}

const METADATA_KEY = 3
const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

/** Topic metadata for the producer, refreshed on demand. */
export class ProducerMetadata {
  readonly topics = new Map<string, TopicInfo>()
  /** Topics asked for but not (successfully) described yet. */
  private readonly wanted = new Set<string>()
  private inProgress: Promise<void> | undefined
  private again = false
  private lastRefresh = 0
  private closed = false
  private backoffTimer: NodeJS.Timeout | undefined
  /** Last refresh failure, reported when a wait on metadata gives up. */
  lastError: Error | undefined

  constructor(
    private readonly cluster: Cluster,
    private readonly retryBackoffMs: number,
    /** Called after every refresh, successful or not. */
    private readonly onUpdate: () => void,
  ) {}

  /** Known topic with at least one partition, or undefined. */
  usable(topic: string): TopicInfo | undefined {
    const t = this.topics.get(topic)
    return t !== undefined && t.numPartitions > 0 ? t : undefined
  }

  /** Adds a topic to the refresh set and refreshes soon. */
  want(topic: string): void {
    if (!this.wanted.has(topic)) {
      this.wanted.add(topic)
      this.requestUpdate(true)
    }
  }

  /** Asks for a refresh; without `force` it waits out retry.backoff.ms since the last one. */
  requestUpdate(force = false): void {
    if (this.closed) return
    if (this.inProgress) {
      this.again = true
      return
    }
    const wait = force ? 0 : Math.max(0, this.lastRefresh + this.retryBackoffMs - Date.now())
    this.inProgress = (wait > 0 ? new Promise<void>((r) => (this.backoffTimer = setTimeout(r, wait))) : Promise.resolve())
      .then(() => (this.closed ? undefined : this.refresh()))
      .catch((err: Error) => {
        this.lastError = err
      })
      .finally(() => {
        this.inProgress = undefined
        this.lastRefresh = Date.now()
        this.onUpdate()
        if (this.again) {
          this.again = false
          this.requestUpdate(false)
        }
      })
  }

  /** Stops refreshing: connections closing at shutdown must not keep the process alive with a backoff timer. */
  close(): void {
    this.closed = true
    this.again = false
    if (this.backoffTimer !== undefined) clearTimeout(this.backoffTimer)
    this.backoffTimer = undefined
  }

  /** Refreshes every wanted or known topic now. */
  async refresh(): Promise<void> {
    const names = [...new Set([...this.wanted, ...this.topics.keys()])]
    if (names.length === 0) {
      await this.cluster.refreshMetadata([])
      return
    }
    const md = await this.cluster.refreshMetadata(names)
    const unknown: string[] = []
    for (const name of names) {
      const t = md.topics.get(name)
      if (!t || t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || t.errorCode === ErrorCode.LEADER_NOT_AVAILABLE) unknown.push(name)
      this.apply(name, t)
    }
    if (unknown.length > 0) await this.autoCreate(unknown)
    this.lastError = undefined
  }

  private apply(name: string, t: {errorCode: number; partitions: Array<{partition: number; leader: number}>} | undefined): void {
    if (!t || t.errorCode !== ErrorCode.NONE || t.partitions.length === 0) {
      const prev = this.topics.get(name)
      const code = t ? t.errorCode : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
      // Keep a known layout through a transient error; only the error code changes.
      if (prev) prev.errorCode = code
      else this.topics.set(name, {name, numPartitions: 0, leaders: [], errorCode: code})
      return
    }
    const leaders: number[] = []
    for (const p of t.partitions) leaders[p.partition] = p.leader
    for (let i = 0; i < leaders.length; i++) if (leaders[i] === undefined) leaders[i] = -1
    this.topics.set(name, {name, numPartitions: leaders.length, leaders, errorCode: ErrorCode.NONE})
    this.wanted.delete(name)
  }

  /** Metadata with allowAutoTopicCreation, as Kafka's producer sends it; the next refresh sees the new topics. */
  private async autoCreate(names: string[]): Promise<void> {
    const conn = await this.cluster.anyConnection()
    const version = conn.versionFor(METADATA_KEY)
    if (version < 4) return // before v4 every Metadata request may auto-create; nothing to add
    const body = await conn.send(METADATA_KEY, {
      topics: names.map((name) => ({name, topicId: ZERO_UUID})),
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    }, {version})
    const md = decodeMetadata(body)
    for (const name of names) {
      const t = md.topics.get(name)
      if (t && t.errorCode === ErrorCode.NONE && t.partitions.length > 0 && t.partitions.every((p) => md.brokers.has(p.leader))) {
        this.apply(name, t)
      }
    }
  }

  /** Error to give records of a topic whose metadata never arrived within max.block.ms. */
  timeoutError(topic: string, maxBlockMs: number): KafkaError {
    const t = this.topics.get(topic)
    const code = t && t.errorCode !== ErrorCode.NONE ? t.errorCode : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
    const why = this.lastError ? `: ${this.lastError.message}` : ''
    return new KafkaError(code, `topic "${topic}" not present in metadata after ${maxBlockMs} ms (max.block.ms)${why}`)
  }
}
