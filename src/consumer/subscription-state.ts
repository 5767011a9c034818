/**
 * SubscriptionState: what the consumer reads and where. It owns the subscription (topic list or
 * pattern, or a manual assignment), the assigned partitions with their positions, pause flags,
 * pending offset resets and the offsets last reported by fetches. The Consumer, Fetcher and
 * ConsumerCoordinator read and change it; nothing else does.
 */
import {sortPartitions, tpKey, type TopicPartition} from './types.js'

/** How a partition without a valid position is initialised. */
export type ResetStrategy = 'earliest' | 'latest' | 'none'

/** Per-partition fetch state. */
export class TopicPartitionState {
  readonly key: string
  /** Next offset poll() returns; null until initialised (committed offset or reset). */
  position: bigint | null = null
  /** Next offset the fetcher asks for; runs ahead of `position` while responses are buffered. */
  fetchOffset: bigint | null = null
  /** Bumped by seek/reset so responses and buffers from before it are dropped. */
  epoch = 0
  /** A pending reset (ListOffsets) instead of a position. */
  reset: ResetStrategy | {timestamp: number} | undefined
  paused = false
  highWatermark = -1n
  lastStableOffset = -1n
  logStartOffset = -1n
  /** Not fetchable before this time (after an error). */
  backoffUntil = 0
  /** Completed fetches waiting to be drained. */
  buffered = 0
  /** True while a Fetch asking for this partition is out. */
  fetching = false

  constructor(readonly topic: string, readonly partition: number) {
    this.key = tpKey(topic, partition)
  }

  /** Moves both positions to `offset` and forgets anything in flight or buffered. */
  seek(offset: bigint): void {
    this.position = offset
    this.fetchOffset = offset
    this.reset = undefined
    this.epoch++
  }

  /** True when the fetcher may ask for more data for this partition. */
  fetchable(now: number, maxBuffered: number): boolean {
    return !this.paused && !this.fetching && this.fetchOffset !== null && this.reset === undefined && now >= this.backoffUntil && this.buffered < maxBuffered
  }
}

/** Subscription and assignment of one consumer. */
export class SubscriptionState {
  mode: 'none' | 'assign' | 'subscribe' = 'none'
  /** Subscribed topic names (subscribe mode, also the current regex matches). */
  topics = new Set<string>()
  pattern: RegExp | undefined
  private readonly assigned = new Map<string, TopicPartitionState>()

  constructor(readonly defaultReset: ResetStrategy) {}

  /** Replaces the assignment; partitions kept keep their state, new ones start without a position. */
  setAssignment(tps: TopicPartition[]): void {
    const keep = new Map<string, TopicPartitionState>()
    for (const tp of tps) {
      const key = tpKey(tp.topic, tp.partition)
      keep.set(key, this.assigned.get(key) ?? new TopicPartitionState(tp.topic, tp.partition))
    }
    for (const [key, s] of this.assigned) {
      // A partition that leaves must drop responses still in flight for it.
      if (!keep.has(key)) s.epoch++
    }
    this.assigned.clear()
    for (const [key, s] of keep) this.assigned.set(key, s)
  }

  /** Adds partitions (cooperative: only the newly assigned ones). */
  addPartitions(tps: TopicPartition[]): void {
    this.setAssignment([...this.assignment(), ...tps.filter((tp) => !this.isAssigned(tp))])
  }

  /** Removes partitions (cooperative revocation). */
  removePartitions(tps: TopicPartition[]): void {
    const drop = new Set(tps.map((tp) => tpKey(tp.topic, tp.partition)))
    this.setAssignment(this.assignment().filter((tp) => !drop.has(tpKey(tp.topic, tp.partition))))
  }

  /** Assigned partitions, sorted. */
  assignment(): TopicPartition[] {
    return sortPartitions([...this.assigned.values()].map((s) => ({topic: s.topic, partition: s.partition})))
  }

  /** Every assigned partition's state. */
  states(): IterableIterator<TopicPartitionState> {
    return this.assigned.values()
  }

  /** State of an assigned partition, or undefined. */
  state(topic: string, partition: number): TopicPartitionState | undefined {
    return this.assigned.get(tpKey(topic, partition))
  }

  /** State by `${topic}-${partition}` key. */
  stateByKey(key: string): TopicPartitionState | undefined {
    return this.assigned.get(key)
  }

  /** True when the partition is assigned. */
  isAssigned(tp: TopicPartition): boolean {
    return this.assigned.has(tpKey(tp.topic, tp.partition))
  }

  /** The state of an assigned partition; throws when it is not assigned. */
  require(tp: TopicPartition): TopicPartitionState {
    const s = this.assigned.get(tpKey(tp.topic, tp.partition))
    if (!s) throw new Error(`partition ${tp.topic}-${tp.partition} is not assigned to this consumer`)
    return s
  }

  /** Positions of assigned partitions that have one (what a commit of "everything consumed" sends). */
  allConsumed(): Map<string, bigint> {
    const out = new Map<string, bigint>()
    for (const s of this.assigned.values()) if (s.position !== null) out.set(s.key, s.position)
    return out
  }

  /** Partitions that still need a position: committed offset or reset. */
  missingPositions(): TopicPartitionState[] {
    return [...this.assigned.values()].filter((s) => s.position === null && s.reset === undefined)
  }

  /** True when some partition needs its committed offset or a reset before it can be fetched. */
  needsPositions(): boolean {
    for (const s of this.assigned.values()) if (s.reset !== undefined || s.position === null) return true
    return false
  }

  /** Partitions with a pending reset. */
  pendingResets(): TopicPartitionState[] {
    return [...this.assigned.values()].filter((s) => s.reset !== undefined)
  }

  /** True when the subscription (topic list or pattern) covers `topic`. */
  matches(topic: string): boolean {
    return this.pattern ? this.pattern.test(topic) : this.topics.has(topic)
  }
}
