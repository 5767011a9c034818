/**
 * `samsa produce` and `samsa perf produce` as the built binary against samsa's broker (a child
 * process on an ephemeral port), with what they wrote read back by kcat (librdkafka): keys,
 * headers, -K, --sync output, --input json round trips, files, exit codes 0/1/2 and a record
 * that fails alone.
 */
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {haveKcat, removeDataDir, startBrokerProcess, type BrokerProcess} from '../helpers/broker-process.js'
import {errorLines, samsa} from './helpers.js'

let broker: BrokerProcess
let b: string[]
let work: string
const kcat = haveKcat()

before(async () => {
  if (!kcat) process.stderr.write('\n*** produce tests: kcat not installed, read-back checks SKIPPED ***\n\n')
  broker = await startBrokerProcess()
  b = ['-b', broker.bootstrap]
  work = mkdtempSync(join(tmpdir(), 'samsa-produce-'))
})

after(async () => {
  rmSync(work, {recursive: true, force: true})
  if (!broker) return
  await broker.stop()
  removeDataDir(broker.dataDir)
})

/** Every record of a topic as kcat formats it (no newlines in values), sorted by partition and offset. */
function kcatRead(topic: string, format: string): string[] {
  const res = spawnSync('kcat', ['-C', '-b', broker.bootstrap, '-t', topic, '-e', '-q', '-f', `%p\\x01${format}\\n`], {timeout: 30_000})
  assert.equal(res.status, 0, String(res.stderr))
  // kcat reads partitions concurrently: order by partition (stable, so offsets stay in order).
  const records = res.stdout.toString('latin1').split('\n').slice(0, -1).map((r) => r.split('\x01'))
  return records.sort((x, y) => Number(x[0]) - Number(y[0])).map((r) => r.slice(1).join('\x01'))
}

async function createTopic(name: string, partitions: number): Promise<void> {
  const r = await samsa(['topic', 'create', name, '--partitions', String(partitions), ...b])
  assert.equal(r.code, 0, r.stderr)
}

test('-K splits keys, -H adds headers; keyed records land on one partition per key; async summary', async (t) => {
  await createTopic('keyed', 3)
  const input = Array.from({length: 60}, (_, i) => `user-${i % 6}:event ${i}:with colon`).join('\n') + '\n'
  const r = await samsa(['produce', 'keyed', '-K', ':', '-H', 'source=test', '-H', 'empty=', ...b], {input})
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout.trim(), /^60 records \(\d+ bytes\) produced to "keyed" in \d+\.\d\d s, 0 failed\.$/)
  const bytes = Number(r.stdout.match(/\((\d+) bytes\)/)![1])
  assert.equal(bytes, input.length - 60 - 60) // minus newlines and delimiters
  if (!kcat) return t.skip('kcat not installed')
  const got = kcatRead('keyed', '%p|%k|%s|%h')
  assert.equal(got.length, 60)
  const partitionOf = new Map<string, string>()
  for (const line of got) {
    const [p, key, value, headers] = line.split('|')
    assert.match(value, /^event \d+:with colon$/)
    assert.equal(`user-${Number(value.split(' ')[1].split(':')[0]) % 6}`, key)
    assert.equal(headers, 'source=test,empty=')
    if (partitionOf.has(key)) assert.equal(partitionOf.get(key), p, `key ${key} on one partition`)
    partitionOf.set(key, p)
  }
  // Order per key is kept (one partition, one producer).
  for (let k = 0; k < 6; k++) {
    const seq = got.filter((l) => l.split('|')[1] === `user-${k}`).map((l) => Number(l.split('|')[2].split(' ')[1].split(':')[0]))
    assert.deepEqual(seq, [...seq].sort((a, b) => a - b))
  }
})

