// Shared by the broker-core tests: an in-process broker on 127.0.0.1:0 over a temp data dir, and a
// raw socket client that frames requests with the protocol layer and matches responses by
// correlation id (so tests can also watch the order responses arrive in).
import net from 'node:net'
import {after, before} from 'node:test'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {startBroker, type Broker} from '../../src/broker/index.js'
import {encodeRequest, decodeResponse, isSupported, getApiSchema, getCodec, Reader} from '../../src/protocol/index.js'
import {encodeRecordBatch} from '../../src/records/index.js'

/** A broker started for one test, with its log lines. */
export interface TestBroker {
  broker: Broker
  /** "127.0.0.1:<port>", for clients. */
  bootstrap: string
  dataDir: string
  logs: string[]
  /** Closes the broker (the data dir stays). */
  close(): Promise<void>
  /** Closes the broker and removes the data dir. */
  destroy(): Promise<void>
}

/** Starts a broker in-process on an ephemeral port; `dataDir` reuses an existing dir. */
export async function startTestBroker(props: Record<string, string> = {}, dataDir?: string): Promise<TestBroker> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'samsa-core-'))
  const logs: string[] = []
  const broker = await startBroker({nodeId: 0, dataDir: dir, host: '127.0.0.1', port: 0, props, logger: (l, m) => logs.push(`${l} ${m}`)})
  return {
    broker, bootstrap: `127.0.0.1:${broker.port}`, dataDir: dir, logs,
    close: () => broker.close(),
    destroy: async () => {
      await broker.close()
      rmSync(dir, {recursive: true, force: true})
    },
  }
}

/** Starts a broker before the file's tests and destroys it after them; `ready` gets it once started. */
export function useTestBroker(ready: (tb: TestBroker) => void, props: Record<string, string> = {}): void {
  let tb: TestBroker | undefined
  before(async () => {
    tb = await startTestBroker(props)
    ready(tb)
  })
  after(async () => {
    await tb?.destroy()
  })
}

/** A decoded response frame. */
export interface Response { correlationId: number; body: any }

/** A raw Kafka connection for tests; every wait is bounded. */
export class RawClient {
  private buf: Buffer = Buffer.alloc(0)
  private waiters = new Map<number, {apiKey: number; version: number; resolve: (r: Response) => void}>()
  private nextId = 1
  /** Correlation ids in the order their responses arrived. */
  readonly order: number[] = []
  /** Resolves when the broker closes the connection. */
  readonly closed: Promise<void>
  private isClosed = false

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => this.onData(d))
    socket.on('error', () => {})
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.isClosed = true
      resolve()
    }))
  }

  /** Connects to 127.0.0.1:port. */
  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawClient(s)))
      s.once('error', reject)
    })
  }

  /** True once the peer closed the connection. */
  get closedByPeer(): boolean {
    return this.isClosed
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d])
    while (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readInt32BE(0)) {
      const size = this.buf.readInt32BE(0)
      const frame = this.buf.subarray(4, 4 + size)
      this.buf = this.buf.subarray(4 + size)
      const cid = frame.readInt32BE(0)
      this.order.push(cid)
      const w = this.waiters.get(cid)
      if (!w) continue
      this.waiters.delete(cid)
      w.resolve(decodeAny(w.apiKey, w.version, frame))
    }
  }

  /** Frames a request and registers for its response (decoded with `responseVersion`, default the request's). */
  frame(apiKey: number, version: number, body: object, responseVersion = version): {bytes: Buffer; response: Promise<Response>; correlationId: number} {
    const correlationId = this.nextId++
    const bytes = encodeRequest({apiKey, apiVersion: version, correlationId, clientId: 'core-test'}, body)
    const response = new Promise<Response>((resolve) => this.waiters.set(correlationId, {apiKey, version: responseVersion, resolve}))
    return {bytes, response, correlationId}
  }

  /** Sends one request and waits (at most `timeoutMs`) for its response. */
  async request(apiKey: number, version: number, body: object, timeoutMs = 10_000): Promise<any> {
    const f = this.frame(apiKey, version, body)
    this.socket.write(f.bytes)
    return (await within(f.response, timeoutMs, `response to api ${apiKey} v${version}`)).body
  }

  /** Writes raw bytes. */
  write(bytes: Buffer): void {
    this.socket.write(bytes)
  }

  /** Waits (bounded) until the broker closes the connection. */
  waitClosed(timeoutMs = 5000): Promise<void> {
    return within(this.closed, timeoutMs, 'connection close')
  }

  close(): void {
    this.socket.destroy()
  }
}

/** decodeResponse, plus versions that are only advertised (Produce v0-2), decoded with the schema's codec. */
function decodeAny(apiKey: number, version: number, frame: Buffer): Response {
  if (isSupported(apiKey, version)) return decodeResponse(apiKey, version, frame)
  const body = getCodec(getApiSchema(apiKey)!, version, 'response').decode(new Reader(frame, 4))
  return {correlationId: frame.readInt32BE(0), body}
}

/** Rejects when `p` does not settle within `ms`. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)))
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}

/** One v2 batch of string values. */
export function batchOf(values: string[], opts: {timestamp?: bigint} = {}): Buffer {
  return encodeRecordBatch({records: values.map((v, i) => ({key: `k${i}`, value: v, timestamp: opts.timestamp}))})
}

/** A Produce v`version` body for one partition. */
export function produceBody(topic: string, partition: number, records: Buffer | null, acks = -1): object {
  return {transactionalId: null, acks, timeoutMs: 5000, topicData: [{name: topic, partitionData: [{index: partition, records}]}]}
}

/** A Fetch body for one partition. */
export function fetchBody(topic: string, partition: number, fetchOffset: bigint, opts: {maxWaitMs?: number; minBytes?: number; maxBytes?: number} = {}): object {
  return {
    replicaId: -1, maxWaitMs: opts.maxWaitMs ?? 0, minBytes: opts.minBytes ?? 0, maxBytes: opts.maxBytes ?? 1 << 20,
    isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{topic, partitions: [{partition, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20}]}],
    forgottenTopicsData: [], rackId: '',
  }
}

/** Creates a topic through Metadata auto-creation; returns the topic entry. */
export async function autoCreate(client: RawClient, topic: string): Promise<any> {
  const body = await client.request(3, 12, {topics: [{topicId: '00000000-0000-0000-0000-000000000000', name: topic}], allowAutoTopicCreation: true})
  return body.topics[0]
}
