/**
 * One TCP connection from a client to one broker. It owns the socket, frames requests and
 * responses (4-byte size prefix), hands out correlation ids, keeps many requests in flight at once
 * (pipelining) and matches each response to its request by correlation id. The first exchange is
 * ApiVersions; afterwards `send()` uses, per API, the highest version both sides implement.
 * Used by Cluster (one per broker) and by anything that needs a raw broker conversation.
 */
import {EventEmitter} from 'node:events'
import {createConnection, type Socket} from 'node:net'
import {
  ErrorCode, KafkaError, ResponseFramer, decodeResponse, encodeRequestChunks, supportedVersions,
} from '../protocol/index.js'
import {apiName} from './api-names.js'

/** Settings of one connection; names mirror Kafka's client properties. */
export interface ConnectionOptions {
  host: string
  port: number
  /** client.id sent in every request header. */
  clientId?: string
  /** request.timeout.ms: how long one request may wait for its response. */
  requestTimeoutMs?: number
  /** socket.connection.setup.timeout.ms: how long the TCP connect + ApiVersions may take. */
  connectTimeoutMs?: number
  /** Largest response frame accepted; guards against a peer that is not speaking Kafka. */
  maxResponseBytes?: number
  /** Skip ApiVersions (tests of raw exchanges); then every send must pass an explicit version. */
  skipApiVersions?: boolean
}

/** Options of a single request. */
export interface SendOptions {
  /** Exact version to use; default: the highest version both sides support. */
  version?: number
  /** Overrides request.timeout.ms for this request (e.g. a long-polling Fetch). */
  timeoutMs?: number
  /** false for requests the broker never answers (Produce with acks=0). */
  expectResponse?: boolean
}

/** A version range as advertised in ApiVersions. */
export interface VersionRange { min: number; max: number }

interface InFlight {
  apiKey: number
  version: number
  resolve: (body: any) => void
  reject: (err: Error) => void
  timer: NodeJS.Timeout | undefined
}

const API_VERSIONS_KEY = 18
/** Record batches at least this big go to the socket by reference instead of being copied into the frame. */
const ZERO_COPY_MIN = 1024
const CLIENT_SOFTWARE_VERSION = '0.1.0'

/** One broker connection with pipelined requests; emits 'close' once when the socket is gone. */
export class Connection extends EventEmitter {
  readonly host: string
  readonly port: number
  readonly clientId: string
  /** The broker's advertised ranges per API key (empty until ApiVersions completed). */
  readonly brokerVersions = new Map<number, VersionRange>()
  private readonly requestTimeoutMs: number
  private readonly maxResponseBytes: number
  private socket: Socket | undefined
  private nextCorrelationId = 1
  private readonly inFlight = new Map<number, InFlight>()
  /** Cuts the byte stream into response frames; large ones are read straight into their own buffer. */
  private readonly framer: ResponseFramer
  private closedError: KafkaError | undefined
  private corked = false

  private constructor(opts: ConnectionOptions) {
    super()
    this.host = opts.host
    this.port = opts.port
    this.clientId = opts.clientId ?? 'samsa'
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000
    this.maxResponseBytes = opts.maxResponseBytes ?? 512 * 1024 * 1024
    this.framer = new ResponseFramer(this.maxResponseBytes, (frame) => {
      this.dispatch(frame)
      return this.closedError === undefined
    }, (size) => this.shutdown(new KafkaError(ErrorCode.CORRUPT_MESSAGE,
      `invalid response size ${size} from ${this.address}; is it a Kafka broker?`)))
  }

  /** Opens a connection and negotiates versions with ApiVersions; throws KafkaError(NETWORK_EXCEPTION) when unreachable. */
  static async connect(opts: ConnectionOptions): Promise<Connection> {
    const conn = new Connection(opts)
    const connectTimeoutMs = opts.connectTimeoutMs ?? 10_000
    await conn.open(connectTimeoutMs)
    if (!opts.skipApiVersions) {
      try {
        await conn.negotiateVersions(connectTimeoutMs)
      } catch (err) {
        conn.close()
        throw err
      }
    }
    return conn
  }

  /** "host:port" of the peer. */
  get address(): string {
    return `${this.host}:${this.port}`
  }

  /** True until the socket closed or close() was called. */
  get isOpen(): boolean {
    return this.closedError === undefined && this.socket !== undefined
  }

  /** Number of requests sent and not answered yet. */
  get inFlightCount(): number {
    return this.inFlight.size
  }

