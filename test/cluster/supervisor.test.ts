/** The local-cluster commands driven through the real binary: start --detach, status, node kill/restart, stop, restart on the same data. */
import {after, before, describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {samsa} from '../cli/helpers.js'
import {alive, freePortRange, killRecorded, readState, tempClusterDir, waitFor} from './helpers.js'

const env = {SAMSA_CLUSTER_STOP_TIMEOUT_MS: '8000'}

async function status(dir: string): Promise<any> {
  const r = await samsa(['cluster', 'status', '--data-dir', dir, '--json'], {env})
  assert.equal(r.code, 0, r.stderr)
  return JSON.parse(r.stdout)
}

describe('cluster start --detach / status / node / stop', () => {
  let dir: string
  let base: number
  before(async () => {
    dir = tempClusterDir()
    base = await freePortRange(3)
  })
  after(() => {
    killRecorded(dir)
    rmSync(dir, {recursive: true, force: true})
  })

  it('starts three detached nodes that status reports running with pids', async () => {
    const r = await samsa(['cluster', 'start', '--nodes', '3', '--base-port', String(base), '--data-dir', dir, '--detach', '--json'], {env})
    assert.equal(r.code, 0, r.stderr)
    const started = JSON.parse(r.stdout)
    assert.equal(started.nodes.length, 3)
    const st = await status(dir)
    assert.equal(st.running, 3)
    for (const [i, n] of st.nodes.entries()) {
      assert.equal(n.id, i)
      assert.equal(n.state, 'running')
      assert.equal(n.listener, `127.0.0.1:${base + i}`)
      assert.ok(Number.isInteger(n.pid) && alive(n.pid), `node ${i} pid ${n.pid} alive`)
      assert.equal(n.dataDir, join(dir, `node-${i}`))
      // Every node carries the cluster's id.
      assert.match(readFileSync(join(dir, `node-${i}`, 'meta.properties'), 'utf8'), new RegExp(`cluster.id=${st.clusterId}`))
    }
    assert.match(readFileSync(join(dir, 'node-0', 'server.log'), 'utf8'), /samsa broker 0 ready on/)
    const created = await samsa(['topic', 'create', 'kept', '-p', '2', '-b', `127.0.0.1:${base}`], {env})
    assert.equal(created.code, 0, created.stderr)
  })

  it('node kill shows the node stopped; node restart brings it back on the same data', async () => {
    const before = await status(dir)
    const pid1 = before.nodes[1].pid
    const k = await samsa(['node', 'kill', '1', '--data-dir', dir], {env})
    assert.equal(k.code, 0, k.stderr)
    assert.ok(await waitFor(() => !alive(pid1), 5000), 'killed pid is gone')
    let st = await status(dir)
    assert.deepEqual(st.nodes.map((n: any) => n.state), ['running', 'stopped', 'running'])
    assert.equal(st.nodes[1].pid, null)
    const r = await samsa(['node', 'restart', '1', '--data-dir', dir, '--json'], {env})
    assert.equal(r.code, 0, r.stderr)
    const restarted = JSON.parse(r.stdout)
    assert.notEqual(restarted.pid, pid1)
    assert.equal(restarted.listener, `127.0.0.1:${base + 1}`)
    st = await status(dir)
    assert.deepEqual(st.nodes.map((n: any) => n.state), ['running', 'running', 'running'])
    assert.equal(st.clusterId, before.clusterId)
    // Killed, so the restart recovered the log instead of finding the clean-shutdown marker.
    assert.match(readFileSync(join(dir, 'node-1', 'server.log'), 'utf8'), /samsa broker 1 ready on[\s\S]*samsa broker 1 ready on/)
  })

  it('a stale pid (process gone behind samsa\'s back) reads as stopped', async () => {
    const st0 = await status(dir)
    const pid2 = st0.nodes[2].pid
    process.kill(pid2, 'SIGKILL')
    assert.ok(await waitFor(() => !alive(pid2), 5000))
    const st = await status(dir)
    assert.equal(st.nodes[2].state, 'stopped')
    assert.equal(readState(dir).nodes[2].pid, pid2, 'the state file still records the old pid')
  })

  it('cluster stop ends every node; start again reuses cluster id, ports and data', async () => {
    const st0 = await status(dir)
    const pids = st0.nodes.filter((n: any) => n.pid).map((n: any) => n.pid)
    const s = await samsa(['cluster', 'stop', '--data-dir', dir, '--json'], {env})
    assert.equal(s.code, 0, s.stderr)
    assert.deepEqual(JSON.parse(s.stdout).nodes.map((n: any) => n.result), ['stopped', 'stopped', 'not-running'])
    assert.ok(await waitFor(() => pids.every((p: number) => !alive(p)), 5000))
    assert.equal((await status(dir)).running, 0)
    assert.match(readFileSync(join(dir, 'node-0', 'server.log'), 'utf8'), /broker shut down cleanly/)

    const again = await samsa(['cluster', 'start', '--data-dir', dir, '--detach', '--json'], {env})
    assert.equal(again.code, 0, again.stderr)
    const st = await status(dir)
    assert.equal(st.clusterId, st0.clusterId)
    assert.deepEqual(st.nodes.map((n: any) => n.listener), st0.nodes.map((n: any) => n.listener))
    assert.equal(st.running, 3)
    const list = await samsa(['topic', 'list', '-b', `127.0.0.1:${base}`, '--json'], {env})
    assert.equal(list.code, 0, list.stderr)
    assert.ok(JSON.stringify(JSON.parse(list.stdout)).includes('"kept"'), list.stdout)
    // Asking for a different shape of the same cluster is a usage error.
    const mismatch = await samsa(['cluster', 'start', '--data-dir', dir, '--nodes', '5', '--detach'], {env})
    assert.equal(mismatch.code, 2)
    assert.match(mismatch.stderr, /has 3 nodes, not 5/)
    const stop = await samsa(['cluster', 'stop', '--data-dir', dir], {env})
    assert.equal(stop.code, 0, stop.stderr)
    assert.equal((await status(dir)).running, 0)
  })
})

describe('cluster start in the foreground', () => {
  it('Ctrl-C (SIGINT) stops every node cleanly', async () => {
    const dir = tempClusterDir()
    const base = await freePortRange(2)
    const {spawn} = await import('node:child_process')
    const {samsaBin} = await import('../helpers/broker-process.js')
    const child = spawn(process.execPath, [samsaBin, 'cluster', 'start', '--nodes', '2', '--base-port', String(base), '--data-dir', dir],
      {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, FORCE_COLOR: '0', ...env}})
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
    try {
      assert.ok(await waitFor(() => out.includes('Ctrl-C stops all nodes'), 20000), `started: ${out} ${err}`)
      assert.match(out, new RegExp(`127\\.0\\.0\\.1:${base + 1}`))
      const pids: number[] = readState(dir).nodes.map((n: any) => n.pid)
      assert.ok(pids.every((p) => alive(p)))
      child.kill('SIGINT')
      assert.equal(await exited, 0, err)
      assert.ok(pids.every((p) => !alive(p)), 'every node is gone')
      for (const i of [0, 1]) assert.match(readFileSync(join(dir, `node-${i}`, 'server.log'), 'utf8'), /broker shut down cleanly/)
      assert.ok(readState(dir).nodes.every((n: any) => n.pid === null))
    } finally {
      child.kill('SIGKILL')
      killRecorded(dir)
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
