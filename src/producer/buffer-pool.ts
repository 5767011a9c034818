/**
 * BufferPool: the hard buffer.memory bound of one producer. Buffers of exactly batch.size
 * (`poolableSize`) are kept on a free list and reused; other sizes come from the rest of the memory
 * and are given back to it. When memory runs out, allocate() waits first come first served until
 * enough is freed, or fails after the given time. Owned by RecordAccumulator; freed by the Sender.
 */
import {BufferExhaustedError} from './errors.js'

interface Waiter {
  size: number
  resolve: (buf: Buffer) => void
  reject: (err: Error) => void
  timer: NodeJS.Timeout | undefined
  maxBlockMs: number
}

/** A bounded pool of record batch buffers. */
export class BufferPool {
  private readonly free: Buffer[] = []
  /** Memory not on the free list and not handed out. */
  private nonPooledAvailable: number
  private readonly waiters: Waiter[] = []

  constructor(
    readonly totalMemory: number,
    readonly poolableSize: number,
  ) {
    this.nonPooledAvailable = totalMemory
  }

  /** Bytes that could be handed out right now (free list plus unallocated memory). */
  get availableMemory(): number {
    return this.nonPooledAvailable + this.free.length * this.poolableSize
  }

  /** Number of allocate() calls waiting for memory. */
  get queued(): number {
    return this.waiters.length
  }

  /**
   * A buffer of `size` bytes without waiting, or null when memory is short or others are already
   * waiting (a newcomer never overtakes a waiter).
   */
  tryAllocate(size: number): Buffer | null {
    if (size > this.totalMemory) throw new RangeError(`cannot allocate ${size} bytes: buffer.memory is ${this.totalMemory}`)
    if (this.waiters.length > 0) return null
    return this.take(size)
  }

  /** A buffer of `size` bytes, waiting FIFO up to maxBlockMs; rejects with BufferExhaustedError. */
  allocate(size: number, maxBlockMs: number): Promise<Buffer> {
    let buf: Buffer | null
    try {
      buf = this.tryAllocate(size)
    } catch (err) {
      return Promise.reject(err)
    }
    if (buf !== null) return Promise.resolve(buf)
    return new Promise<Buffer>((resolve, reject) => {
      const waiter: Waiter = {size, resolve, reject, timer: undefined, maxBlockMs}
      if (maxBlockMs <= 0) {
        reject(new BufferExhaustedError(size, maxBlockMs, this.totalMemory))
        return
      }
      waiter.timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter)
        if (i >= 0) this.waiters.splice(i, 1)
        reject(new BufferExhaustedError(size, maxBlockMs, this.totalMemory))
        // The head may have been the one blocking smaller requests behind it.
        this.serveWaiters()
      }, maxBlockMs)
      this.waiters.push(waiter)
    })
  }

  /** Returns a buffer handed out by this pool (`size` = the size it was allocated with). */
  deallocate(buf: Buffer, size = buf.length): void {
    if (size === this.poolableSize && buf.length === this.poolableSize) this.free.push(buf)
    else this.nonPooledAvailable += size
    this.serveWaiters()
  }

  /** Fails every waiter (producer closing). */
  failWaiters(err: Error): void {
    const all = this.waiters.splice(0)
    for (const w of all) {
      if (w.timer) clearTimeout(w.timer)
      w.reject(err)
    }
  }

  private serveWaiters(): void {
    while (this.waiters.length > 0) {
      const head = this.waiters[0]
      const buf = this.take(head.size)
      if (buf === null) return
      this.waiters.shift()
      if (head.timer) clearTimeout(head.timer)
      head.resolve(buf)
    }
  }

  private take(size: number): Buffer | null {
    if (size === this.poolableSize && this.free.length > 0) return this.free.pop()!
    if (this.nonPooledAvailable + this.free.length * this.poolableSize < size) return null
    // Release pooled buffers to the general memory until the request fits.
    while (this.nonPooledAvailable < size) {
      this.free.pop()
      this.nonPooledAvailable += this.poolableSize
    }
    this.nonPooledAvailable -= size
    return Buffer.allocUnsafeSlow(size)
  }
}
