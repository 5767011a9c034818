/**
 * The state file of a local cluster, `<dataDir>/cluster.json`: which nodes exist, their ports,
 * pids and data dirs, and the cluster id. Written by `cluster start` and the node commands so that
 * another shell can find, inspect and stop the nodes; pids are only hints (see pidAlive).
 */
import {existsSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

/** One node of a local cluster as recorded in the state file. */
export interface NodeState {
  id: number
  port: number
  /** Last known pid; null when the node was stopped through samsa. */
  pid: number | null
  dataDir: string
}

/** The whole state file. */
export interface ClusterState {
  clusterId: string
  basePort: number
  host: string
  /** True when the nodes were started with --detach (nobody supervises them). */
  detached: boolean
  nodes: NodeState[]
  /** Broker configs every node starts with (`cluster start --set`); a restart reuses them. */
  brokerConfigs: Record<string, string>
}

/** A mistake of the caller (no cluster here, unknown node, port busy...): commands exit 2 on it. */
export class ClusterUsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ClusterUsageError'
  }
}

/** Path of the state file under a cluster data dir. */
export function stateFile(dataDir: string): string {
  return join(dataDir, 'cluster.json')
}

/** Reads the state file; undefined when there is none. Throws ClusterUsageError when it is unreadable. */
export function readClusterState(dataDir: string): ClusterState | undefined {
  const file = stateFile(dataDir)
  if (!existsSync(file)) return undefined
  let parsed: any
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new ClusterUsageError(`${file} is not valid JSON: ${(err as Error).message}`)
  }
  if (!parsed || typeof parsed.clusterId !== 'string' || !Array.isArray(parsed.nodes) ||
    !parsed.nodes.every((n: any) => Number.isInteger(n?.id) && Number.isInteger(n?.port) && typeof n?.dataDir === 'string')) {
    throw new ClusterUsageError(`${file} is not a samsa cluster state file`)
  }
  return {
    clusterId: parsed.clusterId, basePort: Number(parsed.basePort), host: parsed.host ?? '127.0.0.1',
    detached: Boolean(parsed.detached),
    brokerConfigs: parsed.brokerConfigs && typeof parsed.brokerConfigs === 'object' ? {...parsed.brokerConfigs} : {},
    nodes: parsed.nodes.map((n: any) => ({id: n.id, port: n.port, pid: Number.isInteger(n.pid) ? n.pid : null, dataDir: n.dataDir})),
  }
}

/** Reads the state file or throws "no cluster here" (ClusterUsageError). */
export function requireClusterState(dataDir: string): ClusterState {
  const state = readClusterState(dataDir)
  if (!state) throw new ClusterUsageError(`no cluster in ${dataDir} (start one with: samsa cluster start --data-dir ${dataDir})`)
  return state
}

/** Writes the state file atomically (temp file + rename), so a reader never sees half of it. */
export function writeClusterState(dataDir: string, state: ClusterState): void {
  const file = stateFile(dataDir)
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2) + '\n')
  renameSync(`${file}.tmp`, file)
}

/** The node with `id`, or ClusterUsageError naming the known ids. */
export function findNode(state: ClusterState, id: number): NodeState {
  const node = state.nodes.find((n) => n.id === id)
  if (!node) throw new ClusterUsageError(`no node ${id} in this cluster (nodes: ${state.nodes.map((n) => n.id).join(', ')})`)
  return node
}

/**
 * True when `pid` is a live process that is this node's broker. On Linux the command line must name
 * the node's data dir, so a recycled pid of an unrelated process reads as stopped.
 */
export function pidAlive(pid: number | null, dataDir?: string): boolean {
  if (pid === null || !Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
  } catch (err) {
    // EPERM: it exists but belongs to someone else -- not one of our nodes.
    return false
  }
  if (dataDir === undefined) return true
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    if (cmdline.length === 0) return false // a zombie: exited, not yet reaped
    return cmdline.split('\0').includes(dataDir)
  } catch {
    // No /proc (macOS): trust kill(0).
    return process.platform !== 'linux'
  }
}
