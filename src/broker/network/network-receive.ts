/**
 * NetworkReceive: the receive side of a client connection. It turns socket reads into request
 * frames by their 4-byte size prefix, whether a frame lies whole in one read, spans several, or a
 * read ends within its first bytes. Separate from KafkaChannel (which answers the frames) because
 * framing is the one part that must be reasoned about byte by byte.
 */
import net from 'node:net'
import {userReadBuffer} from './user-read-buffer.js'
import {FramePool, MAX_POOLED_BYTES} from './frame-pool.js'
import type {SocketServerOptions} from './types.js'

const SIZE_BYTES = 4
/** Size prefix + api key: what must be known of a frame before its assembly buffer is chosen. */
const PEEK_BYTES = SIZE_BYTES + 2
/**
 * The most a read takes between frames once this connection sends frames larger than this. A frame
 * not whole in its first read is copied out of the shared read buffer (other connections read into it
 * next), so a read ending early in a large frame copies little; the frame's rest then arrives in place.
 * With unlimited reads, ingest copied about a quarter of the produced bytes a second time (perf under kcat:
 * memmove 5.5 ms per 1M records; 1.6 ms with this limit).
 */
const HEAD_READ_BYTES = 64 << 10

/**
 * Frames the requests of one connection and hands each to dispatch(); unlike Kafka's (one per
 * frame), this one is reused frame after frame. KafkaChannel extends it rather than holding one so
 * that the per-chunk loop reaches dispatch() and `closed` on the same object, without a hop.
 */
export abstract class NetworkReceive {
  /**
   * The incomplete frame being filled (size prefix included), copied into as each chunk arrives so
   * socket chunks die young; its whole length and the bytes filled so far. Null between frames.
   */
  private partial: Buffer | null = null
  private partialSize = 0
  private partialFilled = 0
  /** The partial frame's buffer came from the pool (and goes back after processing). */
  private partialPooled = false
  /** The first bytes of a frame when a chunk ended before its api key was known (fewer than PEEK_BYTES). */
  private stash: Buffer | null = null
  /** Bound once: onData schedules it for every chunk. */
  private readonly uncork = (): void => this.socket.uncork()
  /** Where reads between frames land once large frames were seen: the shared buffer's first HEAD_READ_BYTES. */
  private readonly headRead: Buffer | null
  /** The last frame completed across several reads was larger than HEAD_READ_BYTES. */
  private largeFrames = false

  /** Chunks are views of the server's read buffer, overwritten by the next read. */
  private readonly sharedChunks: boolean

  /** Set once the connection is closed or ending: nothing more is framed or answered. */
  abstract closed: boolean

  /** When the connection last read or wrote (ms): SocketServer closes connections idle past connections.max.idle.ms. */
  lastActiveMs = Date.now()

  protected constructor(readonly socket: net.Socket, protected readonly opts: SocketServerOptions,
    protected readonly pool: FramePool, readBuffer: Buffer | null) {
    // Reads land in one buffer shared by all connections when Node allows it (see user-read-buffer.ts);
    // then a chunk is only valid during onData and every frame that outlives it is copied.
    this.headRead = readBuffer !== null && readBuffer.length > HEAD_READ_BYTES ? readBuffer.subarray(0, HEAD_READ_BYTES) : null
    this.sharedChunks = readBuffer !== null && userReadBuffer.attach(socket, readBuffer, (chunk) => this.onData(chunk),
      () => (this.partial !== null ? this.partial.subarray(this.partialFilled, this.partialSize) : this.largeFrames ? this.headRead : null))
    if (!this.sharedChunks) socket.on('data', (chunk: Buffer) => this.onData(chunk))
  }

  /** Runs the processor on one frame; `pooled` is the pool buffer holding it, if any. */
  protected abstract dispatch(frame: Buffer, pooled?: Buffer | null): void

  /** Closes the connection for a processing error. */
  protected abstract fail(err: unknown): void

  /** Closes the connection (idempotent). */
  abstract close(reason?: string, level?: 'info' | 'warn' | 'error'): void

