/**
 * KafkaChannel: one client connection once its requests are framed. It owns the connection's
 * lifecycle (errors, close, graceful end) and its send side: a slot per request,
 * answered strictly in request order even when processing finishes out of order, written with
 * cork/writev, and read back-pressure when too much is in flight or unsent. Framing is inherited
 * from NetworkReceive; SocketServer creates and owns channels.
 */
import net from 'node:net'
import type {FramePool} from './frame-pool.js'
import {NetworkReceive} from './network-receive.js'
import {CloseConnectionError, type ConnectionInfo, type ResponseFrame, type SocketServerOptions} from './types.js'

/** A response slot; slots are answered in the order their requests arrived. */
interface Slot { done: boolean; response: ResponseFrame }

/** One client connection: the ordered response queue, flow control and close; framing comes from NetworkReceive. */
export class KafkaChannel extends NetworkReceive {
  readonly info: ConnectionInfo
  private slots: Slot[] = []
  private head = 0
  private pausedForQueue = false
  private pausedForDrain = false
  /** Set by drain(): no new requests are read during shutdown. */
  private stopReading = false
  closed = false
  private drainWaiters: (() => void)[] = []

  constructor(socket: net.Socket, id: number, opts: SocketServerOptions, pool: FramePool, readBuffer: Buffer | null) {
    super(socket, opts, pool, readBuffer)
    this.info = {id, remoteAddress: socket.remoteAddress ?? 'unknown'}
    socket.setNoDelay(true)
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

  /** Runs the processor on one frame; `pooled` is the pool buffer holding it, if any. */
  protected dispatch(frame: Buffer, pooled: Buffer | null = null): void {
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
    if (this.head < slots.length && slots[this.head].done) this.lastActiveMs = Date.now()
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

  /** Closes the connection for a processing error: as asked (warn) or for a handler bug (error). */
  protected fail(err: unknown): void {
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
    this.discardReceive()
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
