/**
 * NodeChannel: one node's connection to another samsa node, for the requests nodes send each other
 * (Raft's Vote/BeginQuorumEpoch/EndQuorumEpoch/Fetch, broker registration and heartbeats,
 * AlterPartition, follower fetches). The broker may not use the client engine (src/client), so this
 * is its own small Kafka-protocol connection: correlation ids, pipelining, a timeout per request,
 * framing by the protocol layer's ResponseFramer (a follower's 1 MB fetch answers are read straight
 * into their own buffers). Both ends run the same code, so each API goes out at the highest version samsa
 * implements and no ApiVersions exchange is needed. It connects lazily and again after any failure.
 */
import {createConnection, type Socket} from 'node:net'
import {decodeResponse, encodeRequestChunks, supportedVersions, ErrorCode, KafkaError, ResponseFramer} from '../../protocol/index.js'

/** Where a node listens. */
export interface NodeAddress { host: string; port: number }

interface InFlight {
  apiKey: number; version: number
  resolve: (body: any) => void; reject: (err: Error) => void
  timer: NodeJS.Timeout
}

/** Largest response accepted (a follower fetch answer is bounded by replica.fetch.response.max.bytes). */
const MAX_RESPONSE_BYTES = 256 * 1024 * 1024

/** A lazily (re)connecting, pipelined connection to one node; see the file comment. */
export class NodeChannel {
  private socket: Socket | null = null
  private connecting: Promise<Socket> | null = null
  private nextCorrelationId = 1
  private readonly inFlight = new Map<number, InFlight>()
  private closed = false

  /** @param clientId sent in each request header (Kafka's brokers send e.g. "raft-client-1"). */
  constructor(readonly address: NodeAddress, private readonly clientId: string, private readonly connectTimeoutMs = 5000) {}

  /**
   * Sends one request and resolves with the decoded response body. Rejects with a KafkaError
   * NETWORK_EXCEPTION / REQUEST_TIMED_OUT when the node cannot be reached or does not answer in time.
   */
  async send(apiKey: number, body: object, opts: {timeoutMs: number; version?: number}): Promise<any> {
    if (this.closed) throw new KafkaError(ErrorCode.NETWORK_EXCEPTION, 'channel closed')
    const version = opts.version ?? supportedVersions(apiKey)!.max
    const socket = await this.connect()
    const correlationId = this.nextCorrelationId++
    if (this.nextCorrelationId > 0x7fffffff) this.nextCorrelationId = 1
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.inFlight.delete(correlationId)
        reject(new KafkaError(ErrorCode.REQUEST_TIMED_OUT, `no answer from ${this.address.host}:${this.address.port} within ${opts.timeoutMs} ms`))
      }, opts.timeoutMs)
      this.inFlight.set(correlationId, {apiKey, version, resolve, reject, timer})
      const chunks = encodeRequestChunks({apiKey, apiVersion: version, correlationId, clientId: this.clientId}, body)
      if (chunks.length === 1) socket.write(chunks[0])
      else {
        socket.cork()
        for (const c of chunks) socket.write(c)
        socket.uncork()
      }
    })
  }

  /** Closes the connection; requests in flight fail. */
  close(): void {
    this.closed = true
    this.drop(new KafkaError(ErrorCode.NETWORK_EXCEPTION, 'channel closed'))
  }

  private connect(): Promise<Socket> {
    if (this.socket) return Promise.resolve(this.socket)
    if (this.connecting) return this.connecting
    this.connecting = new Promise<Socket>((resolve, reject) => {
      // A framer per socket: a frame cut short by a lost connection must not carry over to the next one.
      const framer: ResponseFramer = new ResponseFramer(MAX_RESPONSE_BYTES, (frame) => {
        if (this.socket !== socket) return false
        this.dispatch(frame)
        return true
      }, (size) => this.drop(new KafkaError(ErrorCode.NETWORK_EXCEPTION, `bad response size ${size}`)))
      const socket = createConnection({host: this.address.host, port: this.address.port,
        onread: {buffer: framer.nextBuffer, callback: framer.onRead}})
      socket.setNoDelay(true)
      const timer = setTimeout(() => socket.destroy(new Error('connect timed out')), this.connectTimeoutMs)
      socket.once('connect', () => {
        clearTimeout(timer)
        this.connecting = null
        this.socket = socket
        resolve(socket)
      })
      socket.on('error', () => {}) // 'close' follows and does the clean-up
      socket.on('close', () => {
        clearTimeout(timer)
        const wasConnecting = this.connecting !== null && this.socket !== socket
        if (this.socket === socket) this.socket = null
        this.connecting = null
        const err = new KafkaError(ErrorCode.NETWORK_EXCEPTION, `connection to ${this.address.host}:${this.address.port} lost`)
        if (wasConnecting) reject(err)
        this.drop(err)
      })
    })
    return this.connecting
  }

  private drop(err: Error): void {
    this.socket?.destroy()
    this.socket = null
    for (const f of this.inFlight.values()) {
      clearTimeout(f.timer)
      f.reject(err)
    }
    this.inFlight.clear()
  }

  private dispatch(frame: Buffer): void {
    const correlationId = frame.readInt32BE(0)
    const f = this.inFlight.get(correlationId)
    if (!f) return // timed out already
    this.inFlight.delete(correlationId)
    clearTimeout(f.timer)
    try {
      f.resolve(decodeResponse(f.apiKey, f.version, frame).body)
    } catch (err) {
      f.reject(new KafkaError(ErrorCode.CORRUPT_MESSAGE, `cannot decode response: ${(err as Error).message}`))
    }
  }
}
