/**
 * Test peers for the client: librdkafka's mock cluster (a broker nobody here wrote) and a tiny
 * scripted TCP server that answers frames however a test wants (split, reordered, silent).
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {existsSync} from 'node:fs'
import {createServer, type Server, type Socket} from 'node:net'
import {join} from 'node:path'
import {repoRoot} from '../helpers/broker-process.js'
import {decodeRequestBody, decodeRequestHeader, encodeResponse, type RequestHeader} from '../../src/protocol/index.js'

/** A running mock cluster. */
export interface MockCluster { bootstrap: string; stop(): Promise<void> }

/** The mock-cluster script: ../shared/tools in CI, /work/shared/tools here. */
export const MOCK_CLUSTER = [join(repoRoot, '..', 'shared', 'tools', 'mock-cluster'), '/work/shared/tools/mock-cluster'].find((p) => existsSync(p))

/** Starts librdkafka's mock cluster with `brokers` brokers, or resolves null (with the reason) when it cannot. */
export function startMockCluster(brokers = 1): Promise<MockCluster | {skip: string}> {
  if (!MOCK_CLUSTER) return Promise.resolve({skip: 'mock-cluster tool not found (../shared/tools/mock-cluster)'})
  const child: ChildProcess = spawn(MOCK_CLUSTER, [String(brokers)], {stdio: ['ignore', 'pipe', 'pipe']})
  let out = ''
  let err = ''
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      resolve({skip: `mock-cluster did not start in 15 s: ${err.trim()}`})
    }, 15_000)
    child.once('error', (e) => {
      clearTimeout(timer)
      resolve({skip: `mock-cluster failed: ${e.message}`})
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({skip: `mock-cluster exited with ${code}: ${err.trim()}`})
    })
    child.stderr!.on('data', (d) => (err += d))
    child.stdout!.on('data', (d) => {
      out += d
      const m = out.match(/bootstrap=(\S+)/)
      if (!m) return
      clearTimeout(timer)
      child.removeAllListeners('exit')
      resolve({
        bootstrap: m[1],
        stop: () => new Promise<void>((done) => {
          child.once('exit', () => done())
          child.kill('SIGTERM')
        }),
      })
    })
  })
}

/** How a scripted server answers one request: a response body, raw bytes, or nothing. */
export type Reply = {body: object; version?: number} | {raw: Buffer} | null

/** A scripted broker: `onRequest` decides each answer; `write` lets a test control chunking. */
export interface ScriptedBroker {
  port: number
  sockets: Socket[]
  close(): Promise<void>
}

/** Starts a scripted broker on 127.0.0.1:0; by default it buffers answers and sends them per `flush`. */
export async function startScriptedBroker(
  onRequest: (header: RequestHeader, request: any, socket: Socket) => Reply | Promise<Reply>,
  send: (socket: Socket, frame: Buffer) => void = (s, f) => s.write(f),
): Promise<ScriptedBroker> {
  const sockets: Socket[] = []
  const server: Server = createServer((socket) => {
    sockets.push(socket)
    let pending = Buffer.alloc(0)
    socket.on('error', () => {})
    // Requests are handled one at a time, in order, like a broker does per connection.
    let queue = Promise.resolve()
    socket.on('data', (chunk) => {
      queue = queue.then(() => handle(chunk))
    })
    const handle = async (chunk: Buffer): Promise<void> => {
      pending = Buffer.concat([pending, chunk])
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const frame = pending.subarray(4, 4 + pending.readInt32BE(0))
        pending = pending.subarray(4 + frame.length)
        const {header, bodyOffset} = decodeRequestHeader(frame)
        // ApiVersions above what we implement is answered without parsing, as a broker must.
        let request: any = null
        try {
          request = decodeRequestBody(header.apiKey, header.apiVersion, frame, bodyOffset)
        } catch {
          request = null
        }
        const reply = await onRequest(header, request, socket)
        if (reply === null) continue
        if ('raw' in reply) send(socket, reply.raw)
        else send(socket, encodeResponse(header.apiKey, reply.version ?? header.apiVersion, header.correlationId, reply.body))
      }
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as {port: number}).port
  return {
    port, sockets,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    }),
  }
}

/** An ApiVersions body advertising `ranges` (apiKey -> [min, max]). */
export function apiVersionsBody(ranges: Record<number, [number, number]>): object {
  return {
    errorCode: 0, throttleTimeMs: 0,
    apiKeys: Object.entries(ranges).map(([k, [min, max]]) => ({apiKey: Number(k), minVersion: min, maxVersion: max})),
  }
}