  private onData(chunk: Buffer): void {
    if (this.closed) return
    this.lastActiveMs = Date.now()
    // Cork so that responses completed while parsing this chunk leave in one writev.
    this.socket.cork()
    try {
      this.consume(chunk)
    } catch (err) {
      this.fail(err)
    } finally {
      if (!this.socket.destroyed) process.nextTick(this.uncork)
    }
  }

  private consume(chunk: Buffer): void {
    if (this.partial !== null) {
      chunk = this.fillPartial(chunk)
      if (chunk.length === 0 || this.closed) return
    }
    if (this.stash !== null) {
      // Rare: a chunk ended within a frame's first few bytes; join them to the next chunk.
      chunk = Buffer.concat([this.stash, chunk])
      this.stash = null
    }
    let pos = 0
    const len = chunk.length
    while (len - pos >= SIZE_BYTES) {
      const size = chunk.readInt32BE(pos)
      if (!this.sizeOk(size)) return
      const end = pos + SIZE_BYTES + size
      if (end > len) {
        if (len - pos < PEEK_BYTES) break
        this.startPartial(chunk.subarray(pos), SIZE_BYTES + size)
        return
      }
      // The whole frame is in this chunk: processed in place, no copy, unless the processor may keep
      // it and the chunk's memory is about to be reused.
      const frame = chunk.subarray(pos + SIZE_BYTES, end)
      this.dispatch(this.sharedChunks && !this.isTransient(frame, 0) ? Buffer.from(frame) : frame)
      if (this.closed) return
      pos = end
    }
    if (pos < len) this.stash = Buffer.from(chunk.subarray(pos))
  }

  /** The frame (starting at `at`: 0 without its size prefix, SIZE_BYTES with it) is of a transient API. */
  private isTransient(frame: Buffer, at: number): boolean {
    const transient = this.opts.transientFrame
    return transient !== undefined && frame.length >= at + 2 && transient(frame.readInt16BE(at))
  }

  /** Starts assembling a frame of `size` bytes (prefix included) whose first bytes are `head`. */
  private startPartial(head: Buffer, size: number): void {
    this.partialPooled = size <= MAX_POOLED_BYTES && this.isTransient(head, SIZE_BYTES)
    this.partial = this.partialPooled ? this.pool.take(size) : Buffer.allocUnsafe(size)
    this.partialSize = size
    this.partialFilled = head.copy(this.partial, 0)
  }

  /**
   * Copies what the partial frame still needs from `chunk`, processes it once whole, returns the rest of
   * the chunk. A chunk read straight into the frame's missing rest (see the constructor) is already in place.
   */
  private fillPartial(chunk: Buffer): Buffer {
    const frame = this.partial!
    const missing = this.partialSize - this.partialFilled
    const inPlace = chunk.buffer === frame.buffer && chunk.byteOffset === frame.byteOffset + this.partialFilled
    if (chunk.length < missing) {
      this.partialFilled += inPlace ? chunk.length : chunk.copy(frame, this.partialFilled)
      return chunk.subarray(chunk.length)
    }
    if (!inPlace) chunk.copy(frame, this.partialFilled, 0, missing)
    const pooled = this.partialPooled
    // Small frames keep whole-buffer reads: many of them then come in one read.
    this.largeFrames = this.partialSize > HEAD_READ_BYTES
    this.partial = null
    this.partialPooled = false
    this.dispatch(frame.subarray(SIZE_BYTES, this.partialSize), pooled ? frame : null)
    return chunk.subarray(missing)
  }

  private sizeOk(size: number): boolean {
    if (size >= 0 && size <= this.opts.maxRequestBytes) return true
    this.close(`request size ${size} outside 0..${this.opts.maxRequestBytes} (socket.request.max.bytes)`, 'warn')
    return false
  }

  /** Drops the frame being assembled, giving its buffer back to the pool; for close(). */
  protected discardReceive(): void {
    if (this.partial !== null && this.partialPooled) this.pool.give(this.partial)
    this.partial = null
    this.stash = null
  }
}
