/**
 * SocketServer: Kafka's network layer (acceptor + processors) on Node's event loop. It owns the
 * listening socket and every client connection: it frames requests by their 4-byte size, hands each
 * frame to a RequestProcessor, and writes responses strictly in request order per connection even
 * when processing finishes out of order. Only broker.ts creates it.
 */
import net from 'node:net'

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
 * Turns one request frame (without its size prefix) into a response frame (with size prefix),
 * or null when no response is due (acks=0). Throwing or rejecting closes the connection.
 */
export type RequestProcessor = (frame: Buffer, conn: ConnectionInfo) => Buffer | null | Promise<Buffer | null>

export interface SocketServerOptions {
  host: string
  port: number
  /** socket.request.max.bytes: larger (or negative) sizes close the connection unread. */
  maxRequestBytes: number
  /** connections.max.idle.ms */
  idleMs: number
  /** Requests in flight per connection before reading pauses (back-pressure). */
  maxQueuedRequests?: number
  logger: (level: 'info' | 'warn' | 'error', msg: string) => void
  processor: RequestProcessor
}

/** A response slot; slots are answered in the order their requests arrived. */
interface Slot { done: boolean; response: Buffer | null }

const SIZE_BYTES = 4

/** One client connection: framing state, the ordered response queue and flow control. */
class KafkaConnection {
  readonly info: ConnectionInfo
  /** Bytes of an incomplete frame carried over between 'data' events (never re-concatenated per event). */
  private pending: Buffer[] = []
  private pendingBytes = 0
  /** Whole frame length (size prefix included) of the incomplete frame, once its prefix is known. */
  private pendingFrame = -1
  private slots: Slot[] = []
  private head = 0
  private pausedForQueue = false
  private pausedForDrain = false
  /** Set by drain(): no new requests are read during shutdown. */
  private stopReading = false
  closed = false
  private drainWaiters: (() => void)[] = []

  constructor(readonly socket: net.Socket, id: number, private readonly opts: SocketServerOptions) {
    this.info = {id, remoteAddress: socket.remoteAddress ?? 'unknown'}
    socket.setNoDelay(true)
    if (opts.idleMs > 0) socket.setTimeout(opts.idleMs, () => this.close(`idle for ${opts.idleMs} ms`, 'info'))
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
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
      if (!this.socket.destroyed) process.nextTick(() => this.socket.uncork())
    }
  }

  private consume(chunk: Buffer): void {
    if (this.pendingBytes > 0) {
      chunk = this.completePending(chunk)
      if (chunk.length === 0 || this.closed) return
    }
    let pos = 0
    const len = chunk.length
    while (len - pos >= SIZE_BYTES) {
      const size = chunk.readInt32BE(pos)
      if (!this.sizeOk(size)) return
      const end = pos + SIZE_BYTES + size
      if (end > len) break
      this.dispatch(chunk.subarray(pos + SIZE_BYTES, end))
      if (this.closed) return
      pos = end
    }
    if (pos < len) this.keep(chunk.subarray(pos))
  }

  /** Adds a partial frame; checks the size as soon as the 4-byte prefix is known. */
  private keep(part: Buffer): void {
    this.pending.push(part)
    this.pendingBytes += part.length
    if (this.pendingFrame < 0 && this.pendingBytes >= SIZE_BYTES) {
      const prefix = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes)
      const size = prefix.readInt32BE(0)
      if (!this.sizeOk(size)) return
      this.pendingFrame = SIZE_BYTES + size
    }
  }

  /**
   * Feeds a new chunk into the carried-over partial frame. Only the bytes the frame still needs are
   * copied; the rest of the chunk is returned for the zero-copy path.
   */
  private completePending(chunk: Buffer): Buffer {
    if (this.pendingFrame < 0) {
      // The size prefix itself was split: take just enough bytes to read it.
      const take = Math.min(SIZE_BYTES - this.pendingBytes, chunk.length)
      this.keep(chunk.subarray(0, take))
      chunk = chunk.subarray(take)
      if (this.pendingFrame < 0 || this.closed) return chunk.subarray(chunk.length)
    }
    const missing = this.pendingFrame - this.pendingBytes
    if (chunk.length < missing) {
      this.pending.push(chunk)
      this.pendingBytes += chunk.length
      return chunk.subarray(chunk.length)
    }
    this.pending.push(chunk.subarray(0, missing))
    const frame = Buffer.concat(this.pending, this.pendingFrame)
    this.pending = []
    this.pendingBytes = 0
    this.pendingFrame = -1
    this.dispatch(frame.subarray(SIZE_BYTES))
    return chunk.subarray(missing)
  }

  private sizeOk(size: number): boolean {
    if (size >= 0 && size <= this.opts.maxRequestBytes) return true
    this.close(`request size ${size} outside 0..${this.opts.maxRequestBytes} (socket.request.max.bytes)`, 'warn')
    return false
  }

  private dispatch(frame: Buffer): void {
    const slot: Slot = {done: false, response: null}
    this.slots.push(slot)
    let result: Buffer | null | Promise<Buffer | null>
    try {
      result = this.opts.processor(frame, this.info)
    } catch (err) {
      this.fail(err)
      return
    }
    if (result instanceof Promise) {
      result.then((response) => this.complete(slot, response), (err) => this.fail(err))
      this.updateFlow()
    } else {
      this.complete(slot, result)
    }
  }

  private complete(slot: Slot, response: Buffer | null): void {
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
      if (response !== null && !this.socket.write(response)) this.pausedForDrain = true
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
    this.pending = []
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

  constructor(private readonly opts: SocketServerOptions) {
    this.server = net.createServer({noDelay: true}, (socket) => this.accept(socket))
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
      const conn = new KafkaConnection(socket, id, this.opts)
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
