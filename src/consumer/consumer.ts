/**
 * Consumer: Kafka's consumer in two modes. assign() reads caller-chosen partitions; subscribe()
 * joins a group through the ConsumerCoordinator. poll() runs the rebalance (so listeners run in
 * the application's flow), initialises positions, auto-commits, and drains records the Fetcher
 * has already fetched ahead. Emits 'rebalance' ({revoked, assigned}) and 'error' (background
 * errors, only when someone listens; otherwise the next poll() throws them).
 */
import {EventEmitter} from 'node:events'
import {Cluster, topicError} from '../client/index.js'
import {ErrorCode, KafkaError} from '../protocol/index.js'
import {resolveConsumerConfig, type ConsumerConfig, type ResolvedConsumerConfig} from './config.js'
import {ConsumerCoordinator} from './consumer-coordinator.js'
import {CoordinatorClient} from './coordinator-client.js'
import {Fetcher} from './fetcher.js'
import {EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, OffsetFetcher} from './offset-fetcher.js'
import {listEdgeOffsets, updateFetchPositions} from './positions.js'
import {SubscriptionState} from './subscription-state.js'
import {tpKey, type ConsumerRecord, type PartitionInfo, type RebalanceListener, type SeekTarget, type TopicPartition} from './types.js'
import {recordIterator} from './record-iterator.js'

/** A Kafka consumer (assign or subscribe mode). */
export class Consumer extends EventEmitter {
  private readonly config: ResolvedConsumerConfig
  private readonly cluster: Cluster
  private readonly subs: SubscriptionState
  private readonly fetcher: Fetcher
  private readonly offsets: OffsetFetcher
  private coordinator: ConsumerCoordinator | undefined
  private group: CoordinatorClient | undefined
  private listener: RebalanceListener | undefined
  private wakeUp: (() => void) | undefined
  private backgroundError: Error | undefined
  private nextAutoCommit = 0
  private autoCommitInFlight = false
  private polling = false
  private closed = false
  private lastMetadataRefresh = 0
  private revokedThisRound: TopicPartition[] = []

  constructor(config: ConsumerConfig) {
    super()
    this.config = resolveConsumerConfig(config)
    this.cluster = new Cluster({bootstrap: config.bootstrap, clientId: this.config.clientId, requestTimeoutMs: this.config.requestTimeoutMs, retryBackoffMs: this.config.retryBackoffMs})
    this.subs = new SubscriptionState(this.config.autoOffsetReset)
    this.fetcher = new Fetcher(this.cluster, this.subs, this.config)
    this.fetcher.onProgress = () => this.wake()
    this.offsets = new OffsetFetcher(this.cluster, this.config.isolationLevel === 'read_committed', this.config.retryBackoffMs)
    this.nextAutoCommit = Date.now() + this.config.autoCommitIntervalMs
  }

  /** Reads exactly these partitions (no group membership; commits still go to group.id if set). */
  assign(tps: TopicPartition[]): void {
    this.ensureOpen()
    if (this.subs.mode === 'subscribe') throw new Error('assign() cannot be used after subscribe(); use a new Consumer')
    this.subs.mode = 'assign'
    this.subs.setAssignment(tps)
    this.fetcher.dropStale()
    this.wake()
  }

  /** Joins group.id for these topics (or every topic whose full name matches the pattern). */
  subscribe(topics: string[] | RegExp, listener?: RebalanceListener): void {
    this.ensureOpen()
    if (this.subs.mode === 'assign') throw new Error('subscribe() cannot be used after assign(); use a new Consumer')
    const groupId = this.config.groupId
    if (!groupId) throw new KafkaError(ErrorCode.INVALID_GROUP_ID, 'subscribe() needs a group id (group.id)')
    this.subs.mode = 'subscribe'
    this.listener = listener
    if (topics instanceof RegExp) {
      // Kafka matches the whole topic name.
      this.subs.pattern = new RegExp(`^(?:${topics.source})$`, topics.flags.replace(/[gy]/g, ''))
      this.subs.topics = new Set()
      this.lastMetadataRefresh = 0
    } else {
      this.subs.pattern = undefined
      this.subs.topics = new Set(topics)
    }
    this.coordinator ??= new ConsumerCoordinator(this.cluster, {...this.config, groupId}, this.subs, {
      commitBeforeRevoke: () => this.commitBeforeRevoke(),
      revoked: async (tps) => {
        this.revokedThisRound.push(...tps)
        await this.listener?.onPartitionsRevoked?.(tps)
      },
      assigned: async (tps) => {
        await this.listener?.onPartitionsAssigned?.(tps)
        this.emit('rebalance', {revoked: this.revokedThisRound, assigned: tps})
        this.revokedThisRound = []
      },
      lost: async (tps) => {
        this.revokedThisRound.push(...tps)
        await (this.listener?.onPartitionsLost ?? this.listener?.onPartitionsRevoked)?.call(this.listener, tps)
      },
      wake: () => this.wake(),
      fail: (err) => this.failInBackground(err),
    })
    this.group = this.coordinator.client
    this.coordinator.requestRejoin()
  }