test('--sync prints topic-partition@offset per record, -k fixes the key, files are read in order', async (t) => {
  await createTopic('synced', 2)
  const f1 = join(work, 'a.txt')
  const f2 = join(work, 'b.txt')
  writeFileSync(f1, 'one\ntwo\n')
  writeFileSync(f2, 'three\r\n\nfour') // CRLF, an empty record, no final newline
  const r = await samsa(['produce', '--topic', 'synced', '--sync', '-p', '1', '-k', 'fixed', '--acks', '1', f1, f2, ...b])
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(r.stdout.trim().split('\n'), ['synced-1@0', 'synced-1@1', 'synced-1@2', 'synced-1@3', 'synced-1@4'])
  const j = await samsa(['produce', 'synced', '--sync', '--json', '-p', '0', ...b], {input: 'x\n'})
  assert.equal(j.code, 0, j.stderr)
  const doc = JSON.parse(j.stdout)
  assert.deepEqual([doc.topic, doc.partition, doc.offset], ['synced', 0, 0])
  assert.ok(doc.timestamp > 0)
  if (!kcat) return t.skip('kcat not installed')
  assert.deepEqual(kcatRead('synced', '%p@%o %k=%s'), ['0@0 =x', '1@0 fixed=one', '1@1 fixed=two', '1@2 fixed=three', '1@3 fixed=', '1@4 fixed=four'])
})

test('--input json copies binary keys, values, headers, timestamps and partitions', async (t) => {
  await createTopic('copy', 3)
  const bin = Buffer.from([0xc3, 0x28, 0xff, 0x80]) // not UTF-8
  const lines = [
    {topic: 'src', partition: 2, offset: 7, timestamp: 1600000000000, timestampType: 'CreateTime', key: {base64: bin.toString('base64')}, value: 'v1', headers: [{key: 'h', value: 'x'}]},
    {topic: 'src', partition: 0, offset: 8, timestamp: 1600000000001, timestampType: 'CreateTime', key: null, value: {base64: bin.toString('base64')}, headers: []},
    {topic: 'src', partition: 2, offset: 9, timestamp: 1600000000002, timestampType: 'CreateTime', key: 'k', value: null, headers: [{key: 'n', value: null}]},
  ]
  const r = await samsa(['produce', 'copy', '--input', 'json', '--json', ...b], {input: lines.map((l) => JSON.stringify(l)).join('\n') + '\n'})
  assert.equal(r.code, 0, r.stderr)
  const summary = JSON.parse(r.stdout)
  assert.deepEqual([summary.topic, summary.records, summary.failed, summary.bytes], ['copy', 3, 0, 4 + 2 + 4 + 1])
  if (!kcat) return t.skip('kcat not installed')
  // %K/%S are lengths (-1 for null), so nulls and binary bytes are both checked.
  const got = kcatRead('copy', '%p|%T|%K|%k|%S|%s|%h')
  assert.deepEqual(got, [
    `0|1600000000001|-1||4|${bin.toString('latin1')}|`,
    `2|1600000000000|4|${bin.toString('latin1')}|2|v1|h=x`,
    '2|1600000000002|1|k|-1||n=NULL',
  ])
})

test('a record over max.request.size fails alone with a readable line and exit 1', async (t) => {
  await createTopic('limits', 1)
  const input = `small-1\n${'x'.repeat(5000)}\nsmall-2\n`
  const r = await samsa(['produce', 'limits', '-X', 'max.request.size=2000', ...b], {input})
  assert.equal(r.code, 1, r.stderr)
  const errs = errorLines(r.stderr)
  assert.equal(errs.length, 2, r.stderr)
  assert.match(errs[0], /^samsa: stdin:2: .*2000.* \(RECORD_TOO_LARGE\)$/)
  assert.equal(errs[1], 'samsa: 1 of 3 records failed')
  assert.match(r.stdout, /^2 records \(14 bytes\) produced to "limits" in .* 1 failed\.\n$/)
  if (!kcat) return t.skip('kcat not installed')
  assert.deepEqual(kcatRead('limits', '%s'), ['small-1', 'small-2'])
})

