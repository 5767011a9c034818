/**
 * What the local-cluster commands (cluster start/status/stop, node stop/kill/restart) share: the
 * --data-dir flag, the supervisor built for this installation, the node table, and turning the
 * supervisor's usage errors into exit code 2.
 */
import {join, resolve} from 'node:path'
import {Args, Flags} from '@oclif/core'
import {ClusterSupervisor} from '../cluster/supervisor.js'
import {ClusterUsageError} from '../cluster/state.js'
import {AdminClient, type QuorumDescription} from '../client/admin.js'
import {UsageError} from './errors.js'
import type {NodeStatus} from '../cluster/supervisor.js'

/** --data-dir of the local-cluster commands (node i lives in DIR/node-i). */
export const clusterDirFlag = Flags.string({summary: 'The cluster\'s data dir (node i in DIR/node-i).', default: '.samsa'})

/** The ID argument of the node commands. */
export const nodeIdArg = Args.integer({description: 'Node id (0..N-1).', required: true, min: 0})

/** A supervisor for the cluster in `dataDir` that launches nodes with this installation's bin/run.js. */
export function supervisor(root: string, dataDir: string, timeouts?: {readyTimeoutMs?: number; stopTimeoutMs?: number}): ClusterSupervisor {
  return new ClusterSupervisor(resolve(dataDir), {execPath: process.execPath, binPath: join(root, 'bin', 'run.js')}, timeouts ?? envTimeouts())
}

/** SAMSA_CLUSTER_READY_TIMEOUT_MS / SAMSA_CLUSTER_STOP_TIMEOUT_MS override the waits (tests keep them short). */
function envTimeouts(): {readyTimeoutMs?: number; stopTimeoutMs?: number} {
  const n = (v: string | undefined): number | undefined => (v !== undefined && Number(v) > 0 ? Number(v) : undefined)
  return {readyTimeoutMs: n(process.env.SAMSA_CLUSTER_READY_TIMEOUT_MS), stopTimeoutMs: n(process.env.SAMSA_CLUSTER_STOP_TIMEOUT_MS)}
}

/** Runs a supervisor call; its "you asked for something impossible" errors become usage errors (exit 2). */
export async function clusterCall<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    if (err instanceof ClusterUsageError) throw new UsageError(err.message)
    throw err
  }
}

/** What the running nodes say about roles: the active controller and the quorum. */
export interface ClusterRoles {
  controllerId: number
  quorum: QuorumDescription | null
  /** Why roles could not be read, when they could not. */
  error?: string
}

/** Asks the running nodes for the controller (Metadata) and the quorum (DescribeQuorum), bounded by a short timeout. */
export async function fetchRoles(nodes: NodeStatus[], timeoutMs = 3000): Promise<ClusterRoles> {
  const running = nodes.filter((n) => n.running)
  if (running.length === 0) return {controllerId: -1, quorum: null, error: 'no node is running'}
  const admin = new AdminClient({bootstrap: running.map((n) => n.listener), requestTimeoutMs: timeoutMs, connectTimeoutMs: timeoutMs, retries: 1, retryBackoffMs: 100})
  try {
    const cluster = await admin.describeCluster()
    let quorum: QuorumDescription | null = null
    let error: string | undefined
    try {
      quorum = await admin.describeQuorum()
    } catch (err) {
      error = `DescribeQuorum: ${(err as Error).message}`
    }
    return {controllerId: cluster.controllerId, quorum, error}
  } catch (err) {
    return {controllerId: -1, quorum: null, error: (err as Error).message}
  } finally {
    await admin.close().catch(() => undefined)
  }
}

/** A node's role: its place in the quorum when known, else whether it is the active controller. */
export function roleOf(node: NodeStatus, roles: ClusterRoles | undefined): string {
  if (!node.running) return 'stopped'
  if (!roles) return 'starting'
  const q = roles.quorum
  if (q) {
    if (q.leaderId === node.id) return 'leader (active controller)'
    if (q.voters.some((v) => v.replicaId === node.id)) return 'follower'
    if (q.observers.some((v) => v.replicaId === node.id)) return 'observer'
  }
  if (roles.controllerId === node.id) return q ? 'active controller' : 'active controller (no quorum info)'
  return 'unknown'
}

/** A voter's metadata log end offset, when the quorum reports it. */
export function logEndOf(node: NodeStatus, roles: ClusterRoles | undefined): bigint | null {
  const v = roles?.quorum?.voters.find((r) => r.replicaId === node.id) ?? roles?.quorum?.observers.find((r) => r.replicaId === node.id)
  return v && v.logEndOffset >= 0n ? v.logEndOffset : null
}

/** One JSON/table record per node. */
export function nodeRecord(node: NodeStatus, roles: ClusterRoles | undefined): Record<string, unknown> {
  return {
    id: node.id, state: node.running ? 'running' : 'stopped', listener: node.listener, pid: node.running ? node.pid : null,
    dataDir: node.dataDir, role: roleOf(node, roles), metadataLogEndOffset: logEndOf(node, roles),
  }
}
