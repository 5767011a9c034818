// An in-process cluster of metadata nodes over FakeQuorum: each node's controller APIs are reached
// through an injected transport that encodes and decodes every request and response with the real
// codecs and runs the real handlers, so forwarding is exercised end to end without sockets.
import {createClusterMetadata, type ClusterMetadata} from '../../src/controller/cluster-metadata.js'
import type {ControllerTransport} from '../../src/controller/controller-transport.js'
import {FORWARD_CLIENT_PREFIX} from '../../src/controller/controller-transport.js'
import {handlerFor} from '../../src/broker/handlers/index.js'
import type {BrokerContext} from '../../src/broker/context.js'
import {decodeRequestBody, decodeRequestHeader, decodeResponse, encodeRequest, encodeResponse, supportedVersions, ErrorCode, KafkaError} from '../../src/protocol/index.js'
import {FakeQuorum} from '../helpers/fake-raft.js'

export const FAST_PROPS: Record<string, string> = {
  'broker.heartbeat.interval.ms': '50', 'broker.session.timeout.ms': '600', 'auto.leader.rebalance.enable': 'false',
  'num.partitions': '1', 'default.replication.factor': '1',
}

export interface TestNode { id: number; cm: ClusterMetadata; context: BrokerContext; logs: string[] }

/** N nodes over one fake quorum; call close() at the end. */
export class TestCluster {
  readonly quorum = new FakeQuorum()
  readonly nodes = new Map<number, TestNode>()
  /** Nodes that do not answer (a crashed or partitioned node). */
  readonly down = new Set<number>()

  constructor(private readonly props: Record<string, string> = {}) {}

  start(id: number): TestNode {
    const logs: string[] = []
    const logger = (l: string, m: string) => logs.push(`${l} ${m}`)
    const props = {...FAST_PROPS, ...this.props}
    const cm = createClusterMetadata({nodeId: id, clusterId: 'test-cluster', props, raft: this.quorum.node(id), logger, transport: this.transport(id)})
    const context = {
      nodeId: id, clusterId: 'test-cluster', host: '127.0.0.1', port: 9000 + id, props, metadata: cm.metadata,
      replicaManager: {getLog: () => undefined}, logManager: undefined as any, dataDir: '', logger,
    } as BrokerContext
    const node = {id, cm, context, logs}
    this.nodes.set(id, node)
    this.down.delete(id)
    cm.lifecycle.start('127.0.0.1', 9000 + id)
    return node
  }

  /** Stops a node without a controlled shutdown (like SIGKILL): it stops heartbeating and answering. */
  kill(id: number): void {
    this.nodes.get(id)?.cm.close()
    this.quorum.crash(id)
    this.nodes.delete(id)
    this.down.add(id)
  }

  node(id: number): TestNode {
    return this.nodes.get(id)!
  }

  close(): void {
    for (const id of [...this.nodes.keys()]) this.kill(id)
  }

  private transport(from: number): ControllerTransport {
    return {
      send: async (to: number, apiKey: number, body: object) => {
        await new Promise((r) => setImmediate(r))
        const target = this.nodes.get(to)
        if (!target || this.down.has(to)) throw new KafkaError(ErrorCode.NETWORK_EXCEPTION, `node ${to} is down`)
        const version = supportedVersions(apiKey)!.max
        const frame = encodeRequest({apiKey, apiVersion: version, correlationId: 7, clientId: `${FORWARD_CLIENT_PREFIX}${from}`}, body).subarray(4)
        const {header, bodyOffset} = decodeRequestHeader(frame)
        const req = decodeRequestBody(apiKey, version, frame, bodyOffset)
        const resp = await handlerFor(apiKey)!.handle(target.context, req, {header, clientHost: '127.0.0.1', connectionId: 1})
        return decodeResponse(apiKey, version, encodeResponse(apiKey, version, 7, resp as object).subarray(4)).body
      },
      close: () => {},
    }
  }
}

/** Polls `cond` every 20 ms until true; fails after timeoutMs. */
export async function until(cond: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Starts nodes 0..n-1 with node `leader` as the active controller and waits until all are unfenced. */
export async function startCluster(n: number, props: Record<string, string> = {}, leader = 0): Promise<TestCluster> {
  const c = new TestCluster(props)
  for (let i = 0; i < n; i++) c.start(i)
  c.quorum.setLeader(leader)
  for (let i = 0; i < n; i++) assertTrue(await c.node(i).cm.lifecycle.awaitUnfenced(3000), `node ${i} unfenced`)
  return c
}

function assertTrue(v: boolean, what: string): void {
  if (!v) throw new Error(`expected ${what}`)
}
