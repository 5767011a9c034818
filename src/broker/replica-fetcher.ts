/**
 * ReplicaFetcher: copies the partitions one leader leads into this node's logs (Kafka's
 * ReplicaFetcherThread), over a NodeChannel. A partition starts in the truncating state: the
 * follower asks the leader (OffsetForLeaderEpoch) where its latest epoch ends and cuts its log there,
 * so a returning replica drops the tail a new leader never had and the logs cannot diverge. Then it
 * fetches (Fetch v12 with replicaId = own id), appends the leader's batches as they are (offsets and
 * epochs kept) and sets its high watermark to min(leader HW, own log end offset). Leadership errors
 * park the partition until the metadata says what to do; other failures back off and retry.
 */
import {ErrorCode, KafkaError} from '../protocol/index.js'
import {iterateBatches, validateBatch, LAST_OFFSET_DELTA, BASE_OFFSET} from '../records/index.js'
import {NodeChannel, type NodeAddress} from '../controller/network/node-channel.js'
import {UNDEFINED_EPOCH} from '../storage/leader-epoch-cache.js'
import type {BrokerLogger} from './context.js'
import type {Partition} from './partition.js'
import {decodeFollowerFetchResponse, type FetchedPartition} from './replica-fetcher-response.js'

const FETCH = 1
const OFFSET_FOR_LEADER_EPOCH = 23
/** Fetch v12 is the newest version that names topics (v13+ uses topic ids). */
const FETCH_VERSION = 12
const OFFSET_FOR_LEADER_EPOCH_VERSION = 4

/** Settings of one fetcher (Kafka's replica.* broker configs). */
export interface ReplicaFetcherConfig {
  nodeId: number; sourceId: number
  /** The leader's current address (undefined while it is not registered). */
  address: () => NodeAddress | undefined
  maxWaitMs: number; minBytes: number; partitionMaxBytes: number; responseMaxBytes: number
  backoffMs: number; socketTimeoutMs: number
  logger: BrokerLogger
}

interface FetchState {
  partition: Partition
  /** The leader epoch the partition was added under; a change means the metadata moved on. */
  epoch: number
  state: 'truncating' | 'fetching'
  /** Not before this time (backoff after an error). */
  delayUntil: number
}

/** Fetches from one source broker; see the file comment. */
export class ReplicaFetcher {
  private states = new Map<Partition, FetchState>()
  private channel: NodeChannel | null = null
  private channelAddress = ''
  private closed = false
  private wake: (() => void) | null = null
  private readonly loop: Promise<void>

  constructor(private readonly config: ReplicaFetcherConfig) {
    this.loop = this.run()
  }

  /** Number of partitions fetched. */
  get size(): number {
    return this.states.size
  }

  /** Starts replicating `p` (it truncates first). */
  addPartition(p: Partition): void {
    this.states.set(p, {partition: p, epoch: p.leaderEpoch, state: 'truncating', delayUntil: 0})
    this.kick()
  }

  /** Stops replicating `p`; true when it was here. */
  removePartition(p: Partition): boolean {
    return this.states.delete(p)
  }

  /** The leader re-registered: reconnect (to its possibly new address) at the next request. */
  addressChanged(): void {
    this.channel?.close()
    this.channel = null
    this.kick()
  }

  /** Stops fetching; resolves when the loop has exited (no append happens afterwards). */
  async close(): Promise<void> {
    this.closed = true
    this.channel?.close()
    this.kick()
    await this.loop
  }

