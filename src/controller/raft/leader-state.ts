/**
 * LeaderState: what the Raft leader tracks for one epoch -- each voter's replicated end offset and
 * fetch times, observers, which voters have acknowledged the epoch, and the high watermark (KRaft's
 * LeaderState). The high watermark is the end offset replicated on a majority, and only moves once it
 * passes the epoch's start offset: a leader may not commit entries of older epochs by counting replicas.
 */
import type {QuorumState, VoterState} from './types.js'

/** One replica as the leader sees it. endOffset -1: not heard from in this epoch. */
interface ReplicaState { nodeId: number; endOffset: bigint; lastFetchTimestamp: number; lastCaughtUpTimestamp: number; acknowledged: boolean }

/** Observers that have not fetched for this long are forgotten. */
const OBSERVER_EXPIRY_MS = 5 * 60_000

/** The leader's view of replication in its epoch (see file comment). */
export class LeaderState {
  private readonly voters = new Map<number, ReplicaState>()
  private readonly observers = new Map<number, ReplicaState>()
  /** Exclusive; -1 until the epoch's first entry is committed. */
  highWatermark = -1n

  constructor(readonly localId: number, readonly epoch: number, readonly epochStartOffset: bigint, voterIds: number[], readonly startedMs: number) {
    for (const id of voterIds) {
      this.voters.set(id, {nodeId: id, endOffset: -1n, lastFetchTimestamp: -1, lastCaughtUpTimestamp: -1, acknowledged: id === localId})
    }
  }

  /** The leader's own durable end offset; returns true when the high watermark moved. */
  updateLocalEnd(endOffset: bigint, now: number): boolean {
    const self = this.voters.get(this.localId)
    if (self) {
      self.endOffset = endOffset
      self.lastFetchTimestamp = self.lastCaughtUpTimestamp = now
    }
    return this.recompute()
  }

  /** A Fetch from `nodeId` at `fetchOffset` (its end offset); returns true when the high watermark moved. */
  updateReplica(nodeId: number, fetchOffset: bigint, leaderEnd: bigint, now: number): boolean {
    let r = this.voters.get(nodeId)
    if (!r) {
      r = this.observers.get(nodeId)
      if (!r) this.observers.set(nodeId, (r = {nodeId, endOffset: -1n, lastFetchTimestamp: -1, lastCaughtUpTimestamp: -1, acknowledged: true}))
    }
    r.endOffset = fetchOffset
    r.lastFetchTimestamp = now
    r.acknowledged = true
    if (fetchOffset >= leaderEnd) r.lastCaughtUpTimestamp = now
    for (const [id, o] of this.observers) if (now - o.lastFetchTimestamp > OBSERVER_EXPIRY_MS) this.observers.delete(id)
    return this.voters.has(nodeId) && this.recompute()
  }

  /** The high watermark last sent to each replica: a replica that has not seen the current one is answered at once. */
  private readonly hwSent = new Map<number, bigint>()

  /** Whether `nodeId` has been told the high watermark `hw`. */
  knowsHighWatermark(nodeId: number, hw: bigint): boolean {
    return this.hwSent.get(nodeId) === hw
  }

  noteHighWatermarkSent(nodeId: number, hw: bigint): void {
    if (nodeId >= 0) this.hwSent.set(nodeId, hw)
  }

  /** A voter answered BeginQuorumEpoch. */
  acknowledge(nodeId: number): void {
    const r = this.voters.get(nodeId)
    if (r) r.acknowledged = true
  }

  /** Voters that have neither answered BeginQuorumEpoch nor fetched in this epoch. */
  unacknowledged(): number[] {
    return [...this.voters.values()].filter((r) => !r.acknowledged).map((r) => r.nodeId)
  }

  /** Whether a majority (the leader included) fetched within `windowMs` (check-quorum). */
  hasMajorityContact(now: number, windowMs: number): boolean {
    let n = 0
    for (const r of this.voters.values()) if (r.nodeId === this.localId || (r.lastFetchTimestamp >= 0 && now - r.lastFetchTimestamp <= windowMs)) n++
    return n > this.voters.size / 2
  }

  /** Other voters, most caught-up first: the preferred successors of a resigning leader. */
  preferredSuccessors(): number[] {
    return [...this.voters.values()].filter((r) => r.nodeId !== this.localId)
      .sort((a, b) => (a.endOffset > b.endOffset ? -1 : a.endOffset < b.endOffset ? 1 : a.nodeId - b.nodeId)).map((r) => r.nodeId)
  }

  private recompute(): boolean {
    const ends = [...this.voters.values()].map((r) => r.endOffset).sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))
    // The (floor(n/2)+1)-th largest end offset is held by a majority.
    const majority = ends[Math.floor(ends.length / 2)]
    if (majority > this.epochStartOffset && majority > this.highWatermark) {
      this.highWatermark = majority
      return true
    }
    return false
  }

  /** DescribeQuorum's view. */
  describe(): QuorumState & {observers: VoterState[]} {
    const view = (r: ReplicaState): VoterState => ({nodeId: r.nodeId, logEndOffset: r.endOffset,
      lastFetchTimestamp: r.lastFetchTimestamp, lastCaughtUpTimestamp: r.lastCaughtUpTimestamp})
    return {leaderId: this.localId, leaderEpoch: this.epoch, highWatermark: this.highWatermark,
      voters: [...this.voters.values()].map(view), observers: [...this.observers.values()].map(view)}
  }
}
