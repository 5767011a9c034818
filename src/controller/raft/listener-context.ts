/**
 * ListenerContext: what the Raft client tells its listeners (KafkaRaftClient's ListenerContext, kept
 * once for all listeners since they share one delivery cursor): committed batches in log order,
 * leadership changes, and onBecomeLeader once the new leader's epoch has a committed entry. Separate
 * from RaftCore because it only reads the log and calls listeners; RaftCore decides when.
 */
import {toCommittedBatch, type RaftLog} from './raft-log.js'
import type {LeaderAndEpoch, RaftListener} from './types.js'

/** Delivery to the registered listeners (see file comment). */
export class ListenerContext {
  readonly listeners: RaftListener[] = []
  /** Next offset to deliver to listeners. */
  deliveredTo = 0n
  private lastAnnounced: LeaderAndEpoch = {leaderId: -1, epoch: -1}
  private caughtUpResolve!: () => void
  /** Resolved by markCaughtUp (see RaftCore.caughtUp). */
  readonly caughtUp = new Promise<void>((resolve) => (this.caughtUpResolve = resolve))

  constructor(private readonly logger: (level: 'info' | 'warn' | 'error', msg: string) => void) {}

  /** Everything committed when this node first heard from a leader has been delivered. */
  markCaughtUp(): void {
    this.caughtUpResolve()
  }

  /** Calls one listener; a failing listener is logged and must not break the Raft state machine. */
  call(fn: () => void): void {
    try {
      fn()
    } catch (err) {
      this.logger('error', `raft: listener failed: ${(err as Error).stack ?? err}`)
    }
  }

  /** Tells listeners when (leader, epoch) changed. */
  announce(now: LeaderAndEpoch): void {
    if (now.leaderId === this.lastAnnounced.leaderId && now.epoch === this.lastAnnounced.epoch) return
    this.lastAnnounced = now
    for (const l of this.listeners) this.call(() => l.onLeaderChange({...now}))
  }

  /** Delivers committed batches not yet delivered, in order; control batches are Raft's own. */
  deliver(log: RaftLog, highWatermark: bigint): void {
    const to = highWatermark < log.endOffset ? highWatermark : log.endOffset
    if (this.deliveredTo >= to) return
    for (const b of log.readBatches(this.deliveredTo, to)) {
      this.deliveredTo = b.baseOffset + BigInt(b.lastOffsetDelta) + 1n
      if (b.isControl) continue
      const batch = toCommittedBatch(b)
      for (const l of this.listeners) this.call(() => l.onCommit(batch))
    }
  }

  /** The leader of `epoch` has committed an entry of its epoch: it is caught up and may write. */
  becomeLeader(epoch: number): void {
    this.markCaughtUp()
    for (const l of this.listeners) this.call(() => l.onBecomeLeader(epoch))
  }
}
