/**
 * SocketServer: Kafka's network layer (acceptor + processors) on Node's event loop. It owns the
 * listening socket and every client connection: it frames requests by their 4-byte size, hands each
 * frame to a RequestProcessor, and writes responses strictly in request order per connection even
 * when processing finishes out of order. Only broker.ts creates it. The connection itself lives in
 * network/ (KafkaChannel, NetworkReceive, FramePool); this file keeps the listener and the public API.
 */
import net from 'node:net'
import {userReadBuffer} from './network/user-read-buffer.js'
import {FramePool} from './network/frame-pool.js'
import {KafkaChannel} from './network/kafka-channel.js'
import type {SocketServerOptions} from './network/types.js'

export {CloseConnectionError, type ConnectionInfo, type RequestProcessor, type ResponseFrame, type ResponseParts,
  type SocketServerOptions} from './network/types.js'

/** The shared read buffer: large reads mean fewer syscalls and callbacks per produced megabyte. */
const READ_BUFFER_BYTES = 1 << 20

/** The broker's listener: accepts connections and owns them until close(). */
export class SocketServer {
  private server: net.Server
  private connections = new Map<number, KafkaChannel>()
  private nextId = 1
  private boundPort = 0
  private readonly pool = new FramePool()
  /** Where every connection's reads land, if Node lets us supply the buffer. */
  private readonly readBuffer = userReadBuffer.supported ? Buffer.allocUnsafe(READ_BUFFER_BYTES) : null
  /**
   * Closes idle connections, like Kafka's Selector: one sweep over last-activity times instead of
   * socket.setTimeout, whose timer Node re-arms on every read and write of every connection.
   */
  private readonly idleSweep: NodeJS.Timeout | null

  constructor(private readonly opts: SocketServerOptions) {
    // Paused until accept() has chosen how the connection reads.
    this.server = net.createServer({noDelay: true, pauseOnConnect: true}, (socket) => this.accept(socket))
    this.server.on('error', (err) => opts.logger('error', `listener error: ${err.message}`))
    this.idleSweep = opts.idleMs > 0 ? setInterval(() => this.closeIdle(), Math.max(10, Math.min(opts.idleMs / 4, 10_000))).unref() : null
  }

  /** Closes connections with nothing in flight that neither read nor wrote for connections.max.idle.ms. */
  private closeIdle(): void {
    const now = Date.now()
    for (const conn of this.connections.values()) {
      if (conn.inFlight === 0 && now - conn.lastActiveMs > this.opts.idleMs) conn.close(`idle for ${this.opts.idleMs} ms`, 'info')
    }
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
      const conn = new KafkaChannel(socket, id, this.opts, this.pool, this.readBuffer)
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
    if (this.idleSweep) clearInterval(this.idleSweep)
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
