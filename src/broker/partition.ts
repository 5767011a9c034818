/**
 * Partition: one replica this node hosts (Kafka's Partition). As leader it tracks each follower's
 * log end offset and lastCaughtUpTimeMs from the follower's fetches, keeps the high watermark at
 * the smallest log end offset in the ISR (never backwards), and asks the controller
 * (MetadataManager.alterPartition) to shrink the ISR of followers lagging more than
 * replica.lag.time.max.ms and to expand it when a follower reaches the high watermark. Emits 'hw'
 * when the high watermark moves or leadership changes, so parked acks=all produces and consumer
 * fetches re-check.
 */
import {EventEmitter} from 'node:events'
import {ErrorCode} from '../protocol/index.js'
import type {Log} from '../storage/index.js'
import type {BrokerLogger, MetadataManager, PartitionImage} from './context.js'

/** The leader's view of one follower (Kafka's Replica). */
interface FollowerState {
  logEndOffset: bigint
  lastCaughtUpTimeMs: number
  lastFetchTimeMs: number
  /** The leader's log end offset when the previous fetch arrived. */
  lastFetchLeaderLogEndOffset: bigint
}

/** One hosted replica; see the file comment. */
export class Partition extends EventEmitter {
  role: 'leader' | 'follower' | 'none' = 'none'
  leaderId = -1
  leaderEpoch = -1
  partitionEpoch = -1
  isr: number[] = []
  replicas: number[] = []
  private followers = new Map<number, FollowerState>()
  private pendingAlter = false
  /** The high watermark last announced with 'hw' (a log following its end moves without telling us). */
  private lastHighWatermark: bigint
  private readonly onAppend = (): void => {
    if (this.role === 'leader') this.maybeIncrementHighWatermark()
  }

  constructor(readonly topic: string, readonly partition: number, readonly log: Log, private readonly nodeId: number,
    private readonly metadata: MetadataManager, private readonly logger: BrokerLogger, private readonly clock: () => number = Date.now) {
    super()
    this.setMaxListeners(0)
    this.lastHighWatermark = log.highWatermark
    log.on('append', this.onAppend)
  }

  /** "topic-partition", for log lines. */
  get name(): string {
    return `${this.topic}-${this.partition}`
  }

  get isLeader(): boolean {
    return this.role === 'leader'
  }

  /**
   * Makes this replica the leader of `image.leaderEpoch`: the epoch starts at the log end offset,
   * follower states restart (ISR members count as caught up now, as Kafka does).
   */
  becomeLeader(image: PartitionImage): void {
    const newEpoch = this.role !== 'leader' || image.leaderEpoch !== this.leaderEpoch
    this.apply(image)
    this.role = 'leader'
    if (newEpoch) {
      const now = this.clock()
      this.followers.clear()
      for (const r of image.replicas) {
        if (r === this.nodeId) continue
        this.followers.set(r, {logEndOffset: -1n, lastCaughtUpTimeMs: image.isr.includes(r) ? now : 0,
          lastFetchTimeMs: 0, lastFetchLeaderLogEndOffset: -1n})
      }
      this.log.assignEpochStartOffset(image.leaderEpoch, this.log.logEndOffset)
      this.pendingAlter = false
    }
    this.maybeIncrementHighWatermark()
    this.emit('hw')
  }

  /** Makes this replica a follower of `image.leader` (the ReplicaManager starts its fetcher). */
  becomeFollower(image: PartitionImage): void {
    this.apply(image)
    this.role = 'follower'
    // From now on the leader's HW rules; a log that followed its own end keeps today's value as the start.
    if (!this.log.hasExplicitHighWatermark) this.log.highWatermark = this.log.highWatermark
    this.followers.clear()
    this.pendingAlter = false
    this.emit('hw')
  }

  /** This node no longer hosts the replica (or is shutting down): wake waiters, stop listening. */
  stop(): void {
    this.role = 'none'
    this.log.off('append', this.onAppend)
    this.emit('hw')
  }

  private apply(image: PartitionImage): void {
    this.leaderId = image.leader
    this.leaderEpoch = image.leaderEpoch
    this.partitionEpoch = image.partitionEpoch
    this.isr = [...image.isr]
    this.replicas = [...image.replicas]
  }

  /** A committed ISR change under the same leader epoch (AlterPartition, fencing by the controller). */
  updateIsr(image: PartitionImage): void {
    if (image.partitionEpoch < this.partitionEpoch) return
    this.partitionEpoch = image.partitionEpoch
    this.isr = [...image.isr]
    this.replicas = [...image.replicas]
    if (this.role === 'leader') {
      for (const r of image.replicas) {
        if (r !== this.nodeId && !this.followers.has(r)) {
          this.followers.set(r, {logEndOffset: -1n, lastCaughtUpTimeMs: 0, lastFetchTimeMs: 0, lastFetchLeaderLogEndOffset: -1n})
        }
      }
      this.maybeIncrementHighWatermark()
      this.emit('hw')
    }
  }

  /**
   * Error code for a request that must reach the leader: LEADER_NOT_AVAILABLE offline,
   * NOT_LEADER_OR_FOLLOWER elsewhere, FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH for a stale / newer
   * currentLeaderEpoch (-1: not checked); NONE when this node leads.
   */
  leaderCheck(currentLeaderEpoch: number): number {
    const epochError = this.epochCheck(currentLeaderEpoch)
    if (epochError !== ErrorCode.NONE) return epochError
    if (this.role === 'leader') return ErrorCode.NONE
    return this.leaderId < 0 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NOT_LEADER_OR_FOLLOWER
  }