  private kick(): void {
    const w = this.wake
    this.wake = null
    w?.()
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null
        resolve()
      }, ms)
      this.wake = () => {
        clearTimeout(t)
        resolve()
      }
    })
  }

  private connect(): NodeChannel | null {
    const address = this.config.address()
    if (!address) return null
    const key = `${address.host}:${address.port}`
    if (!this.channel || key !== this.channelAddress) {
      this.channel?.close()
      this.channel = new NodeChannel(address, `broker-${this.config.nodeId}-fetcher-${this.config.sourceId}`)
      this.channelAddress = key
    }
    return this.channel
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      const now = Date.now()
      const ready = [...this.states.values()].filter((s) => s.delayUntil <= now)
      const channel = ready.length > 0 ? this.connect() : null
      if (!channel) {
        const next = Math.min(...[...this.states.values()].map((s) => s.delayUntil))
        await this.sleep(this.states.size === 0 ? 60000 : Math.max(10, Math.min(this.config.backoffMs, next - now)))
        continue
      }
      try {
        const truncating = ready.filter((s) => s.state === 'truncating')
        if (truncating.length > 0) await this.truncate(channel, truncating)
        const fetching = ready.filter((s) => s.state === 'fetching' && this.states.get(s.partition) === s)
        if (fetching.length > 0) await this.fetch(channel, fetching)
      } catch (err) {
        if (this.closed) break
        const msg = err instanceof KafkaError || err instanceof Error ? err.message : String(err)
        this.config.logger('warn', `fetcher ${this.config.nodeId}<-${this.config.sourceId}: ${msg}; retrying in ${this.config.backoffMs} ms`)
        for (const s of ready) s.delayUntil = Date.now() + this.config.backoffMs
      }
    }
  }

  /** Still ours and unchanged since the request went out. */
  private current(s: FetchState): boolean {
    return !this.closed && this.states.get(s.partition) === s && s.partition.role === 'follower' && s.partition.leaderEpoch === s.epoch
  }

  private delay(s: FetchState): void {
    s.delayUntil = Date.now() + this.config.backoffMs
  }

  /** OffsetForLeaderEpoch for the latest local epoch, then truncation to Kafka's answer. */
  private async truncate(channel: NodeChannel, list: FetchState[]): Promise<void> {
    const ask: FetchState[] = []
    for (const s of list) {
      const log = s.partition.log
      if (log.leaderEpochCache.latestEpoch === UNDEFINED_EPOCH) {
        // No epochs known locally: nothing is provably ours beyond the high watermark.
        log.truncateTo(log.highWatermark)
        s.state = 'fetching'
      } else ask.push(s)
    }
    if (ask.length === 0) return
    const byTopic = new Map<string, FetchState[]>()
    for (const s of ask) byTopic.set(s.partition.topic, [...(byTopic.get(s.partition.topic) ?? []), s])
    const res = await channel.send(OFFSET_FOR_LEADER_EPOCH, {
      replicaId: this.config.nodeId,
      topics: [...byTopic].map(([topic, states]) => ({
        topic,
        partitions: states.map((s) => ({partition: s.partition.partition, currentLeaderEpoch: s.epoch,
          leaderEpoch: s.partition.log.leaderEpochCache.latestEpoch})),
      })),
    }, {timeoutMs: this.config.socketTimeoutMs, version: OFFSET_FOR_LEADER_EPOCH_VERSION})
    for (const t of res.topics as {topic: string; partitions: {errorCode: number; partition: number; leaderEpoch: number; endOffset: bigint}[]}[]) {
      for (const r of t.partitions) {
        const s = byTopic.get(t.topic)?.find((x) => x.partition.partition === r.partition)
        if (!s || !this.current(s)) continue
        if (r.errorCode !== ErrorCode.NONE) {
          this.config.logger('info', `${s.partition.name}: OffsetForLeaderEpoch from ${this.config.sourceId}: error ${r.errorCode}; waiting`)
          this.delay(s)
          continue
        }
        const log = s.partition.log
        let offset: bigint
        if (r.leaderEpoch === UNDEFINED_EPOCH || r.endOffset < 0n) offset = log.highWatermark
        else if (r.leaderEpoch === log.leaderEpochCache.latestEpoch) offset = r.endOffset
        else {
          // The leader knows only an older epoch of ours: cut where both agree that epoch ends.
          const mine = log.leaderEpochCache.endOffsetFor(r.leaderEpoch, log.logEndOffset)
          offset = mine.endOffset >= 0n && mine.endOffset < r.endOffset ? mine.endOffset : r.endOffset
        }
        if (offset < log.logEndOffset) {
          this.config.logger('info', `${s.partition.name}: truncating from ${log.logEndOffset} to ${offset} (leader ${this.config.sourceId} epoch ${r.leaderEpoch} ends at ${r.endOffset})`)
          log.truncateTo(offset)
        }
        s.state = 'fetching'
      }
    }
  }

  private async fetch(channel: NodeChannel, list: FetchState[]): Promise<void> {
    const byTopic = new Map<string, FetchState[]>()
    for (const s of list) byTopic.set(s.partition.topic, [...(byTopic.get(s.partition.topic) ?? []), s])
    const {maxWaitMs, minBytes, responseMaxBytes, partitionMaxBytes} = this.config
    const res = await channel.send(FETCH, {
      clusterId: null, replicaId: this.config.nodeId, maxWaitMs, minBytes, maxBytes: responseMaxBytes, isolationLevel: 0,
      sessionId: 0, sessionEpoch: -1, forgottenTopicsData: [], rackId: '',
      topics: [...byTopic].map(([topic, states]) => ({
        topic,
        partitions: states.map((s) => {
          const log = s.partition.log
          return {partition: s.partition.partition, currentLeaderEpoch: s.epoch, fetchOffset: log.logEndOffset,
            lastFetchedEpoch: log.leaderEpochCache.latestEpoch, logStartOffset: log.logStartOffset, partitionMaxBytes}
        }),
      })),
    }, {timeoutMs: maxWaitMs + this.config.socketTimeoutMs, version: FETCH_VERSION})
    if (res.errorCode !== ErrorCode.NONE) throw new KafkaError(res.errorCode, `fetch failed with error ${res.errorCode}`)
    for (const r of decodeFollowerFetchResponse(res)) {
      const s = byTopic.get(r.topic)?.find((x) => x.partition.partition === r.partition)
      if (s && this.current(s)) this.processPartition(s, r)
    }
  }

  private processPartition(s: FetchState, r: FetchedPartition): void {
    const log = s.partition.log
    switch (r.errorCode) {
      case ErrorCode.NONE:
        break
      case ErrorCode.OFFSET_OUT_OF_RANGE:
        if (r.logStartOffset >= 0n && log.logEndOffset < r.logStartOffset) {
          this.config.logger('info', `${s.partition.name}: behind the leader's log start ${r.logStartOffset}: restarting the log there`)
          log.truncateFullyAndStartAt(r.logStartOffset)
        } else s.state = 'truncating' // ahead of the leader: find the divergence again
        return
      default:
        // NOT_LEADER_OR_FOLLOWER, FENCED/UNKNOWN_LEADER_EPOCH...: the metadata will move us on; retry meanwhile.
        this.delay(s)
        return
    }
    for (const buf of r.records) {
      for (const {pos, size} of iterateBatches(buf)) {
        const last = buf.readBigInt64BE(pos + BASE_OFFSET) + BigInt(buf.readInt32BE(pos + LAST_OFFSET_DELTA))
        if (last < log.logEndOffset) continue // already have it
        const v = validateBatch(buf, pos, size, {fromLog: true, allowControl: true})
        if (!v.ok) {
          this.config.logger('warn', `${s.partition.name}: corrupt batch from leader ${this.config.sourceId}: ${v.reason}`)
          this.delay(s)
          return
        }
        log.append(buf.subarray(pos, pos + size), {assignOffsets: false})
      }
    }
    const hw = r.highWatermark < log.logEndOffset ? r.highWatermark : log.logEndOffset
    if (hw > log.highWatermark || !log.hasExplicitHighWatermark) log.highWatermark = hw
    if (r.logStartOffset > log.logStartOffset && r.logStartOffset <= log.highWatermark) {
      try {
        log.deleteRecordsBefore(r.logStartOffset)
      } catch {
        // the leader's start is ahead of what we can delete yet; the next fetch tries again
      }
    }
  }
}
