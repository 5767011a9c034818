/** Usage errors of the local-cluster commands: one readable line, exit code 2. */
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {join} from 'node:path'
import {errorLines, samsa} from './helpers.js'
import {tempClusterDir, freePortRange} from '../cluster/helpers.js'

describe('cluster command errors', () => {
  it('status, stop and node commands without a cluster exit 2 with one line', async () => {
    const dir = tempClusterDir()
    try {
      for (const args of [['cluster', 'status'], ['cluster', 'stop'], ['node', 'kill', '0'], ['node', 'restart', '1']]) {
        const r = await samsa([...args, '--data-dir', dir])
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
        assert.deepEqual(errorLines(r.stderr), [`samsa: no cluster in ${dir} (start one with: samsa cluster start --data-dir ${dir})`])
      }
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('an unknown node id and a corrupt state file exit 2', async () => {
    const dir = tempClusterDir()
    try {
      writeFileSync(join(dir, 'cluster.json'), JSON.stringify({clusterId: 'x', basePort: 1, host: '127.0.0.1', nodes: [{id: 0, port: 1, pid: null, dataDir: join(dir, 'node-0')}]}))
      const r = await samsa(['node', 'stop', '4', '--data-dir', dir])
      assert.equal(r.code, 2)
      assert.deepEqual(errorLines(r.stderr), ['samsa: no node 4 in this cluster (nodes: 0)'])
      writeFileSync(join(dir, 'cluster.json'), '{not json')
      const bad = await samsa(['cluster', 'status', '--data-dir', dir])
      assert.equal(bad.code, 2)
      assert.match(bad.stderr, /cluster\.json is not valid JSON/)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('a busy port refuses the start with exit 2 and starts nothing', async () => {
    const dir = tempClusterDir()
    const base = await freePortRange(2)
    const blocker = createServer()
    await new Promise<void>((r) => blocker.listen(base + 1, '127.0.0.1', () => r()))
    try {
      const r = await samsa(['cluster', 'start', '--nodes', '2', '--base-port', String(base), '--data-dir', dir, '--detach'])
      assert.equal(r.code, 2)
      assert.deepEqual(errorLines(r.stderr), [`samsa: port ${base + 1} (node 1) is busy`])
      const st = await samsa(['cluster', 'status', '--data-dir', dir])
      assert.equal(st.code, 2, 'no cluster was recorded')
    } finally {
      blocker.close()
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('broker start refuses a data dir of another cluster and a malformed --cluster-id', async () => {
    const dir = tempClusterDir()
    try {
      mkdirSync(join(dir, 'n'), {recursive: true})
      writeFileSync(join(dir, 'n', 'meta.properties'), 'cluster.id=AAAAAAAAAAAAAAAAAAAAAA\nnode.id=0\nversion=1\n')
      const r = await samsa(['broker', 'start', '--data-dir', join(dir, 'n'), '--listen', '127.0.0.1:0', '--cluster-id', 'BBBBBBBBBBBBBBBBBBBBBB'])
      assert.equal(r.code, 2)
      assert.match(r.stderr, /belongs to cluster AAAAAAAAAAAAAAAAAAAAAA, not cluster BBBBBBBBBBBBBBBBBBBBBB/)
      const bad = await samsa(['broker', 'start', '--data-dir', join(dir, 'm'), '--listen', '127.0.0.1:0', '--cluster-id', 'short'])
      assert.equal(bad.code, 2)
      assert.match(bad.stderr, /--cluster-id expects 22 base64url characters/)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
