/**
 * FakeRaft: an in-memory Raft quorum shared by N in-process nodes, for controller tests. One common
 * list of committed batches is delivered to every registered listener in order; the leader is set
 * by the test (setLeader), which calls onLeaderChange everywhere and onBecomeLeader on the new one.
 */
import {ErrorCode, KafkaError} from '../../src/protocol/index.js'
import type {CommittedBatch, LeaderAndEpoch, QuorumState, RaftClientApi, RaftListener} from '../../src/controller/raft/types.js'

/** The shared log and leadership of a fake quorum. */
export class FakeQuorum {
  readonly batches: CommittedBatch[] = []
  leader = -1
  epoch = 0
  private readonly nodes = new Map<number, FakeRaft>()
  /** When set, appends fail (e.g. to test a lost quorum). */
  failAppends = false

  /** The Raft client of node `id` (created on first use). */
  node(id: number): FakeRaft {
    let n = this.nodes.get(id)
    if (!n) this.nodes.set(id, (n = new FakeRaft(this, id)))
    return n
  }

  /** Makes `id` the leader (-1: none) of a new epoch and tells every node. */
  setLeader(id: number): void {
    this.leader = id
    this.epoch++
    const le = {leaderId: id, epoch: this.epoch}
    for (const n of this.nodes.values()) n.deliverLeader(le)
  }

  /** Appends a batch and delivers it to every live node. */
  append(values: Buffer[]): bigint {
    const baseOffset = this.batches.length === 0 ? 0n : this.batches[this.batches.length - 1].lastOffset + 1n
    const batch: CommittedBatch = {baseOffset, lastOffset: baseOffset + BigInt(values.length) - 1n, epoch: this.epoch, records: values}
    this.batches.push(batch)
    for (const n of this.nodes.values()) n.deliver(batch)
    return batch.lastOffset
  }

  /** Drops node `id` (a crash): it hears nothing more until node(id) registers listeners again. */
  crash(id: number): void {
    this.nodes.get(id)?.stop()
    this.nodes.delete(id)
  }
}

/** One node's view of the fake quorum. */
export class FakeRaft implements RaftClientApi {
  private listeners: RaftListener[] = []
  private stopped = false

  constructor(private readonly quorum: FakeQuorum, readonly nodeId: number) {}

  leaderAndEpoch(): LeaderAndEpoch {
    return {leaderId: this.quorum.leader, epoch: this.quorum.epoch}
  }

  isLeader(): boolean {
    return !this.stopped && this.quorum.leader === this.nodeId
  }

  register(listener: RaftListener): void {
    this.listeners.push(listener)
    for (const b of this.quorum.batches) listener.onCommit(b)
    if (this.isLeader()) listener.onBecomeLeader(this.quorum.epoch)
  }

  async appendAndCommit(values: Buffer[]): Promise<bigint> {
    // A real commit takes a network round trip: stay asynchronous.
    await new Promise((r) => setImmediate(r))
    if (!this.isLeader() || this.quorum.failAppends) throw new KafkaError(ErrorCode.NOT_CONTROLLER, `fake node ${this.nodeId} is not the leader`)
    return this.quorum.append(values)
  }

  describeQuorum(): QuorumState {
    return {leaderId: this.quorum.leader, leaderEpoch: this.quorum.epoch, highWatermark: BigInt(this.quorum.batches.length), voters: []}
  }

  async shutdown(): Promise<void> {
    this.stop()
  }

  /** @internal */
  deliver(batch: CommittedBatch): void {
    if (!this.stopped) for (const l of this.listeners) l.onCommit(batch)
  }

  /** @internal */
  deliverLeader(le: LeaderAndEpoch): void {
    if (this.stopped) return
    for (const l of this.listeners) l.onLeaderChange(le)
    if (le.leaderId === this.nodeId) for (const l of this.listeners) l.onBecomeLeader(le.epoch)
  }

  /** @internal */
  stop(): void {
    this.stopped = true
  }
}