  /** FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH when the client's epoch differs from ours. */
  epochCheck(currentLeaderEpoch: number): number {
    if (currentLeaderEpoch < 0 || currentLeaderEpoch === this.leaderEpoch) return ErrorCode.NONE
    return currentLeaderEpoch < this.leaderEpoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH
  }

  /**
   * A follower fetched from `fetchOffset` (its log end offset): it is caught up when it reached our
   * log end offset, or the one we had at its previous fetch (Kafka's rule). May expand the ISR and
   * advance the high watermark. Returns false when `replicaId` is not a replica of this partition.
   */
  updateFollowerFetchState(replicaId: number, fetchOffset: bigint): boolean {
    const f = this.followers.get(replicaId)
    if (!f) return false
    const now = this.clock()
    const leo = this.log.logEndOffset
    if (fetchOffset >= leo) f.lastCaughtUpTimeMs = now
    else if (f.lastFetchLeaderLogEndOffset >= 0n && fetchOffset >= f.lastFetchLeaderLogEndOffset) {
      f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, f.lastFetchTimeMs)
    }
    f.logEndOffset = fetchOffset
    f.lastFetchTimeMs = now
    f.lastFetchLeaderLogEndOffset = leo
    this.maybeExpandIsr(replicaId, f)
    this.maybeIncrementHighWatermark()
    return true
  }

  /** The follower's log end offset as the leader last saw it (-1 unknown). */
  followerLogEndOffset(replicaId: number): bigint {
    return this.followers.get(replicaId)?.logEndOffset ?? -1n
  }

  /** HW = the smallest log end offset over the ISR; it follows our log end offset alone when the ISR is just us. */
  maybeIncrementHighWatermark(): void {
    if (this.role !== 'leader') return
    const before = this.log.highWatermark
    if (this.isr.length === 1 && this.isr[0] === this.nodeId) {
      this.log.followLogEndWithHighWatermark()
    } else {
      let hw = this.log.logEndOffset
      for (const r of this.isr) {
        if (r === this.nodeId) continue
        const leo = this.followers.get(r)?.logEndOffset ?? -1n
        if (leo < hw) hw = leo
      }
      if (hw > before) this.log.highWatermark = hw
      else if (!this.log.hasExplicitHighWatermark) this.log.highWatermark = before // freeze it where it is
    }
    const after = this.log.highWatermark
    if (after !== this.lastHighWatermark) {
      this.lastHighWatermark = after
      this.emit('hw')
    }
  }

  private maybeExpandIsr(replicaId: number, f: FollowerState): void {
    if (this.isr.includes(replicaId) || this.pendingAlter) return
    // Caught up to the HW and past the start of our epoch: it holds everything committed so far.
    const epochStart = this.log.leaderEpochCache.epochEntries.at(-1)?.startOffset ?? 0n
    if (f.logEndOffset >= this.log.highWatermark && f.logEndOffset >= epochStart) {
      this.alterIsr([...this.isr, replicaId], `expanding ISR to add ${replicaId}`)
    }
  }

  /** Followers in the ISR that have not caught up within `lagTimeMs`; shrinks the ISR without them. */
  maybeShrinkIsr(lagTimeMs: number): void {
    if (this.role !== 'leader' || this.pendingAlter) return
    const live = this.liveIsr(lagTimeMs)
    const out = this.isr.filter((r) => !live.includes(r))
    if (out.length === 0) return
    this.alterIsr(this.isr.filter((r) => !out.includes(r)), `shrinking ISR: ${out.join(',')} lag more than ${lagTimeMs} ms`)
  }

  /** One AlterPartition at a time; a failure leaves the ISR as is and the next fetch or timer tick retries. */
  private alterIsr(newIsr: number[], why: string): void {
    this.pendingAlter = true
    const epoch = this.leaderEpoch
    this.logger('info', `${this.name}: ${why} (ISR ${this.isr.join(',')} -> ${newIsr.join(',')})`)
    this.metadata.alterPartition(this.topic, this.partition, {leaderId: this.nodeId, leaderEpoch: epoch,
      partitionEpoch: this.partitionEpoch, newIsr})
      .then((image) => {
        if (this.role === 'leader' && this.leaderEpoch === epoch) this.updateIsr(image)
      }, (err: Error) => {
        this.logger('warn', `${this.name}: AlterPartition failed: ${err.message}`)
      })
      .finally(() => {
        if (this.leaderEpoch === epoch) this.pendingAlter = false
      })
  }

  /**
   * The ISR members that count for acks=all: the leader, and followers that caught up within
   * `lagTimeMs` even while the controller still lists them. When the controller quorum is lost too
   * (two of three combined nodes down) the ISR can no longer shrink, and writes that cannot reach
   * min.insync.replicas copies should fail with NOT_ENOUGH_REPLICAS rather than time out.
   */
  liveIsr(lagTimeMs = Infinity): number[] {
    const now = this.clock()
    return this.isr.filter((r) => {
      const f = this.followers.get(r)
      return r === this.nodeId || (f !== undefined && now - f.lastCaughtUpTimeMs <= lagTimeMs)
    })
  }
}
