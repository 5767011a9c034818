/**
 * One node of a local cluster as an OS process: the `broker start` arguments it runs with, spawning
 * it with its output in `<node dir>/server.log`, waiting (bounded) for its "ready on" line, and
 * stopping it by pid with SIGTERM, then SIGKILL after a bound.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {closeSync, mkdirSync, openSync, readSync, fstatSync} from 'node:fs'
import {createServer} from 'node:net'
import {join} from 'node:path'
import {pidAlive, type ClusterState, type NodeState} from './state.js'

/** How a node is launched: node's executable and samsa's bin/run.js. */
export interface Launcher { execPath: string; binPath: string }

/** Path of a node's log file (its stdout and stderr). */
export function serverLog(node: NodeState): string {
  return join(node.dataDir, 'server.log')
}

/** controller.quorum.voters for the cluster: "0@host:port,1@host:port,...". */
export function quorumVoters(state: ClusterState): string {
  return state.nodes.map((n) => `${n.id}@${state.host}:${n.port}`).join(',')
}

/**
 * The `broker start` arguments of a node. default.replication.factor stays at Kafka's default (1);
 * the offsets topic is replicated to min(3, nodes) so groups survive a node failure.
 */
export function nodeArgs(state: ClusterState, node: NodeState): string[] {
  return [
    'broker', 'start', '--node-id', String(node.id), '--data-dir', node.dataDir,
    '--listen', `${state.host}:${node.port}`, '--cluster-id', state.clusterId,
    '--set', `controller.quorum.voters=${quorumVoters(state)}`,
    '--set', `offsets.topic.replication.factor=${Math.min(3, state.nodes.length)}`,
    ...Object.entries(state.brokerConfigs ?? {}).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
  ]
}

/** A spawned node process. */
export interface SpawnedNode { node: NodeState; child: ChildProcess; logOffset: number }

/**
 * Starts a node in its own process group (so a Ctrl-C at the terminal reaches only the supervisor,
 * which then stops each node once) with stdout/stderr appended to server.log.
 */
export function spawnNode(launcher: Launcher, state: ClusterState, node: NodeState, opts: {detached: boolean}): SpawnedNode {
  mkdirSync(node.dataDir, {recursive: true})
  const fd = openSync(serverLog(node), 'a')
  const logOffset = fstatSync(fd).size
  try {
    const child = spawn(launcher.execPath, [launcher.binPath, ...nodeArgs(state, node)], {
      detached: true, stdio: ['ignore', fd, fd], env: {...process.env, FORCE_COLOR: '0'},
    })
    // A detached cluster outlives this command: nothing here may keep the event loop alive for it.
    if (opts.detached) child.unref()
    node.pid = child.pid ?? null
    return {node, child, logOffset}
  } finally {
    closeSync(fd)
  }
}

/** Reads a file from `offset` (at most `max` bytes). */
function readFrom(file: string, offset: number, max = 1 << 20): string {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch {
    return ''
  }
  try {
    const buf = Buffer.alloc(max)
    const n = readSync(fd, buf, 0, max, offset)
    return buf.subarray(0, n).toString('utf8')
  } finally {
    closeSync(fd)
  }
}

/** The last `n` non-empty lines of a log text. */
export function lastLines(text: string, n: number): string {
  return text.split('\n').filter((l) => l.trim() !== '').slice(-n).join('\n')
}

/**
 * Resolves with the node's "host:port" once its log says "samsa broker <id> ready on host:port";
 * rejects when the process exits first or after `timeoutMs` (polls every 50 ms, so it is bounded).
 */
export async function waitReady(spawned: SpawnedNode, timeoutMs: number): Promise<string> {
  const file = serverLog(spawned.node)
  let exitCode: number | null | undefined
  const onExit = (code: number | null, signal: string | null): void => {
    exitCode = code ?? (signal ? -1 : null)
  }
  spawned.child.once('exit', onExit)
  const deadline = Date.now() + timeoutMs
  try {
    for (;;) {
      const text = readFrom(file, spawned.logOffset)
      const m = text.match(new RegExp(`samsa broker ${spawned.node.id} ready on (\\S+)`))
      if (m) return m[1]
      if (exitCode !== undefined || spawned.child.exitCode !== null) {
        // Read again: the node may have written its last words between the read above and its exit.
        throw new Error(`node ${spawned.node.id} exited before it was ready:\n${lastLines(readFrom(file, spawned.logOffset), 5)}`)
      }
      if (Date.now() >= deadline) {
        throw new Error(`node ${spawned.node.id} was not ready within ${timeoutMs} ms (see ${file}):\n${lastLines(text, 5)}`)
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  } finally {
    spawned.child.off('exit', onExit)
  }
}

/** True when nothing listens on host:port (we can bind it). */
export function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen({host, port, exclusive: true}, () => server.close(() => resolve(true)))
  })
}

/**
 * Sends `signal` to a node's pid and waits (polling, bounded by `timeoutMs`) until it is gone;
 * after a SIGTERM that did not end it in time, SIGKILL. Resolves with how it ended.
 */
export async function stopPid(node: NodeState, signal: 'SIGTERM' | 'SIGKILL', timeoutMs: number): Promise<'stopped' | 'killed' | 'not-running'> {
  if (!pidAlive(node.pid, node.dataDir)) return 'not-running'
  const pid = node.pid!
  try {
    process.kill(pid, signal)
  } catch {
    return 'not-running'
  }
  if (await waitGone(node, timeoutMs)) return signal === 'SIGKILL' ? 'killed' : 'stopped'
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // Gone between the check and the kill.
  }
  await waitGone(node, 5000)
  return 'killed'
}

/** Polls until the node's pid is gone or `timeoutMs` passes; true when gone. */
export async function waitGone(node: NodeState, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (pidAlive(node.pid, node.dataDir)) {
    if (Date.now() >= deadline) return false
    await new Promise((r) => setTimeout(r, 50))
  }
  return true
}