  /** Moves the position of an assigned partition. */
  async seek(tp: TopicPartition, target: SeekTarget): Promise<void> {
    const s = this.subs.require(tp)
    if (typeof target === 'bigint') {
      if (target < 0n) throw new RangeError(`cannot seek ${tp.topic}-${tp.partition} to negative offset ${target}`)
      s.seek(target)
    } else {
      s.reset = target === 'beginning' ? 'earliest' : target === 'end' ? 'latest' : {timestamp: target.timestamp}
      s.position = null
      s.fetchOffset = null
      s.epoch++
      await updateFetchPositions(this.subs, this.offsets, this.optionalGroup())
    }
    this.fetcher.dropStale()
    this.wake()
  }

  /** Up to max.poll.records records, waiting up to timeoutMs for at least one; [] on timeout. */
  async poll(timeoutMs: number): Promise<ConsumerRecord[]> {
    this.ensureOpen()
    if (this.polling) throw new Error('poll() is already running on this consumer')
    this.polling = true
    try {
      const deadline = Date.now() + Math.max(0, timeoutMs)
      for (let round = 0; ; round++) {
        if (this.backgroundError) {
          const err = this.backgroundError
          this.backgroundError = undefined
          throw err
        }
        if (this.closed) return []
        if (this.coordinator) {
          await this.refreshSubscriptionMetadata()
          await this.coordinator.poll()
        }
        this.maybeAutoCommit()
        if (this.subs.needsPositions()) {
          await updateFetchPositions(this.subs, this.offsets, this.optionalGroup())
        }
        this.fetcher.sendFetches()
        // Let the event loop read responses (and run timers) while buffered records are handed out,
        // so the next response arrives during the application's work rather than after it.
        if (this.fetcher.hasInFlight()) await new Promise<void>((resolve) => setImmediate(resolve))
        const records = this.fetcher.collect(this.config.maxPollRecords)
        if (records.length > 0 || this.closed) return records
        const left = deadline - Date.now()
        if (left <= 0) return []
        if (this.coordinator?.needsJoin) continue
        await this.waitForProgress(left)
      }
    } finally {
      this.polling = false
    }
  }

  /** Async iteration over records (polls underneath; ends when the consumer closes). */
  [Symbol.asyncIterator](): AsyncIterator<ConsumerRecord> {
    return recordIterator(this, (tp, offset) => this.subs.state(tp.topic, tp.partition)?.seek(offset), () => this.closed)
  }

