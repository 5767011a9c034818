/**
 * SocketServer: Kafka's network layer (acceptor + processors) on Node's event loop. It owns the
 * listening socket and every client connection: it frames requests by their 4-byte size, hands each
 * frame to a RequestProcessor, and writes responses strictly in request order per connection even
 * when processing finishes out of order. Only broker.ts creates it.
 */
import net from 'node:net'
import {userReadBuffer} from './user-read-buffer.js'

/**
 * Thrown by request processing when the connection must close as the protocol demands (malformed
 * frame, unknown API, unsupported version, failed acks=0 produce): logged as a warning, not a bug.
 */
export class CloseConnectionError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CloseConnectionError'
  }
}

/** Identity of a client connection, passed to the processor with every frame. */
export interface ConnectionInfo { id: number; remoteAddress: string }

/**
 * A response frame (with size prefix), or its parts in order when large record sets are referenced
 * rather than copied (Fetch); null when no response is due (acks=0).
 */
export type ResponseFrame = Buffer | ResponseParts | null

/** A response written as parts (one writev); `onWritten` runs once the socket has handed them all to the kernel. */
export type ResponseParts = Buffer[] & {onWritten?: () => void}

/**
 * Turns one request frame (without its size prefix) into a response frame.
 * Throwing or rejecting closes the connection.
 */
export type RequestProcessor = (frame: Buffer, conn: ConnectionInfo) => ResponseFrame | Promise<ResponseFrame>

export interface SocketServerOptions {
  host: string
  port: number
  /** socket.request.max.bytes: larger (or negative) sizes close the connection unread. */
  maxRequestBytes: number
  /** connections.max.idle.ms */
  idleMs: number
  /** Requests in flight per connection before reading pauses (back-pressure). */
  maxQueuedRequests?: number
  /**
   * APIs whose frames the processor no longer references once the call has returned, even when it
   * returned a Promise (Produce: its batches are on disk by then). Such frames are processed straight
   * from the shared read buffer, or assembled in one reused buffer when they span several reads,
   * instead of a fresh allocation each: at ingest rates fresh ~1 MB buffers cost page faults, munmap
   * and GC work triggered by external memory, which compete with the producers for CPU.
   */
  transientFrame?: (apiKey: number) => boolean
  logger: (level: 'info' | 'warn' | 'error', msg: string) => void
  processor: RequestProcessor
}

/** A response slot; slots are answered in the order their requests arrived. */
interface Slot { done: boolean; response: ResponseFrame }

const SIZE_BYTES = 4
/** Size prefix + api key: what must be known of a frame before its assembly buffer is chosen. */
const PEEK_BYTES = SIZE_BYTES + 2
/** Frames up to this size may take a pooled assembly buffer; larger ones get their own allocation. */
const MAX_POOLED_BYTES = 8 << 20
/** Assembly buffers kept for reuse per server (one per connection filling a frame at the same time). */
const MAX_POOLED_BUFFERS = 4
/** The shared read buffer: large reads mean fewer syscalls and callbacks per produced megabyte. */
const READ_BUFFER_BYTES = 1 << 20

/**
 * Reusable assembly buffers for transient frames, shared by a server's connections. A buffer is
 * taken when a frame spanning several chunks starts and given back once its (synchronous)
 * processing returned; a processor that goes asynchronous keeps it, and the pool forgets it.
 */
class FramePool {
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

  give(buf: Buffer): void {
    if (this.free.length < MAX_POOLED_BUFFERS) this.free.push(buf)
  }
}

/** One client connection: framing state, the ordered response queue and flow control. */
class KafkaConnection {
  readonly info: ConnectionInfo
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
  private slots: Slot[] = []
  private head = 0
  private pausedForQueue = false
  private pausedForDrain = false
  /** Set by drain(): no new requests are read during shutdown. */
  private stopReading = false
  closed = false
  private drainWaiters: (() => void)[] = []

  /** Chunks are views of the server's read buffer, overwritten by the next read. */
  private readonly sharedChunks: boolean

