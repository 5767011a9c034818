// Several in-process brokers over one FakeCluster (test/helpers/fake-metadata.ts), each with its own
// temp data dir, for the replication tests. Nodes can be stopped and restarted on the same dir.
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {startBroker, type Broker} from '../../src/broker/index.js'
import type {CoreBrokerContext} from '../../src/broker/context.js'
import type {Log} from '../../src/storage/index.js'
import {FakeCluster, type FakeMetadataView} from '../helpers/fake-metadata.js'

/** Short timings so a test file runs in seconds. */
export const FAST_PROPS: Record<string, string> = {
  'replica.lag.time.max.ms': '800',
  'replica.fetch.wait.max.ms': '100',
  'replica.fetch.backoff.ms': '100',
  'replica.socket.timeout.ms': '2000',
}

interface Node { id: number; dir: string; broker: Broker | null; view: FakeMetadataView | null; logs: string[] }

/** A cluster of in-process brokers; see the file comment. */
export class TestCluster {
  readonly fake = new FakeCluster()
  readonly nodes: Node[] = []

  private constructor(private readonly props: Record<string, string>) {}

  /** Starts `n` brokers with ids 0..n-1 and registers them. */
  static async start(n: number, props: Record<string, string> = {}): Promise<TestCluster> {
    const c = new TestCluster({...FAST_PROPS, ...props})
    for (let id = 0; id < n; id++) c.nodes.push({id, dir: mkdtempSync(join(tmpdir(), `samsa-repl-${id}-`)), broker: null, view: null, logs: []})
    for (let id = 0; id < n; id++) await c.startNode(id)
    return c
  }

  /** Starts (or restarts on its data dir) node `id`. */
  async startNode(id: number): Promise<Broker> {
    const node = this.nodes[id]
    const view = this.fake.view()
    const broker = await startBroker({nodeId: id, dataDir: node.dir, host: '127.0.0.1', port: 0, props: this.props, metadata: view,
      logger: (l, m) => node.logs.push(`${l} ${m}`)})
    node.broker = broker
    node.view = view
    this.fake.registerBroker(id, broker.port)
    return broker
  }

  /** Closes node `id` cleanly and stops its metadata view. */
  async stopNode(id: number): Promise<void> {
    const node = this.nodes[id]
    if (node.view) this.fake.detach(node.view)
    await node.broker?.close()
    node.broker = null
    node.view = null
  }

  broker(id: number): Broker {
    const b = this.nodes[id].broker
    if (!b) throw new Error(`node ${id} is not running`)
    return b
  }

  /** The partition log on node `id` (running). */
  log(id: number, topic: string, partition: number): Log {
    const log = this.broker(id).context.replicaManager.getLog(topic, partition)
    if (!log) throw new Error(`node ${id} has no log ${topic}-${partition}`)
    return log
  }

  context(id: number): CoreBrokerContext {
    return this.broker(id).context as CoreBrokerContext
  }

  /** The bytes of every segment file of a partition on node `id`, concatenated in offset order. */
  segmentBytes(id: number, topic: string, partition: number): Buffer {
    const dir = join(this.nodes[id].dir, `${topic}-${partition}`)
    const files = readdirSync(dir).filter((f) => f.endsWith('.log')).sort()
    return Buffer.concat(files.map((f) => readFileSync(join(dir, f))))
  }

  /** Path of a partition dir on node `id`. */
  partitionDir(id: number, topic: string, partition: number): string {
    return join(this.nodes[id].dir, `${topic}-${partition}`)
  }

  /** Stops every node and removes the data dirs. */
  async destroy(): Promise<void> {
    for (const n of this.nodes) await this.stopNode(n.id).catch(() => {})
    for (const n of this.nodes) rmSync(n.dir, {recursive: true, force: true})
  }
}

/** Polls `cond` every 20 ms until it holds; throws after `timeoutMs`. */
export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
