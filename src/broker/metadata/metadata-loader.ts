/**
 * MetadataLoader: every node's replay of the committed metadata log (Kafka's MetadataLoader). It is
 * the node's RaftListener: each committed batch is decoded and applied to the one MetadataImage,
 * then the changes go to the listeners (replica manager, group coordinator) in log order. Writers
 * wait here until their records have been replayed.
 */
import type {CommittedBatch, LeaderAndEpoch, RaftListener} from '../../controller/raft/types.js'
import type {BrokerLogger, MetadataChange} from '../context.js'
import {MetadataImage} from './image.js'
import {decodeMetadataRecord} from './records.js'

interface Waiter { done: () => boolean; resolve: (ok: boolean) => void; timer: NodeJS.Timeout }

/** See the file comment. */
export class MetadataLoader implements RaftListener {
  readonly image: MetadataImage
  /** Offset of the last replayed record; -1 before the first batch. */
  lastOffset = -1n
  private readonly listeners: ((change: MetadataChange) => void)[] = []
  private readonly leaderListeners: RaftListener[] = []
  private waiters: Waiter[] = []

  constructor(nodeId: number, private readonly logger: BrokerLogger) {
    this.image = new MetadataImage(nodeId)
  }

  /** Hears every applied change. */
  onChange(listener: (change: MetadataChange) => void): void {
    this.listeners.push(listener)
  }

  /** Passes leadership events on (the controller hears them after the batches before them were applied). */
  addLeaderListener(listener: RaftListener): void {
    this.leaderListeners.push(listener)
  }

  onCommit(batch: CommittedBatch): void {
    const changes: MetadataChange[] = []
    for (const value of batch.records) {
      try {
        const rec = decodeMetadataRecord(value)
        const change = rec && this.image.apply(rec)
        if (change) changes.push(change)
      } catch (err) {
        // A record this node cannot read must not stop the replay of the rest.
        this.logger('error', `skipping undecodable metadata record at batch ${batch.baseOffset}: ${(err as Error).message}`)
      }
    }
    if (batch.lastOffset > this.lastOffset) this.lastOffset = batch.lastOffset
    for (const change of changes) {
      for (const l of this.listeners) {
        try {
          l(change)
        } catch (err) {
          this.logger('error', `metadata listener failed on ${change.kind}: ${(err as Error).stack ?? err}`)
        }
      }
    }
    this.checkWaiters()
  }

  onBecomeLeader(epoch: number): void {
    for (const l of this.leaderListeners) l.onBecomeLeader(epoch)
  }

  onLeaderChange(leader: LeaderAndEpoch): void {
    for (const l of this.leaderListeners) l.onLeaderChange(leader)
  }

  /** Resolves true once `done()` holds after a replay (or at once), false after timeoutMs. */
  waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
    if (done()) return Promise.resolve(true)
    return new Promise((resolve) => {
      const w: Waiter = {done, resolve, timer: setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w)
        resolve(false)
      }, timeoutMs)}
      this.waiters.push(w)
    })
  }

  /** Resolves true once the record at `offset` has been replayed. */
  waitForOffset(offset: bigint, timeoutMs: number): Promise<boolean> {
    return this.waitFor(() => this.lastOffset >= offset, timeoutMs)
  }

  private checkWaiters(): void {
    if (this.waiters.length === 0) return
    const still: Waiter[] = []
    for (const w of this.waiters) {
      if (w.done()) {
        clearTimeout(w.timer)
        w.resolve(true)
      } else still.push(w)
    }
    this.waiters = still
  }

  /** Fails every pending wait (shutdown). */
  close(): void {
    for (const w of this.waiters) {
      clearTimeout(w.timer)
      w.resolve(false)
    }
    this.waiters = []
  }
}
