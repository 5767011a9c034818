/**
 * The Raft client's two purgatories (KafkaRaftClient's appendPurgatory and fetchPurgatory): leader
 * appends waiting for the high watermark to pass them, and follower fetches long-polled on the leader.
 * Separate from RaftCore because they only hold and settle promises; RaftCore decides when. Deliberately
 * simpler than the broker's Purgatory: every change wakes every parked fetch at once, in the same turn.
 */
import {ErrorCode, KafkaError} from '../../protocol/index.js'

/** One append waiting for its commit. */
interface PendingAppend { lastOffset: bigint; epoch: number; resolve: (o: bigint) => void; reject: (e: Error) => void }

/** Leader appends waiting for the high watermark to pass their last offset. */
export class AppendPurgatory {
  private pending: PendingAppend[] = []

  /** Resolves with `lastOffset` once committed; rejects when leadership of `epoch` is lost first. */
  await(lastOffset: bigint, epoch: number): Promise<bigint> {
    return new Promise<bigint>((resolve, reject) => this.pending.push({lastOffset, epoch, resolve, reject}))
  }

  /** Resolves every append whose last offset is below the high watermark `hw`. */
  completeBelow(hw: bigint): void {
    const ready = this.pending.filter((p) => p.lastOffset < hw)
    if (ready.length > 0) {
      this.pending = this.pending.filter((p) => p.lastOffset >= hw)
      for (const p of ready) p.resolve(p.lastOffset)
    }
  }

  /** Leadership ended: only a leader could have committed them, so every pending append fails. */
  failAll(): void {
    const lost = this.pending
    this.pending = []
    for (const p of lost) p.reject(new KafkaError(ErrorCode.NOT_CONTROLLER, `leadership of epoch ${p.epoch} lost before offset ${p.lastOffset} committed`))
  }
}

/** Leader-side fetches parked until new data, a high watermark move or a role change (or their timeout). */
export class FetchPurgatory {
  private readonly wakers = new Set<() => void>()

  /** Parks a fetch; resolves with `answer()` when woken or after maxWaitMs (at most 10 s). */
  await(maxWaitMs: number, answer: () => object): Promise<object> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer)
        this.wakers.delete(wake)
        resolve(answer())
      }
      const timer = setTimeout(wake, Math.min(maxWaitMs, 10_000))
      this.wakers.add(wake)
    })
  }

  /** Answers every parked fetch now. */
  completeAll(): void {
    for (const w of [...this.wakers]) w()
  }
}
