/**
 * Fetcher: keeps one Fetch in flight per partition leader, ahead of the application. A response's
 * partitions become CompletedFetches that poll() drains; each partition's fetch offset moves on as
 * soon as a response arrives, so the next request leaves while the application still processes
 * the previous one (at most `maxBufferedPerPartition` responses wait per partition).
 * Owned by the Consumer; reads and updates SubscriptionState.
 */
import {Cluster} from '../client/index.js'
import {ErrorCode, KafkaError} from '../protocol/index.js'
import {LOG_OVERHEAD} from '../records/index.js'
import {CompletedFetch} from './completed-fetch.js'
import {newRecordArray} from './record-decoder.js'
import type {ResolvedConsumerConfig} from './config.js'
import {STALE_METADATA} from './offset-fetcher.js'
import type {SubscriptionState, TopicPartitionState} from './subscription-state.js'
import type {ConsumerRecord} from './types.js'

const FETCH = 1
/**
 * Fetches out at once per leader. The second hides the round trip: the broker answers it right
 * after the first, while the application still works through the first one's records.
 */
const MAX_IN_FLIGHT_PER_NODE = 2

/** Counters reported by Consumer.metrics(). */
export interface FetchMetrics { recordsConsumed: number; bytesConsumed: number; fetchRequests: number }

/** The consumer's fetch pipeline. */
export class Fetcher {
  private readonly completed: CompletedFetch[] = []
  /** Fetches out per leader; each partition is in at most one of them. */
  private readonly inFlight = new Map<number, number>()
  private pendingError: Error | undefined
  private readonly leaders = new Map<string, number>()
  private leadersFrom: unknown
  private metadataRefresh: Promise<unknown> | undefined
  private closed = false
  private rotation = 0
  readonly metrics: FetchMetrics = {recordsConsumed: 0, bytesConsumed: 0, fetchRequests: 0}
  /** Called whenever new data (or an error) arrives, to wake a waiting poll(). */
  onProgress: () => void = () => {}
  maxBufferedPerPartition = 2

  constructor(private readonly cluster: Cluster, private readonly subs: SubscriptionState, private readonly config: ResolvedConsumerConfig) {}

  /** True while a Fetch is out to some leader. */
  hasInFlight(): boolean {
    return this.inFlight.size > 0
  }

  /** True when records (or an error) are ready to be returned by poll(). */
  hasReady(): boolean {
    if (this.pendingError) return true
    for (const cf of this.completed) if (cf.current && !cf.state.paused) return true
    return false
  }

  /**
   * Sends a Fetch to every leader of fetchable partitions that has fewer than MAX_IN_FLIGHT_PER_NODE
   * out. A fetch that could only long-poll (every partition in it already read up to its high
   * watermark) waits while other partitions of that leader have records buffered or a fetch is out:
   * sent now, it would hold a fetch slot for fetch.max.wait.ms and delay the answers behind it.
   * collect() sends it, with those partitions, as soon as they are drained.
   */
  sendFetches(): void {
    if (this.closed) return
    const now = Date.now()
    const byNode = new Map<number, TopicPartitionState[]>()
    const mayHaveData = new Set<number>()
    const busy = new Set<number>()
    let unknownLeader = false
    for (const s of this.subs.states()) {
      const leader = this.leaderOf(s)
      if (!s.fetchable(now, this.maxBufferedPerPartition)) {
        if (s.buffered > 0 && !s.paused) busy.add(leader)
        continue
      }
      if (leader < 0) {
        unknownLeader = true
        continue
      }
      if ((this.inFlight.get(leader) ?? 0) >= MAX_IN_FLIGHT_PER_NODE) continue
      let list = byNode.get(leader)
      if (!list) byNode.set(leader, (list = []))
      list.push(s)
      if (!this.caughtUp(s)) mayHaveData.add(leader)
    }
    if (unknownLeader) this.refreshMetadata()
    for (const [node, states] of byNode) {
      // A second fetch only asks for data known to be there: a long poll would hold up the answers behind it.
      if (mayHaveData.has(node) || (!busy.has(node) && !this.inFlight.has(node))) this.fetchFrom(node, states)
    }
  }

