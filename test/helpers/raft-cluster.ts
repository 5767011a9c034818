// A Raft quorum in one process for the KafkaRaftClient tests: each node is a KafkaRaftClient served by
// a minimal SocketServer on 127.0.0.1 that decodes only the Raft APIs and Fetch and routes them to the
// client. Nodes can be killed (no resignation) and restarted on their data dir and port.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {SocketServer, CloseConnectionError, type ResponseFrame} from '../../src/broker/socket-server.js'
import {decodeRequestHeader, decodeRequestBody, encodeResponse} from '../../src/protocol/index.js'
import {KafkaRaftClient, type KafkaRaftClientOptions} from '../../src/controller/raft/kafka-raft-client.js'
import type {CommittedBatch, LeaderAndEpoch, RaftListener} from '../../src/controller/raft/types.js'

/** Everything one node's listener heard. */
export class RecordingListener implements RaftListener {
  readonly batches: CommittedBatch[] = []
  readonly leaderEpochs: number[] = []
  readonly changes: LeaderAndEpoch[] = []
  /** The committed record values as strings, in order. */
  values(): string[] {
    return this.batches.flatMap((b) => b.records.map((r) => r.toString()))
  }
  onCommit(batch: CommittedBatch): void {
    this.batches.push(batch)
  }
  onBecomeLeader(epoch: number): void {
    this.leaderEpochs.push(epoch)
  }
  onLeaderChange(leader: LeaderAndEpoch): void {
    this.changes.push(leader)
  }
}

/** Serves the Raft APIs (52-55) and Fetch of one client on a socket server. */
export function raftServer(port: number, client: () => KafkaRaftClient | null): SocketServer {
  return new SocketServer({
    host: '127.0.0.1', port, maxRequestBytes: 100 << 20, idleMs: 0, logger: () => {},
    processor: async (frame): Promise<ResponseFrame> => {
      const {header, bodyOffset} = decodeRequestHeader(frame)
      const c = client()
      if (!c) throw new CloseConnectionError('node is down')
      const req = decodeRequestBody(header.apiKey, header.apiVersion, frame, bodyOffset)
      let body: object
      switch (header.apiKey) {
        case 1: body = await c.handleFetch(req, header.apiVersion); break
        case 52: body = c.handleVote(req, header.apiVersion); break
        case 53: body = c.handleBeginQuorumEpoch(req, header.apiVersion); break
        case 54: body = c.handleEndQuorumEpoch(req, header.apiVersion); break
        case 55: body = c.handleDescribeQuorum(req, header.apiVersion); break
        default: throw new CloseConnectionError(`api ${header.apiKey} not served`)
      }
      return encodeResponse(header.apiKey, header.apiVersion, header.correlationId, body)
    },
  })
}

/** One node of a TestQuorum. */
export interface RaftNode {
  id: number; port: number; dataDir: string
  client: KafkaRaftClient | null; server: SocketServer | null; listener: RecordingListener
  logs: string[]
}

/** Options every node gets (short timeouts keep tests fast). */
export type QuorumTimings = Partial<Pick<KafkaRaftClientOptions, 'electionTimeoutMs' | 'fetchTimeoutMs' | 'fetchMaxWaitMs'>>

/** N nodes on free ports with temp data dirs. */
export class TestQuorum {
  readonly nodes: RaftNode[] = []
  private readonly root = mkdtempSync(join(tmpdir(), 'samsa-raft-'))

  constructor(readonly size: number, readonly clusterId = 'raft-test-cluster', readonly timings: QuorumTimings = {}) {}

  /** Binds every node's port, then starts every client. */
  async start(): Promise<void> {
    for (let id = 0; id < this.size; id++) {
      const node: RaftNode = {id, port: 0, dataDir: join(this.root, `node-${id}`), client: null, server: null, listener: new RecordingListener(), logs: []}
      node.server = raftServer(0, () => node.client)
      node.port = await node.server.listen()
      this.nodes.push(node)
    }
    for (const n of this.nodes) this.startClient(n)
  }

  private voters(): Map<number, {host: string; port: number}> {
    return new Map(this.nodes.map((n) => [n.id, {host: '127.0.0.1', port: n.port}]))
  }

  private startClient(n: RaftNode): void {
    n.client = new KafkaRaftClient({nodeId: n.id, clusterId: this.clusterId, voters: this.voters(), dataDir: n.dataDir,
      electionTimeoutMs: 300, fetchTimeoutMs: 600, fetchMaxWaitMs: 200, ...this.timings, logger: (l, m) => n.logs.push(`${l} ${m}`)})
    n.client.register(n.listener)
    n.client.start()
  }

  /** Crashes a node: its client stops without resigning and its server closes its connections. */
  async kill(id: number): Promise<void> {
    const n = this.nodes[id]
    n.client?.close()
    n.client = null
    await n.server?.close(0)
    n.server = null
  }

  /** Restarts a killed node on its data dir and port, with a fresh listener. */
  async restart(id: number): Promise<void> {
    const n = this.nodes[id]
    n.listener = new RecordingListener()
    n.server = raftServer(n.port, () => n.client)
    await n.server.listen()
    this.startClient(n)
  }

  /** The live leader, if exactly one live node claims leadership in the highest epoch. */
  leader(): RaftNode | undefined {
    const live = this.nodes.filter((n) => n.client)
    const leaders = live.filter((n) => n.client!.isLeader())
    if (leaders.length === 0) return undefined
    const top = Math.max(...leaders.map((n) => n.client!.leaderAndEpoch().epoch))
    return leaders.find((n) => n.client!.leaderAndEpoch().epoch === top)
  }

  /** Waits (bounded) for a leader every live node agrees on. */
  async waitForLeader(timeoutMs = 5000, exclude = -1): Promise<RaftNode> {
    let found: RaftNode | undefined
    await waitFor(() => {
      const l = this.leader()
      if (!l || l.id === exclude) return false
      const e = l.client!.leaderAndEpoch()
      const agree = this.nodes.filter((n) => n.client).every((n) => {
        const s = n.client!.leaderAndEpoch()
        return s.leaderId === e.leaderId && s.epoch === e.epoch
      })
      if (agree) found = l
      return agree
    }, timeoutMs, 'a leader all live nodes agree on')
    return found!
  }

  /** Stops every node and removes the data dirs. */
  async destroy(): Promise<void> {
    for (const n of this.nodes) {
      n.client?.close()
      n.client = null
      await n.server?.close(0)
    }
    rmSync(this.root, {recursive: true, force: true})
  }
}

/** Polls `cond` every 10 ms until it holds; throws after `timeoutMs`. */
export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}
