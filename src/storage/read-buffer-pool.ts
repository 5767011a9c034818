/**
 * ReadBufferPool: reusable buffers for fetch reads. Every fetch of a busy partition reads up to
 * max.partition.fetch.bytes (1 MiB) of segment bytes into a fresh buffer that lives only until the
 * socket has written it; allocating those anew costs page faults and, worse, full garbage
 * collections driven by external memory (a third of the broker's CPU when serving consumers).
 * The broker leases chunks for a response and releases them when the socket reports the write
 * done; a chunk that is never released (connection lost mid-write) is simply left to the GC.
 */

/** Reads smaller than this come from Node's ordinary allocator (its own small-buffer pool). */
const MIN_POOLED = 64 * 1024

/** A free list of equally sized chunks; see the file comment. */
export class ReadBufferPool {
  private readonly free: Buffer[] = []

  /** @param chunkSize the size of every chunk; @param maxFree chunks kept for reuse at most. */
  constructor(readonly chunkSize = 1 << 20, private readonly maxFree = 32) {}

  /** A buffer of exactly `length` bytes: a view of a pooled chunk (added to `leases`) or, outside the pooled sizes, a fresh one. */
  allocate(length: number, leases: Buffer[]): Buffer {
    if (length < MIN_POOLED || length > this.chunkSize) return Buffer.allocUnsafe(length)
    const chunk = this.free.pop() ?? Buffer.allocUnsafeSlow(this.chunkSize)
    leases.push(chunk)
    return chunk.subarray(0, length)
  }

  /** Returns chunks once nothing reads them any more (the socket wrote them). */
  release(chunks: Buffer[]): void {
    for (const c of chunks) if (c.length === this.chunkSize && this.free.length < this.maxFree) this.free.push(c)
  }

  /** Chunks waiting for reuse (for tests). */
  get freeCount(): number {
    return this.free.length
  }
}