  /** The broker's advertised range for an API, or undefined when it does not have it. */
  brokerRange(apiKey: number): VersionRange | undefined {
    return this.brokerVersions.get(apiKey)
  }

  /** True when both sides share at least one version of the API. */
  supports(apiKey: number): boolean {
    return this.commonRange(apiKey) !== undefined
  }

  /** Highest version both sides implement; throws KafkaError(UNSUPPORTED_VERSION) when there is none. */
  versionFor(apiKey: number): number {
    const range = this.commonRange(apiKey)
    if (!range) {
      throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION,
        `broker ${this.address} does not support ${apiName(apiKey)} at any version samsa implements`)
    }
    return range.max
  }

  /** Sends one request and resolves with the decoded response body (undefined when expectResponse is false). */
  send<T = any>(apiKey: number, body: object, opts: SendOptions = {}): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError)
    let version: number
    try {
      version = this.pickVersion(apiKey, opts.version)
    } catch (err) {
      return Promise.reject(err)
    }
    return this.sendVersion(apiKey, version, body, opts)
  }

  /** Closes the socket; requests still in flight fail with NETWORK_EXCEPTION. */
  close(): void {
    this.shutdown(new KafkaError(ErrorCode.NETWORK_EXCEPTION, `connection to ${this.address} was closed`))
  }

  private commonRange(apiKey: number): VersionRange | undefined {
    const ours = supportedVersions(apiKey)
    const theirs = this.brokerVersions.get(apiKey)
    if (!ours || !theirs) return undefined
    const min = Math.max(ours.min, theirs.min)
    const max = Math.min(ours.max, theirs.max)
    return min <= max ? {min, max} : undefined
  }

  private pickVersion(apiKey: number, wanted: number | undefined): number {
    if (wanted === undefined) return this.versionFor(apiKey)
    const ours = supportedVersions(apiKey)
    if (!ours || wanted < ours.min || wanted > ours.max) {
      throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `samsa does not implement ${apiName(apiKey)} v${wanted}`)
    }
    const theirs = this.brokerVersions.get(apiKey)
    // Before/without ApiVersions the caller takes responsibility for the version.
    if (this.brokerVersions.size > 0 && (!theirs || wanted < theirs.min || wanted > theirs.max)) {
      throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `broker ${this.address} does not support ${apiName(apiKey)} v${wanted}`)
    }
    return wanted
  }

  private sendVersion<T>(apiKey: number, version: number, body: object, opts: SendOptions): Promise<T> {
    const correlationId = this.nextCorrelationId
    // Correlation ids are int32; wrap well before overflow (old ids are long answered by then).
    this.nextCorrelationId = correlationId >= 0x7fffffff ? 1 : correlationId + 1
    let frame: Buffer[]
    try {
      // Record batches (Produce) are referenced, not copied: the frame is written as chunks.
      frame = encodeRequestChunks({apiKey, apiVersion: version, correlationId, clientId: this.clientId}, body, ZERO_COPY_MIN)
    } catch (err) {
      return Promise.reject(err)
    }
    if (opts.expectResponse === false) {
      // Resolved once the socket has written the frame: only then may the caller reuse the batch buffers.
      return new Promise<T>((resolve, reject) => this.write(frame, (err) => {
        if (err) reject(this.closedError ?? new KafkaError(ErrorCode.NETWORK_EXCEPTION, `write to ${this.address} failed: ${err.message}`))
        else resolve(undefined as T)
      }))
    }
    return new Promise<T>((resolve, reject) => {
      const timeoutMs = opts.timeoutMs ?? this.requestTimeoutMs
      const entry: InFlight = {apiKey, version, resolve, reject, timer: undefined}
      if (timeoutMs > 0) {
        entry.timer = setTimeout(() => {
          // The id is forgotten, so a late response is dropped instead of matched to another request.
          this.inFlight.delete(correlationId)
          reject(new KafkaError(ErrorCode.REQUEST_TIMED_OUT,
            `${apiName(apiKey)} request to ${this.address} timed out after ${timeoutMs} ms`))
        }, timeoutMs)
      }
      this.inFlight.set(correlationId, entry)
      this.write(frame)
    })
  }

  private write(frame: Buffer[], done?: (err: Error | null | undefined) => void): void {
    const socket = this.socket!
    // Cork until the end of this tick so a burst of pipelined requests (and the chunks of each)
    // leaves in one writev.
    if (!this.corked) {
      this.corked = true
      socket.cork()
      process.nextTick(this.uncork)
    }
    const last = frame.length - 1
    for (let i = 0; i < last; i++) socket.write(frame[i])
    if (done) socket.write(frame[last], done)
    else socket.write(frame[last])
  }

  private readonly uncork = (): void => {
    this.corked = false
    this.socket?.uncork()
  }

  private open(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({host: this.host, port: this.port,
        onread: {buffer: this.framer.nextBuffer, callback: this.framer.onRead}})
      socket.setNoDelay(true)
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new KafkaError(ErrorCode.NETWORK_EXCEPTION, `cannot connect to ${this.address}: timed out after ${timeoutMs} ms`))
      }, timeoutMs)
      const onError = (err: NodeJS.ErrnoException) => {
        clearTimeout(timer)
        reject(new KafkaError(ErrorCode.NETWORK_EXCEPTION, `cannot connect to ${this.address}: ${err.code ?? err.message}`))
      }
      socket.once('error', onError)
      socket.once('connect', () => {
        clearTimeout(timer)
        socket.off('error', onError)
        this.socket = socket
        socket.on('error', (err: NodeJS.ErrnoException) => this.shutdown(
          new KafkaError(ErrorCode.NETWORK_EXCEPTION, `connection to ${this.address} failed: ${err.code ?? err.message}`)))
        socket.on('close', () => this.shutdown(
          new KafkaError(ErrorCode.NETWORK_EXCEPTION, `connection to ${this.address} was closed by the broker`)))
        resolve()
      })
    })
  }

  /** ApiVersions v3 first; a broker that does not know v3 answers UNSUPPORTED_VERSION with a v0 body. */
  private async negotiateVersions(timeoutMs: number): Promise<void> {
    const ours = supportedVersions(API_VERSIONS_KEY) ?? {min: 0, max: 3}
    let version = ours.max
    for (let attempt = 0; attempt < 3; attempt++) {
      const body = await this.sendVersion<any>(API_VERSIONS_KEY, version, {
        clientSoftwareName: 'samsa', clientSoftwareVersion: CLIENT_SOFTWARE_VERSION,
      }, {timeoutMs})
      if (body.errorCode === ErrorCode.UNSUPPORTED_VERSION && version > 0) {
        // Retry at the highest ApiVersions version the broker listed (if it did), else v0.
        const listed = (body.apiKeys as any[] ?? []).find((k) => k.apiKey === API_VERSIONS_KEY)
        const next = listed ? Math.min(listed.maxVersion, version - 1) : 0
        version = Math.max(next, ours.min)
        continue
      }
      if (body.errorCode !== ErrorCode.NONE) {
        throw new KafkaError(body.errorCode, `ApiVersions to ${this.address} failed`)
      }
      for (const k of body.apiKeys as any[]) {
        this.brokerVersions.set(k.apiKey, {min: k.minVersion, max: k.maxVersion})
      }
      return
    }
    throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `broker ${this.address} rejected every ApiVersions version`)
  }

  private dispatch(frame: Buffer): void {
    const correlationId = frame.readInt32BE(0)
    const entry = this.inFlight.get(correlationId)
    if (!entry) return // answer to a request that already timed out
    this.inFlight.delete(correlationId)
    if (entry.timer) clearTimeout(entry.timer)
    let body: any
    try {
      body = this.decode(entry, frame)
    } catch (err) {
      entry.reject(err as Error)
      return
    }
    entry.resolve(body)
  }

  private decode(entry: InFlight, frame: Buffer): any {
    // A broker that rejects our ApiVersions version answers with a v0 body whatever we asked for;
    // its header is v0 either way, so the error code sits right after the correlation id.
    if (entry.apiKey === API_VERSIONS_KEY && entry.version > 0 && frame.length >= 6 &&
        frame.readInt16BE(4) === ErrorCode.UNSUPPORTED_VERSION) {
      try {
        return decodeResponse(API_VERSIONS_KEY, 0, frame).body
      } catch {
        // Some brokers (librdkafka's mock) send a body in neither format; the error code is enough.
        return {errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: []}
      }
    }
    return decodeResponse(entry.apiKey, entry.version, frame).body
  }

  private shutdown(err: KafkaError): void {
    if (this.closedError) return
    this.closedError = err
    this.socket?.destroy()
    const pending = [...this.inFlight.values()]
    this.inFlight.clear()
    for (const entry of pending) {
      if (entry.timer) clearTimeout(entry.timer)
      entry.reject(err)
    }
    this.emit('close', err)
  }
}
