/**
 * FramePool: the assembly buffers reused for transient (Produce) frames that span several reads.
 * Separate because it is shared by all of a server's connections and outlives each of them.
 */

/** Frames up to this size may take a pooled assembly buffer; larger ones get their own allocation. */
export const MAX_POOLED_BYTES = 8 << 20
/** Assembly buffers kept for reuse per server (one per connection filling a frame at the same time). */
const MAX_POOLED_BUFFERS = 4

/**
 * Reusable assembly buffers for transient frames, shared by a server's connections. A buffer is
 * taken when a frame spanning several chunks starts and given back once its (synchronous)
 * processing returned; a processor that goes asynchronous keeps it, and the pool forgets it.
 */
export class FramePool {
  private free: Buffer[] = []

  /** A buffer of at least `size` bytes. */
  take(size: number): Buffer {
    for (let i = this.free.length - 1; i >= 0; i--) {
      const buf = this.free[i]
      if (buf.length >= size) {
        this.free.splice(i, 1)
        return buf
      }
    }
    let cap = 64 << 10
    while (cap < size) cap *= 2
    return Buffer.allocUnsafe(cap)
  }

  /** Keeps `buf` for a later take(), unless the pool is full. */
  give(buf: Buffer): void {
    if (this.free.length < MAX_POOLED_BUFFERS) this.free.push(buf)
  }
}
