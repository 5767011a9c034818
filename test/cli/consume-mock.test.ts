/**
 * `samsa consume` against librdkafka's mock cluster (3 brokers, partitions led by different
 * brokers, a broker nobody here wrote): reads back what kcat wrote, in partition mode and in
 * group mode, with keys, headers and compression; the group's commits are then honoured.
 */
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {haveKcat} from '../helpers/broker-process.js'
import {startMockCluster, type MockCluster} from '../client/helpers.js'
import {samsa} from './helpers.js'

let mock: MockCluster | undefined
let skip: string | false = haveKcat() ? false : 'kcat is not installed: mock-cluster consume test skipped'
const lines = Array.from({length: 300}, (_, i) => `key-${i % 7}|value-${i}`)

before(async () => {
  if (skip) return
  const started = await startMockCluster(3)
  if ('skip' in started) {
    skip = started.skip
    return
  }
  mock = started
  const res = spawnSync('kcat', ['-P', '-b', mock.bootstrap, '-t', 'from-kcat', '-K', '|', '-z', 'snappy', '-H', 'via=kcat'], {input: lines.join('\n') + '\n', timeout: 30_000})
  assert.equal(res.status, 0, String(res.stderr))
})

after(async () => {
  await mock?.stop()
})

test('partition mode reads back every record kcat wrote', {timeout: 60_000}, async (t) => {
  if (skip || !mock) return t.skip(skip || 'no mock cluster')
  const r = await samsa(['consume', 'from-kcat', '-o', 'beginning', '-e', '-f', '%k|%s|%h\\n', '-b', mock.bootstrap])
  assert.equal(r.code, 0, r.stderr)
  const got = r.stdout.split('\n').slice(0, -1)
  assert.deepEqual(got.map((l) => l.replace(/\|via=kcat$/, '')).sort(), [...lines].sort())
  assert.ok(got.every((l) => l.endsWith('|via=kcat')))
})

test('group mode reads everything, commits, and a second run resumes after the commits', {timeout: 60_000}, async (t) => {
  if (skip || !mock) return t.skip(skip || 'no mock cluster')
  // The mock keeps a member that sent LeaveGroup until its session times out (kcat -G sees the
  // same), so the second run would wait session.timeout.ms to join: keep it short.
  const session = ['-X', 'session.timeout.ms=6000', '-X', 'heartbeat.interval.ms=500']
  const first = await samsa(['consume', 'from-kcat', '-g', 'mock-g', '-o', 'beginning', '-c', '100', '--json', ...session, '-b', mock.bootstrap])
  assert.equal(first.code, 0, first.stderr)
  const firstDocs = first.stdout.split('\n').slice(0, -1).map((l) => JSON.parse(l))
  assert.equal(firstDocs.length, 100)
  const rest = await samsa(['consume', 'from-kcat', '-g', 'mock-g', '-e', '--json', ...session, '-b', mock.bootstrap])
  assert.equal(rest.code, 0, rest.stderr)
  const restDocs = rest.stdout.split('\n').slice(0, -1).map((l) => JSON.parse(l))
  const all = [...firstDocs, ...restDocs]
  assert.equal(all.length, 300)
  assert.deepEqual(all.map((d) => `${d.key}|${d.value}`).sort(), [...lines].sort())
  assert.equal(new Set(all.map((d) => `${d.partition}@${d.offset}`)).size, 300)
})
