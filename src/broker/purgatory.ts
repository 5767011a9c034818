/**
 * Purgatory: requests parked until a condition holds or a timeout expires (Kafka's
 * DelayedOperationPurgatory). A delayed fetch watches the logs it reads; each 'append' event on a
 * watched log re-checks the operations watching that log, so a long poll answers as soon as enough
 * bytes arrived instead of at the end of maxWaitMs. Other keys name their own event: a Partition's
 * 'hw' wakes acks=all produces and consumer fetches when the high watermark moves. Owned by
 * broker.ts; used by the Fetch and Produce handlers.
 */
import type {EventEmitter} from 'node:events'

/** One parked operation. */
class DelayedOperation<T> {
  completed = false
  timer: NodeJS.Timeout | undefined

  constructor(
    readonly keys: EventEmitter[],
    private readonly isSatisfied: () => boolean,
    private readonly onComplete: () => T | Promise<T>,
    private readonly resolve: (v: T) => void,
    private readonly reject: (e: unknown) => void,
  ) {}

  /** Completes when the condition holds; true when the operation is finished. */
  tryComplete(): boolean {
    if (this.completed) return true
    let ok: boolean
    try {
      ok = this.isSatisfied()
    } catch {
      ok = true // let onComplete produce the error response
    }
    if (ok) this.forceComplete()
    return this.completed
  }

  /** Completes now whatever the condition (timeout, shutdown). */
  forceComplete(): void {
    if (this.completed) return
    this.completed = true
    if (this.timer) clearTimeout(this.timer)
    try {
      Promise.resolve(this.onComplete()).then(this.resolve, this.reject)
    } catch (err) {
      this.reject(err)
    }
  }
}

/** Parked operations keyed by the logs (event emitters) they watch. */
export class Purgatory {
  private watchers = new Map<EventEmitter, Set<DelayedOperation<any>>>()
  private listeners = new Map<EventEmitter, {event: string; fn: () => void}>()
  /** Logs appended to since the last check; checks are coalesced into one per event-loop turn. */
  private dirty = new Set<EventEmitter>()
  private checkScheduled = false
  private closed = false

  /**
   * Parks an operation: resolves with `complete()` as soon as `isSatisfied()` holds after an append
   * to one of `keys` (or whichever `event` they emit), or when `timeoutMs` expires, or at shutdown.
   * One emitter is always watched for the same event.
   */
  park<T>(keys: EventEmitter[], timeoutMs: number, isSatisfied: () => boolean, complete: () => T | Promise<T>,
    event = 'append'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const op = new DelayedOperation<T>(keys, isSatisfied, complete, resolve, reject)
      if (this.closed || timeoutMs <= 0) return op.forceComplete()
      op.timer = setTimeout(() => {
        op.forceComplete()
        this.unwatch(op)
      }, timeoutMs)
      for (const key of keys) this.watch(key, op, event)
    })
  }

  /** Number of parked operations (for tests and metrics). */
  get size(): number {
    const all = new Set<DelayedOperation<any>>()
    for (const set of this.watchers.values()) for (const op of set) all.add(op)
    return all.size
  }

  private watch(key: EventEmitter, op: DelayedOperation<any>, event: string): void {
    let set = this.watchers.get(key)
    if (!set) {
      this.watchers.set(key, (set = new Set()))
      const fn = () => this.onAppend(key)
      this.listeners.set(key, {event, fn})
      key.on(event, fn)
    }
    set.add(op)
  }

  private unwatch(op: DelayedOperation<any>): void {
    for (const key of op.keys) {
      const set = this.watchers.get(key)
      if (!set) continue
      set.delete(op)
      if (set.size === 0) this.removeKey(key)
    }
  }

  private removeKey(key: EventEmitter): void {
    this.watchers.delete(key)
    const listener = this.listeners.get(key)
    if (listener) key.off(listener.event, listener.fn)
    this.listeners.delete(key)
  }

  private onAppend(key: EventEmitter): void {
    this.dirty.add(key)
    if (this.checkScheduled) return
    this.checkScheduled = true
    // Appends of one produce request arrive together: check once after they all landed.
    setImmediate(() => this.checkDirty())
  }

  private checkDirty(): void {
    this.checkScheduled = false
    const keys = [...this.dirty]
    this.dirty.clear()
    for (const key of keys) {
      const set = this.watchers.get(key)
      if (!set) continue
      for (const op of [...set]) {
        if (op.tryComplete()) this.unwatch(op)
      }
    }
  }

  /** Completes every parked operation now (broker shutdown). */
  shutdown(): void {
    this.closed = true
    const all = new Set<DelayedOperation<any>>()
    for (const set of this.watchers.values()) for (const op of set) all.add(op)
    for (const op of all) {
      op.forceComplete()
      this.unwatch(op)
    }
  }
}