  constructor(readonly socket: net.Socket, id: number, private readonly opts: SocketServerOptions,
    private readonly pool: FramePool = new FramePool(), readBuffer: Buffer | null = null) {
    this.info = {id, remoteAddress: socket.remoteAddress ?? 'unknown'}
    socket.setNoDelay(true)
    if (opts.idleMs > 0) socket.setTimeout(opts.idleMs, () => this.close(`idle for ${opts.idleMs} ms`, 'info'))
    // Reads land in one buffer shared by all connections when Node allows it (see user-read-buffer.ts);
    // then a chunk is only valid during onData and every frame that outlives it is copied.
    this.sharedChunks = readBuffer !== null && userReadBuffer.attach(socket, readBuffer, (chunk) => this.onData(chunk))
    if (!this.sharedChunks) socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.resume()
    socket.on('drain', () => {
      this.pausedForDrain = false
      this.updateFlow()
    })
    socket.on('error', (err) => this.close(`socket error: ${err.message}`, 'info'))
    socket.on('close', () => this.close())
  }

  /** Requests received whose responses have not been written yet. */
  get inFlight(): number {
    return this.slots.length - this.head
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return
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

  /** Copies what the partial frame still needs from `chunk`, processes it once whole, returns the rest of the chunk. */
  private fillPartial(chunk: Buffer): Buffer {
    const frame = this.partial!
    const missing = this.partialSize - this.partialFilled
    if (chunk.length < missing) {
      this.partialFilled += chunk.copy(frame, this.partialFilled)
      return chunk.subarray(chunk.length)
    }
    chunk.copy(frame, this.partialFilled, 0, missing)
    const pooled = this.partialPooled
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

  /** Runs the processor on one frame; `pooled` is the pool buffer holding it, if any. */
  private dispatch(frame: Buffer, pooled: Buffer | null = null): void {
    const slot: Slot = {done: false, response: null}
    this.slots.push(slot)
    let result: ResponseFrame | Promise<ResponseFrame>
    try {
      result = this.opts.processor(frame, this.info)
    } catch (err) {
      if (pooled !== null) this.pool.give(pooled)
      this.fail(err)
      return
    }
    // The processor of a transient frame is done with it once the call returned.
    if (pooled !== null) this.pool.give(pooled)
    if (result instanceof Promise) {
      result.then((response) => this.complete(slot, response), (err) => this.fail(err))
      this.updateFlow()
    } else {
      this.complete(slot, result)
    }
  }

  private complete(slot: Slot, response: ResponseFrame): void {
    if (this.closed) return
    slot.done = true
    slot.response = response
    this.flush()
  }

  /** Writes every finished response at the head of the queue; stops at the first unfinished one. */
  private flush(): void {
    const slots = this.slots
    while (this.head < slots.length && slots[this.head].done) {
      const response = slots[this.head].response
      slots[this.head] = undefined as unknown as Slot
      this.head++
      if (response === null) continue
      if (Buffer.isBuffer(response)) {
        if (!this.socket.write(response)) this.pausedForDrain = true
        continue
      }
      // Parts leave in one writev; the cork nests inside onData's when the response is synchronous.
      this.socket.cork()
      let ok = true
      const last = response.length - 1
      for (let i = 0; i < last; i++) ok = this.socket.write(response[i]) && ok
      // Writes complete in order, so the last part's callback means every part has left.
      if (last >= 0) ok = (response.onWritten ? this.socket.write(response[last], response.onWritten) : this.socket.write(response[last])) && ok
      this.socket.uncork()
      if (!ok) this.pausedForDrain = true
    }
    // Compact the queue occasionally instead of shifting per response.
    if (this.head === slots.length) {
      this.slots = []
      this.head = 0
    } else if (this.head > 1024) {
      this.slots = slots.slice(this.head)
      this.head = 0
    }
    this.updateFlow()
    if (this.head === this.slots.length && this.drainWaiters.length > 0) {
      for (const w of this.drainWaiters.splice(0)) w()
    }
  }

  /** Pauses reading while too many requests are in flight or the socket's write buffer is full. */
  private updateFlow(): void {
    if (this.closed) return
    this.pausedForQueue = this.inFlight >= (this.opts.maxQueuedRequests ?? 1000)
    if (this.pausedForQueue || this.pausedForDrain) {
      if (!this.socket.isPaused()) this.socket.pause()
    } else if (this.socket.isPaused() && !this.stopReading) {
      this.socket.resume()
    }
  }

  /** Stops reading new requests and resolves when every accepted request has been answered. */
  drain(): Promise<void> {
    this.stopReading = true
    this.socket.pause()
    if (this.closed || this.inFlight === 0) return Promise.resolve()
    return new Promise((resolve) => this.drainWaiters.push(resolve))
  }

  private fail(err: unknown): void {
    if (err instanceof CloseConnectionError) return this.close(err.message, 'warn')
    // Anything else is a bug in a handler: keep the process alive, close only this connection.
    const msg = err instanceof Error ? err.stack ?? err.message : String(err)
    this.close(`request processing failed: ${msg}`, 'error')
  }

  /** Closes the connection (idempotent); pending responses are dropped. */
  close(reason?: string, level: 'info' | 'warn' | 'error' = 'info'): void {
    if (this.closed) return
    this.closed = true
    if (reason) this.opts.logger(level, `closing connection ${this.info.id} from ${this.info.remoteAddress}: ${reason}`)
    if (this.partial !== null && this.partialPooled) this.pool.give(this.partial)
    this.partial = null
    this.stash = null
    this.slots = []
    this.head = 0
    this.socket.destroy()
    for (const w of this.drainWaiters.splice(0)) w()
  }

  /** Ends the connection after flushing what was written. */
  end(): void {
    if (this.closed) return
    this.closed = true
    this.socket.end()
    // A peer that never reads must not hold the shutdown: destroy after a grace period.
    setTimeout(() => this.socket.destroy(), 1000).unref()
  }
}

/** The broker's listener: accepts connections and owns them until close(). */
export class SocketServer {
  private server: net.Server
  private connections = new Map<number, KafkaConnection>()
  private nextId = 1
  private boundPort = 0
  private readonly pool = new FramePool()
  /** Where every connection's reads land, if Node lets us supply the buffer. */
  private readonly readBuffer = userReadBuffer.supported ? Buffer.allocUnsafe(READ_BUFFER_BYTES) : null

  constructor(private readonly opts: SocketServerOptions) {
    // Paused until accept() has chosen how the connection reads.
    this.server = net.createServer({noDelay: true, pauseOnConnect: true}, (socket) => this.accept(socket))
    this.server.on('error', (err) => opts.logger('error', `listener error: ${err.message}`))
  }

  /** Binds host:port; resolves with the bound port (useful when port is 0). */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err)
      this.server.once('error', onError)
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', onError)
        const addr = this.server.address()
        this.boundPort = typeof addr === 'object' && addr ? addr.port : this.opts.port
        resolve(this.boundPort)
      })
    })
  }

  /** The bound port. */
  get port(): number {
    return this.boundPort
  }

  /** Number of open client connections. */
  get connectionCount(): number {
    return this.connections.size
  }

  private accept(socket: net.Socket): void {
    try {
      const id = this.nextId++
      const conn = new KafkaConnection(socket, id, this.opts, this.pool, this.readBuffer)
      this.connections.set(id, conn)
      socket.once('close', () => this.connections.delete(id))
    } catch (err) {
      this.opts.logger('error', `accept failed: ${(err as Error).message}`)
      socket.destroy()
    }
  }

  /** Stops accepting new connections (existing ones keep being served). */
  stopAccepting(): void {
    this.server.close()
  }

  /**
   * Graceful close: stop accepting, stop reading, let in-flight requests finish (bounded by
   * `graceMs`), then close every connection.
   */
  async close(graceMs = 5000): Promise<void> {
    this.stopAccepting()
    const conns = [...this.connections.values()]
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))
    await Promise.race([Promise.all(conns.map((c) => c.drain())), deadline])
    clearTimeout(timer)
    for (const c of conns) c.end()
    await new Promise<void>((resolve) => {
      if (!this.server.listening) return resolve()
      this.server.once('close', () => resolve())
    })
  }
}
