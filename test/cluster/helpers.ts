/** Helpers of the local-cluster tests: free consecutive ports, pid checks, bounded waits. */
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {portFree} from '../../src/cluster/node-process.js'

/** A fresh temp dir for a cluster. */
export function tempClusterDir(): string {
  return mkdtempSync(join(tmpdir(), 'samsa-cluster-'))
}

/** A base port such that base..base+n-1 are free right now (random probes, bounded). */
export async function freePortRange(n: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 30000)
    let ok = true
    for (let i = 0; i < n && ok; i++) ok = await portFree('127.0.0.1', base + i)
    if (ok) return base
  }
  throw new Error(`no ${n} consecutive free ports found`)
}

/** True when a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Waits (bounded) until `pred` holds; false on timeout. */
export async function waitFor(pred: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!pred()) {
    if (Date.now() > deadline) return false
    await new Promise((r) => setTimeout(r, 50))
  }
  return true
}

/** The state file as JSON. */
export function readState(dir: string): any {
  return JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8'))
}

/** Kills any pid recorded in the state file (test cleanup after a failure). */
export function killRecorded(dir: string): void {
  try {
    for (const n of readState(dir).nodes) if (n.pid && alive(n.pid)) process.kill(n.pid, 'SIGKILL')
  } catch {
    // No state file: nothing was started.
  }
}
