/**
 * `samsa perf consume` as the built binary against samsa's broker: Kafka's header and summary line,
 * the --json figures (records and key+value bytes exactly what was produced), group mode with a
 * rebalance time and committed offsets, and the --timeout warning when the topic holds too few.
 */
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {removeDataDir, startBrokerProcess, type BrokerProcess} from '../helpers/broker-process.js'
import {errorLines, samsa} from './helpers.js'

let broker: BrokerProcess
let b: string[]
const N = 20_000
const SIZE = 100

before(async () => {
  broker = await startBrokerProcess({set: {'group.initial.rebalance.delay.ms': '0'}})
  b = ['-b', broker.bootstrap]
  const c = await samsa(['topic', 'create', 'perf', '--partitions', '3', ...b])
  assert.equal(c.code, 0, c.stderr)
  const p = await samsa(['perf', 'produce', '--topic', 'perf', '--num-records', String(N), '--record-size', String(SIZE), '--json', ...b])
  assert.equal(p.code, 0, p.stderr)
})

after(async () => {
  if (!broker) return
  await broker.stop()
  removeDataDir(broker.dataDir)
})

test('prints Kafka\'s header and one summary line with consistent figures', async () => {
  const r = await samsa(['perf', 'consume', '--topic', 'perf', '--messages', String(N), ...b])
  assert.equal(r.code, 0, r.stderr)
  const [header, line, ...rest] = r.stdout.trim().split('\n')
  assert.deepEqual(rest, [])
  assert.equal(header, 'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec')
  const f = line.split(', ')
  assert.equal(f.length, 10)
  assert.match(f[0], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}$/)
  assert.match(f[1], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}$/)
  assert.equal(f[2], (N * SIZE / 1024 / 1024).toFixed(4))
  assert.equal(Number(f[4]), N)
  assert.equal(f[6], '0') // partition mode: no group to join
  assert.ok(Number(f[5]) > 0 && Number(f[9]) >= Number(f[5]))
})

test('--json with --group: exact counts, a rebalance time, and the group\'s offsets committed', {timeout: 30_000}, async () => {
  const r = await samsa(['perf', 'consume', '--topic', 'perf', '--messages', String(N), '--group', 'perf-g', '--json', ...b])
  assert.equal(r.code, 0, r.stderr)
  const doc = JSON.parse(r.stdout)
  assert.equal(doc.records, N)
  assert.equal(doc.bytes, N * SIZE)
  assert.equal(doc.group, 'perf-g')
  assert.ok(doc.rebalanceTimeMs > 0 && doc.fetchTimeMs >= 0 && doc.timedOut === false)
  assert.ok(Math.abs(doc.rebalanceTimeMs + doc.fetchTimeMs - (doc.endMs - doc.startMs)) <= 1)
  const d = await samsa(['group', 'describe', 'perf-g', '--json', ...b])
  assert.equal(d.code, 0, d.stderr)
  const parts = JSON.parse(d.stdout).groups[0].partitions
  assert.equal(parts.reduce((s: number, p: any) => s + p.committed, 0), N)
})

test('--timeout: stops with Kafka\'s warning when the topic has fewer records', {timeout: 30_000}, async () => {
  const r = await samsa(['perf', 'consume', '--topic', 'perf', '--messages', String(N + 1000), '--timeout', '1000', '--json', ...b])
  assert.equal(r.code, 0, r.stderr)
  const doc = JSON.parse(r.stdout)
  assert.equal(doc.records, N)
  assert.equal(doc.timedOut, true)
  assert.match(errorLines(r.stderr)[0], /^WARNING: Exiting before consuming the expected number of messages: timeout \(1000 ms\) exceeded/)
  const missing = await samsa(['perf', 'consume', '--topic', 'nope', '--messages', '1', ...b])
  assert.equal(missing.code, 1)
  assert.deepEqual(errorLines(missing.stderr), ['samsa: topic "nope" does not exist (UNKNOWN_TOPIC_OR_PARTITION)'])
  const usage = await samsa(['perf', 'consume', '--topic', 'perf', ...b])
  assert.equal(usage.code, 2)
})
