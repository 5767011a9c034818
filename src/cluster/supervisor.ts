/**
 * ClusterSupervisor: a local cluster of N combined broker+controller nodes, one OS process each,
 * node i in `<dataDir>/node-i` listening on basePort + i. It creates the state file on the first
 * start (with a new cluster id) and reuses data dirs, ports and cluster id on every later start.
 * Commands call it; it never prints (progress goes to the onProgress callback).
 */
import {existsSync, mkdirSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {newClusterId} from '../broker/metadata/meta-properties.js'
import {portFree, spawnNode, stopPid, waitReady, type Launcher, type SpawnedNode} from './node-process.js'
import {
  ClusterUsageError, findNode, pidAlive, readClusterState, requireClusterState, writeClusterState,
  type ClusterState, type NodeState,
} from './state.js'

/** What `cluster start` asks for; omitted values come from the state file, then the defaults. */
export interface StartOptions {
  nodes?: number; basePort?: number; detached: boolean
  /** Broker configs for every node (merged over the recorded ones of an existing cluster). */
  brokerConfigs?: Record<string, string>
}

/** A node as status reports it. */
export interface NodeStatus extends NodeState { running: boolean; listener: string }

/** Progress of a start, for a spinner. */
export type StartProgress = {kind: 'spawned' | 'ready'; node: NodeState; listener?: string}

/** Bounds of the supervisor's waits. */
export interface SupervisorTimeouts { readyTimeoutMs?: number; stopTimeoutMs?: number }

const MAX_NODES = 64

/** Supervises the local cluster under one data dir; see the file comment. */
export class ClusterSupervisor {
  readonly dataDir: string
  private readonly readyTimeoutMs: number
  private readonly stopTimeoutMs: number

  constructor(dataDir: string, private readonly launcher: Launcher, timeouts: SupervisorTimeouts = {}) {
    this.dataDir = resolve(dataDir)
    this.readyTimeoutMs = timeouts.readyTimeoutMs ?? 30_000
    this.stopTimeoutMs = timeouts.stopTimeoutMs ?? 15_000
  }

  /** The recorded cluster, or undefined when none was started here. */
  state(): ClusterState | undefined {
    return readClusterState(this.dataDir)
  }

  /** The cluster this start will run: the recorded one (flags must agree with it) or a new one. */
  plan(opts: StartOptions): ClusterState {
    const existing = readClusterState(this.dataDir)
    if (existing) {
      if (opts.nodes !== undefined && opts.nodes !== existing.nodes.length) {
        throw new ClusterUsageError(`the cluster in ${this.dataDir} has ${existing.nodes.length} nodes, not ${opts.nodes} (use another --data-dir for a new cluster)`)
      }
      if (opts.basePort !== undefined && opts.basePort !== existing.basePort) {
        throw new ClusterUsageError(`the cluster in ${this.dataDir} uses base port ${existing.basePort}, not ${opts.basePort}`)
      }
      return {...existing, detached: opts.detached, brokerConfigs: {...existing.brokerConfigs, ...opts.brokerConfigs}}
    }
    const n = opts.nodes ?? 3
    const basePort = opts.basePort ?? 9092
    if (!Number.isInteger(n) || n < 1 || n > MAX_NODES) throw new ClusterUsageError(`--nodes must be between 1 and ${MAX_NODES}, got ${n}`)
    if (!Number.isInteger(basePort) || basePort < 1 || basePort + n - 1 > 65535) {
      throw new ClusterUsageError(`--base-port ${basePort} leaves no room for ${n} nodes`)
    }
    return {
      clusterId: newClusterId(), basePort, host: '127.0.0.1', detached: opts.detached, brokerConfigs: {...opts.brokerConfigs},
      nodes: Array.from({length: n}, (_, id) => ({id, port: basePort + id, pid: null, dataDir: join(this.dataDir, `node-${id}`)})),
    }
  }

  /**
   * Starts every node that is not running, waits until each says it is ready, and records the
   * cluster. Refuses (ClusterUsageError) when a node's port is taken by something else. When a node
   * fails to come up, the nodes this call started are stopped again and the error is rethrown.
   */
  async start(opts: StartOptions, onProgress: (p: StartProgress) => void = () => {}): Promise<{state: ClusterState; started: SpawnedNode[]; alreadyRunning: number[]}> {
    const state = this.plan(opts)
    const alreadyRunning = state.nodes.filter((n) => pidAlive(n.pid, n.dataDir)).map((n) => n.id)
    const toStart = state.nodes.filter((n) => !alreadyRunning.includes(n.id))
    for (const n of toStart) {
      if (!(await portFree(state.host, n.port))) throw new ClusterUsageError(`port ${n.port} (node ${n.id}) is busy`)
    }
    mkdirSync(this.dataDir, {recursive: true})
    const started: SpawnedNode[] = []
    try {
      for (const n of toStart) {
        started.push(spawnNode(this.launcher, state, n, {detached: opts.detached}))
        onProgress({kind: 'spawned', node: n})
      }
      // Recorded before the wait, so a cluster that hangs while coming up can still be stopped from another shell.
      writeClusterState(this.dataDir, state)
      await Promise.all(started.map(async (s) => {
        const listener = await waitReady(s, this.readyTimeoutMs)
        onProgress({kind: 'ready', node: s.node, listener})
      }))
    } catch (err) {
      await Promise.all(started.map((s) => stopPid(s.node, 'SIGKILL', this.stopTimeoutMs)))
      for (const s of started) s.node.pid = null
      writeClusterState(this.dataDir, state)
      throw err
    }
    return {state, started, alreadyRunning}
  }

  /** Every node with whether it runs (a recorded pid whose process is gone reads as stopped). */
  status(): {state: ClusterState; nodes: NodeStatus[]} {
    const state = requireClusterState(this.dataDir)
    const nodes = state.nodes.map((n) => ({...n, running: pidAlive(n.pid, n.dataDir), listener: `${state.host}:${n.port}`}))
    return {state, nodes}
  }

  /** Graceful stop of every running node (SIGTERM each, SIGKILL after the bound). */
  async stopAll(): Promise<{id: number; result: 'stopped' | 'killed' | 'not-running'}[]> {
    const state = requireClusterState(this.dataDir)
    const results = await Promise.all(state.nodes.map(async (n) => ({id: n.id, result: await stopPid(n, 'SIGTERM', this.stopTimeoutMs)})))
    for (const n of state.nodes) n.pid = null
    writeClusterState(this.dataDir, state)
    return results
  }

  /** Stops one node: SIGTERM (controlled shutdown) or SIGKILL (a crash). */
  async stopNode(id: number, signal: 'SIGTERM' | 'SIGKILL'): Promise<'stopped' | 'killed' | 'not-running'> {
    const state = requireClusterState(this.dataDir)
    const node = findNode(state, id)
    const result = await stopPid(node, signal, this.stopTimeoutMs)
    node.pid = null
    this.saveNode(node)
    return result
  }

  /**
   * Starts a node again with the same arguments (stopping it gracefully first when it runs);
   * detached: it outlives this command. Resolves with its listener once ready.
   */
  async restartNode(id: number): Promise<{node: NodeState; listener: string; wasRunning: boolean}> {
    const state = requireClusterState(this.dataDir)
    const node = findNode(state, id)
    if (!existsSync(node.dataDir)) throw new ClusterUsageError(`data dir of node ${id} (${node.dataDir}) is gone`)
    const wasRunning = pidAlive(node.pid, node.dataDir)
    if (wasRunning) await stopPid(node, 'SIGTERM', this.stopTimeoutMs)
    if (!(await portFree(state.host, node.port))) throw new ClusterUsageError(`port ${node.port} (node ${id}) is busy`)
    const spawned = spawnNode(this.launcher, state, node, {detached: true})
    this.saveNode(node)
    try {
      return {node, listener: await waitReady(spawned, this.readyTimeoutMs), wasRunning}
    } catch (err) {
      await stopPid(node, 'SIGKILL', this.stopTimeoutMs)
      node.pid = null
      this.saveNode(node)
      throw err
    }
  }

  /** Re-reads the state file and replaces one node in it, so concurrent node commands do not undo each other. */
  private saveNode(node: NodeState): void {
    const fresh = requireClusterState(this.dataDir)
    fresh.nodes = fresh.nodes.map((n) => (n.id === node.id ? {...node} : n))
    writeClusterState(this.dataDir, fresh)
  }
}