  /** The partition's leader in the current metadata (-1 when unknown), looked up once per metadata snapshot. */
  private leaderOf(s: TopicPartitionState): number {
    const md = this.cluster.metadata
    if (md !== this.leadersFrom) {
      this.leaders.clear()
      this.leadersFrom = md
    }
    let leader = this.leaders.get(s.key)
    if (leader === undefined) {
      leader = md?.topics.get(s.topic)?.partitions.find((p) => p.partition === s.partition)?.leader ?? -1
      this.leaders.set(s.key, leader)
    }
    return leader
  }

  /** True when the last response said the partition has nothing past its fetch offset. */
  private caughtUp(s: TopicPartitionState): boolean {
    const end = this.config.isolationLevel === 'read_committed' && s.lastStableOffset >= 0n ? s.lastStableOffset : s.highWatermark
    return end >= 0n && s.fetchOffset !== null && s.fetchOffset >= end
  }

  /** Drains up to `max` records from the buffered responses; throws a pending fetch error first. */
  collect(max: number): ConsumerRecord[] {
    if (this.pendingError) {
      const err = this.pendingError
      this.pendingError = undefined
      throw err
    }
    const out: ConsumerRecord[] = newRecordArray()
    for (let i = 0; i < this.completed.length && out.length < max;) {
      const cf = this.completed[i]
      if (!cf.current) {
        this.completed.splice(i, 1)
        continue
      }
      if (cf.state.paused) {
        i++
        continue
      }
      const before = out.length
      let more: boolean
      try {
        more = cf.drain(max - out.length, out)
        this.metrics.bytesConsumed += cf.drainedBytes
      } catch (err) {
        // Stay at the bad batch: the application sees the error and may seek past it.
        cf.state.buffered--
        this.completed.splice(i, 1)
        cf.state.seek(cf.state.position ?? cf.nextOffset)
        if (out.length > before) out.length = before
        if (out.length > 0) {
          this.pendingError = err as Error
          break
        }
        throw err
      }
      cf.state.position = cf.nextOffset
      if (!more) {
        cf.state.buffered--
        this.completed.splice(i, 1)
      }
    }
    this.metrics.recordsConsumed += out.length
    if (out.length > 0) this.sendFetches()
    return out
  }

  /** Forgets buffered data of partitions no longer assigned or seeked (their epoch moved). */
  dropStale(): void {
    for (let i = this.completed.length - 1; i >= 0; i--) {
      const cf = this.completed[i]
      if (!cf.current) {
        this.completed.splice(i, 1)
        cf.state.buffered = Math.max(0, cf.state.buffered - 1)
      }
    }
  }

  /** Stops sending; responses still in flight are ignored. */
  close(): void {
    this.closed = true
    this.completed.length = 0
  }

  private refreshMetadata(): void {
    if (this.metadataRefresh) return
    const topics = [...new Set([...this.subs.states()].map((s) => s.topic))]
    // The backoff also applies after a successful refresh that still shows no leader.
    this.metadataRefresh = this.cluster.refreshMetadata(topics)
      .catch(() => undefined)
      .then(() => new Promise((r) => setTimeout(r, this.config.retryBackoffMs)))
      .finally(() => {
        this.metadataRefresh = undefined
        this.sendFetches()
      })
  }

  private fetchFrom(node: number, states: TopicPartitionState[]): void {
    this.inFlight.set(node, (this.inFlight.get(node) ?? 0) + 1)
    for (const st of states) st.fetching = true
    // Rotate the partition order so a partition late in the list is not starved by fetch.max.bytes.
    const start = this.rotation++ % states.length
    const ordered = [...states.slice(start), ...states.slice(0, start)]
    const sent = ordered.map((s) => ({state: s, epoch: s.epoch, fetchOffset: s.fetchOffset!}))
    const byTopic = new Map<string, object[]>()
    for (const {state, fetchOffset} of sent) {
      let parts = byTopic.get(state.topic)
      if (!parts) byTopic.set(state.topic, (parts = []))
      parts.push({partition: state.partition, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: this.config.maxPartitionFetchBytes})
    }
    const body = {
      clusterId: null, replicaId: -1, maxWaitMs: this.config.fetchMaxWaitMs, minBytes: this.config.fetchMinBytes,
      maxBytes: this.config.fetchMaxBytes, isolationLevel: this.config.isolationLevel === 'read_committed' ? 1 : 0,
      sessionId: 0, sessionEpoch: -1,
      topics: [...byTopic].map(([topic, partitions]) => ({topic, partitions})),
      forgottenTopicsData: [], rackId: '',
    }
    this.metrics.fetchRequests++
    this.cluster.connectionTo(node)
      .then((conn) => conn.send<any>(FETCH, body, {timeoutMs: this.config.requestTimeoutMs + this.config.fetchMaxWaitMs}))
      .then((res) => this.handleResponse(res, sent), (err) => this.handleFailure(err, sent))
      .finally(() => {
        const left = this.inFlight.get(node)! - 1
        if (left > 0) this.inFlight.set(node, left)
        else this.inFlight.delete(node)
        for (const {state} of sent) state.fetching = false
        if (!this.closed) {
          this.sendFetches()
          this.onProgress()
        }
      })
  }