test('a keyed line without its delimiter fails alone, named by line number', async () => {
  await createTopic('delims', 1)
  const r = await samsa(['produce', 'delims', '-K', '\\t', '--sync', ...b], {input: 'a\t1\nno tab here\nb\t2\n'})
  assert.equal(r.code, 1)
  assert.deepEqual(r.stdout.trim().split('\n'), ['delims-0@0', 'delims-0@1'])
  assert.deepEqual(errorLines(r.stderr), ['samsa: stdin:2: no key delimiter "\\t" in the line (INVALID_INPUT)', 'samsa: 1 of 3 records failed'])
})

test('usage mistakes exit 2 with one line', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['produce', ...b], /^samsa: missing topic/],
    [['produce', 't', '--input', 'json', '-K', ':', ...b], /^samsa: -K\/--key-delimiter does not apply to --input json/],
    [['produce', 't', '-X', 'acks=7', ...b], /^samsa: invalid value "7" for acks/],
    [['produce', 't', '--sync', '--async', ...b], /^samsa: .*cannot also be provided/],
    [['produce', 't', '-k', 'a', '-K', ':', ...b], /^samsa: .*cannot also be provided/],
    [['produce', 't', '--acks', 'some', ...b], /^samsa: .*Expected --acks=some to be one of/],
    [['perf', 'produce', '--topic', 't', '--num-records', '10', '--record-size', '10', '--throughput', '0', ...b], /^samsa: --throughput must be/],
    [['perf', 'produce', '--topic', 't', '--record-size', '10', ...b], /^samsa: .*num-records/],
  ]
  for (const [args, re] of cases) {
    const r = await samsa(args, {input: 'x\n'})
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
    const errs = errorLines(r.stderr)
    assert.equal(errs.length, 1, r.stderr)
    assert.match(errs[0], re)
  }
  const missing = await samsa(['produce', 't', join(work, 'no-such-file'), ...b])
  assert.equal(missing.code, 1)
  assert.match(errorLines(missing.stderr)[0], /^samsa: ENOENT: no such file or directory/)
})

test('perf produce sends every record and prints Kafka\'s summary line; --json has the same figures', async (t) => {
  await createTopic('perf', 4)
  const r = await samsa(['perf', 'produce', '--topic', 'perf', '--num-records', '30000', '--record-size', '50', '--acks', '1', ...b])
  assert.equal(r.code, 0, r.stderr)
  const last = r.stdout.trim().split('\n').at(-1)!
  assert.match(last, /^30000 records sent, \d+\.\d{6} records\/sec \(\d+\.\d\d MB\/sec\), \d+\.\d\d ms avg latency, \d+\.\d\d ms max latency, [\d.]+ ms 50th, [\d.]+ ms 95th, [\d.]+ ms 99th, [\d.]+ ms 99\.9th\.$/)
  const j = await samsa(['perf', 'produce', '--topic', 'perf', '--num-records', '2000', '--record-size', '10', '--throughput', '4000', '--producer-props', 'linger.ms=1', '--json', ...b])
  assert.equal(j.code, 0, j.stderr)
  const doc = JSON.parse(j.stdout)
  assert.deepEqual([doc.topic, doc.records, doc.failed, doc.bytes, doc.recordSize], ['perf', 2000, 0, 20000, 10])
  // 2000 records at 4000/s take at least half a second.
  assert.ok(doc.seconds >= 0.45 && doc.recordsPerSec <= 4400, JSON.stringify(doc))
  assert.ok(doc.p50Ms <= doc.p99Ms && doc.p99Ms <= doc.maxLatencyMs)
  if (!kcat) return t.skip('kcat not installed')
  let total = 0
  for (let p = 0; p < 4; p++) {
    const q = spawnSync('kcat', ['-Q', '-b', broker.bootstrap, '-t', `perf:${p}:-1`], {encoding: 'utf8', timeout: 30_000})
    total += Number(q.stdout.match(/offset (\d+)/)![1])
  }
  assert.equal(total, 32000)
})