  /**
   * A topic's partitions, by partition number, from cached metadata or a Metadata request (Kafka's
   * partitionsFor); [] when the topic does not exist. Warms the connection that fetching will use.
   */
  async partitionsFor(topic: string): Promise<PartitionInfo[]> {
    this.ensureOpen()
    let t = this.cluster.metadata?.topics.get(topic)
    if (!t || t.errorCode !== ErrorCode.NONE) t = (await this.cluster.refreshMetadata([topic])).topics.get(topic)
    if (!t || t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return []
    if (t.errorCode !== ErrorCode.NONE) throw topicError(t.errorCode, topic, null, 'read')
    return t.partitions
      .map((p) => ({topic, partition: p.partition, leader: p.leader, replicas: p.replicas, inSyncReplicas: p.isr, offlineReplicas: p.offline}))
      .sort((a, b) => a.partition - b.partition)
  }

  /** Partitions currently assigned. */
  assignment(): TopicPartition[] {
    return this.subs.assignment()
  }

  /** Next offset poll() returns for an assigned partition (undefined before it is known). */
  position(tp: TopicPartition): bigint | undefined {
    return this.subs.state(tp.topic, tp.partition)?.position ?? undefined
  }

  /** High watermark (last stable offset under read_committed) as last seen by fetches, else ListOffsets. */
  async endOffsets(tps: TopicPartition[]): Promise<Map<string, bigint>> {
    const out = new Map<string, bigint>()
    const ask: TopicPartition[] = []
    const committed = this.config.isolationLevel === 'read_committed'
    for (const tp of tps) {
      const s = this.subs.state(tp.topic, tp.partition)
      const seen = s ? (committed && s.lastStableOffset >= 0n ? s.lastStableOffset : s.highWatermark) : -1n
      if (seen >= 0n) out.set(tpKey(tp.topic, tp.partition), seen)
      else ask.push(tp)
    }
    for (const [k, v] of await listEdgeOffsets(this.offsets, ask, LATEST_TIMESTAMP)) out.set(k, v)
    return out
  }

  /** Log start offsets (ListOffsets). */
  beginningOffsets(tps: TopicPartition[]): Promise<Map<string, bigint>> {
    return listEdgeOffsets(this.offsets, tps, EARLIEST_TIMESTAMP)
  }

  /** Commits `offsets` (default: the positions of the whole assignment) and waits for the answer. */
  async commitSync(offsets?: Map<string, bigint>): Promise<void> {
    const group = this.requireGroup('commit offsets')
    try {
      await group.commit(offsets ?? this.subs.allConsumed(), this.coordinator?.identity ?? {generationId: -1, memberId: '', groupInstanceId: null})
    } catch (err) {
      const code = err instanceof KafkaError ? err.code : 0
      if (code === ErrorCode.ILLEGAL_GENERATION || code === ErrorCode.UNKNOWN_MEMBER_ID || code === ErrorCode.REBALANCE_IN_PROGRESS) {
        this.coordinator?.requestRejoin()
      }
      throw err
    }
  }

  /** Commits without waiting; `cb` gets the outcome. */
  commitAsync(offsets?: Map<string, bigint>, cb?: (err: Error | null) => void): void {
    const snapshot = offsets ?? this.subs.allConsumed()
    this.commitSync(snapshot).then(() => cb?.(null), (err) => cb?.(err))
  }

  /** Committed offsets of group.id (null where nothing is committed). */
  committed(tps: TopicPartition[]): Promise<Map<string, bigint | null>> {
    return this.requireGroup('read committed offsets').fetchCommitted(tps)
  }

  /** Stops fetching these partitions (buffered records stay until resume). */
  pause(tps: TopicPartition[]): void {
    for (const tp of tps) this.subs.require(tp).paused = true
  }

  /** Fetches these partitions again. */
  resume(tps: TopicPartition[]): void {
    for (const tp of tps) this.subs.require(tp).paused = false
    this.fetcher.sendFetches()
    this.wake()
  }

  /** Final auto commit, LeaveGroup (dynamic members), connections closed. */
  async close(): Promise<void> {
    if (this.closed) return
    if (this.config.enableAutoCommit && this.group && this.subs.assignment().length > 0) {
      await this.commitSync().catch(() => undefined)
    }
    this.closed = true
    this.wake()
    this.fetcher.close()
    await this.coordinator?.close(true)
    if (!this.coordinator) this.group?.close()
    await this.cluster.close()
  }

  /** Records and key+value bytes returned by poll(), and Fetch requests sent. */
  metrics(): {recordsConsumed: number; bytesConsumed: number; fetchRequests: number} {
    return {...this.fetcher.metrics}
  }

  private ensureOpen(): void {
    if (this.closed) throw new KafkaError(ErrorCode.NETWORK_EXCEPTION, 'consumer is closed')
  }

  private requireGroup(what: string): CoordinatorClient {
    if (!this.config.groupId) throw new KafkaError(ErrorCode.INVALID_GROUP_ID, `cannot ${what} without a group id (group.id)`)
    this.group ??= new CoordinatorClient(this.cluster, this.config.groupId, this.config)
    return this.group
  }

  private optionalGroup(): CoordinatorClient | undefined {
    return this.config.groupId ? this.requireGroup('read committed offsets') : undefined
  }

  private wake(): void {
    const w = this.wakeUp
    this.wakeUp = undefined
    w?.()
  }

  private waitForProgress(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = undefined
        resolve()
      }, ms)
      this.wakeUp = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }

  private failInBackground(err: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', err)
    else this.backgroundError = err
    this.wake()
  }

  private maybeAutoCommit(): void {
    if (!this.config.enableAutoCommit || !this.group || this.autoCommitInFlight || Date.now() < this.nextAutoCommit) return
    if (this.coordinator && this.coordinator.generationId < 0) return
    this.nextAutoCommit = Date.now() + this.config.autoCommitIntervalMs
    const offsets = this.subs.allConsumed()
    if (offsets.size === 0) return
    this.autoCommitInFlight = true
    this.commitSync(offsets).catch(() => undefined).finally(() => (this.autoCommitInFlight = false))
  }

  private async commitBeforeRevoke(): Promise<void> {
    if (!this.config.enableAutoCommit || !this.coordinator || this.coordinator.generationId < 0) return
    await this.commitSync().catch(() => undefined)
  }

  /** Regex subscriptions: re-match topic names; all subscriptions: rejoin when partition counts change. */
  private async refreshSubscriptionMetadata(): Promise<void> {
    const pattern = this.subs.pattern
    if (Date.now() - this.lastMetadataRefresh < this.config.metadataMaxAgeMs && (!pattern || this.lastMetadataRefresh > 0)) return
    this.lastMetadataRefresh = Date.now()
    const md = await this.cluster.refreshMetadata(pattern ? null : [...this.subs.topics]).catch(() => undefined)
    if (!md) return
    if (pattern) {
      const matched = [...md.topics.values()].filter((t) => !t.internal && t.errorCode === ErrorCode.NONE && pattern.test(t.name)).map((t) => t.name)
      const changed = matched.length !== this.subs.topics.size || matched.some((t) => !this.subs.topics.has(t))
      if (changed) {
        this.subs.topics = new Set(matched)
        this.coordinator?.requestRejoin()
      }
    }
    const counts = new Map([...this.subs.topics].map((t) => [t, md.topics.get(t)?.partitions.length ?? 0]))
    if (this.coordinator?.metadataChanged(counts)) this.coordinator.requestRejoin()
  }
}