  private handleResponse(res: any, sent: Array<{state: TopicPartitionState; epoch: number; fetchOffset: bigint}>): void {
    if (this.closed) return
    if (res.errorCode && res.errorCode !== ErrorCode.NONE) {
      this.handleFailure(new KafkaError(res.errorCode, `fetch failed: ${ErrorCode[res.errorCode]}`), sent)
      return
    }
    const byKey = new Map(sent.map((s) => [s.state.key, s]))
    for (const t of res.responses) {
      for (const p of t.partitions) {
        const req = byKey.get(`${t.topic}-${p.partitionIndex}`)
        const s = req?.state
        // Dropped when the partition was revoked or seeked while the request was out.
        if (!req || !s || s.epoch !== req.epoch || this.subs.stateByKey(s.key) !== s) continue
        this.handlePartition(s, req.fetchOffset, req.epoch, p, t.topic)
      }
    }
  }

  private handlePartition(s: TopicPartitionState, fetchOffset: bigint, epoch: number, p: any, topic: string): void {
    const code: number = p.errorCode
    if (code === ErrorCode.NONE) {
      s.highWatermark = p.highWatermark
      if (p.lastStableOffset >= 0n) s.lastStableOffset = p.lastStableOffset
      if (p.logStartOffset >= 0n) s.logStartOffset = p.logStartOffset
      const records: Buffer | null = p.records
      if (!records || records.length === 0) return
      const next = nextFetchOffset(records)
      if (next === undefined) return // only a partial batch: asked again with the same offset
      s.fetchOffset = next > fetchOffset ? next : fetchOffset
      s.buffered++
      this.completed.push(new CompletedFetch(s, epoch, records, fetchOffset, p.abortedTransactions ?? null, this.config.checkCrcs))
      return
    }
    if (code === ErrorCode.OFFSET_OUT_OF_RANGE) {
      if (this.subs.defaultReset === 'none') {
        this.pendingError = new KafkaError(code, `offset ${fetchOffset} is out of range for ${topic}-${s.partition} and auto.offset.reset is none`)
        s.backoffUntil = Number.MAX_SAFE_INTEGER
      } else {
        s.reset = this.subs.defaultReset
        s.epoch++
      }
      return
    }
    if (STALE_METADATA.has(code)) {
      s.backoffUntil = Date.now() + this.config.retryBackoffMs
      this.refreshMetadata()
      return
    }
    this.pendingError = new KafkaError(code, `cannot fetch ${topic}-${s.partition}: ${ErrorCode[code] ?? code}`)
    s.backoffUntil = Date.now() + this.config.retryBackoffMs
  }

  private handleFailure(err: unknown, sent: Array<{state: TopicPartitionState}>): void {
    if (this.closed) return
    const until = Date.now() + this.config.retryBackoffMs
    for (const {state} of sent) state.backoffUntil = until
    if (err instanceof KafkaError && (err.retriable || err.code === ErrorCode.NETWORK_EXCEPTION || err.code === ErrorCode.REQUEST_TIMED_OUT)) {
      this.refreshMetadata()
      return
    }
    this.pendingError = err as Error
  }
}

/** Offset after the last complete batch of a records section, or undefined when none is complete. */
function nextFetchOffset(records: Buffer): bigint | undefined {
  let pos = 0
  let last: number | undefined
  while (pos + LOG_OVERHEAD <= records.length) {
    const len = records.readInt32BE(pos + 8)
    if (len < 0 || pos + LOG_OVERHEAD + len > records.length) break
    last = pos
    pos += LOG_OVERHEAD + len
  }
  if (last === undefined || last + 27 > records.length) return undefined
  return records.readBigInt64BE(last) + BigInt(records.readInt32BE(last + 23)) + 1n
}
