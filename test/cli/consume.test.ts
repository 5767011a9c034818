/**
 * `samsa consume` as the built binary against samsa's broker (a child process): kcat's -f tokens
 * give byte-identical output to kcat itself, --json with nulls, headers and binary (base64) data,
 * the lossless copy `consume --json | produce --input json`, every -o form, -e and -c, the Kafka
 * spellings, exit codes 0/1/2, and `| head -3` exiting quietly.
 */
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {haveKcat, removeDataDir, samsaBin, startBrokerProcess, type BrokerProcess} from '../helpers/broker-process.js'
import {errorLines, samsa} from './helpers.js'

let broker: BrokerProcess
let b: string[]
const kcatOk = haveKcat()

before(async () => {
  broker = await startBrokerProcess({set: {'group.initial.rebalance.delay.ms': '0'}})
  b = ['-b', broker.bootstrap]
  // Keyed text records with headers on p0, unkeyed ones on p1, binary and null values on p2.
  await createTopic('mixed', 3)
  const json = [
    {partition: 0, key: 'k1', value: 'v1', headers: [{key: 'h1', value: 'x'}, {key: 'h2', value: 'y'}]},
    {partition: 0, key: 'k2', value: 'tab\there', headers: [{key: 'h1', value: null}]},
    ...Array.from({length: 10}, (_, i) => ({partition: 1, key: null, value: `line ${i}`})),
    {partition: 2, key: {base64: Buffer.from([0xff, 0x00, 0x80]).toString('base64')}, value: {base64: Buffer.from([0xc3, 0x28, 0x01]).toString('base64')}, headers: [{key: 'bin', value: {base64: 'gA=='}}]},
    {partition: 2, key: 'tombstone', value: null},
    {partition: 2, key: 'ünïcode', value: '日本語 ✓', timestamp: 1700000000000},
  ].map((r) => JSON.stringify(r)).join('\n') + '\n'
  const r = await samsa(['produce', 'mixed', '--input', 'json', ...b], {input: json})
  assert.equal(r.code, 0, r.stderr)
})

after(async () => {
  if (!broker) return
  await broker.stop()
  removeDataDir(broker.dataDir)
})

async function createTopic(name: string, partitions: number): Promise<void> {
  const r = await samsa(['topic', 'create', name, '--partitions', String(partitions), ...b])
  assert.equal(r.code, 0, r.stderr)
}

/** Output lines of a successful consume, checked for exit 0 and a clean stderr. */
async function consume(args: string[]): Promise<string[]> {
  const r = await samsa(['consume', ...args, ...b])
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(errorLines(r.stderr), [])
  return r.stdout.split('\n').slice(0, -1)
}

/** kcat's output for the same format, sorted (kcat reads partitions concurrently). */
function kcatOutput(topic: string, format: string): string {
  const res = spawnSync('kcat', ['-C', '-b', broker.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', format], {timeout: 30_000})
  assert.equal(res.status, 0, String(res.stderr))
  return res.stdout.toString('latin1')
}

test('-f tokens print byte for byte what kcat prints', async (t) => {
  if (!kcatOk) return t.skip('kcat not installed')
  const format = '%t|%p|%o|%k|%s|%K|%S|%T|%h|%%|\\x01\\t\\r\\n'
  // Compared as bytes (latin1 keeps each byte one char): binary keys and values must come out unchanged.
  const res = spawnSync(process.execPath, [samsaBin, 'consume', 'mixed', '-o', 'beginning', '-e', '-f', format, ...b], {timeout: 30_000})
  assert.equal(res.status, 0, String(res.stderr))
  const mine = res.stdout.toString('latin1').split('\n').slice(0, -1)
  const theirs = kcatOutput('mixed', format).split('\n').slice(0, -1)
  assert.equal(mine.length, 15)
  assert.deepEqual([...mine].sort(), [...theirs].sort())
  const k1 = mine.find((l) => l.startsWith('mixed|0|0|k1|v1|2|2|'))
  assert.match(k1 ?? '', /^mixed\|0\|0\|k1\|v1\|2\|2\|\d{13}\|h1=x,h2=y\|%\|\x01\t\r$/)
  assert.ok(mine.some((l) => l.startsWith('mixed|2|1|tombstone||9|-1|')))
  assert.ok(mine.some((l) => l.startsWith('mixed|2|0|\xff\x00\x80|\xc3\x28\x01|3|3|')))
})

test('default format is the value and a newline; -p picks a partition; -c stops after N', async () => {
  assert.deepEqual(await consume(['mixed', '-p', '1', '-o', 'beginning', '-e']), Array.from({length: 10}, (_, i) => `line ${i}`))
  assert.deepEqual(await consume(['mixed', '-p', '1', '-o', 'beginning', '-c', '3']), ['line 0', 'line 1', 'line 2'])
  // Kafka's spellings.
  assert.deepEqual(await consume(['--topic', 'mixed', '--partition', '1', '--from-beginning', '--max-messages', '2']), ['line 0', 'line 1'])
})

test('--json: exact fields, nulls, headers, UTF-8 strings and base64 for binary data', async () => {
  const lines = await consume(['mixed', '-p', '2', '-o', 'beginning', '-e', '--json'])
  const docs = lines.map((l) => JSON.parse(l))
  assert.equal(docs.length, 3)
  for (const d of docs) assert.deepEqual(Object.keys(d), ['topic', 'partition', 'offset', 'timestamp', 'timestampType', 'key', 'value', 'headers'])
  assert.deepEqual(docs[0].key, {base64: Buffer.from([0xff, 0x00, 0x80]).toString('base64')})
  assert.deepEqual(docs[0].value, {base64: Buffer.from([0xc3, 0x28, 0x01]).toString('base64')})
  assert.deepEqual(docs[0].headers, [{key: 'bin', value: {base64: 'gA=='}}])
  assert.deepEqual([docs[1].key, docs[1].value, docs[1].headers], ['tombstone', null, []])
  assert.deepEqual([docs[2].topic, docs[2].partition, docs[2].offset, docs[2].timestamp, docs[2].timestampType, docs[2].key, docs[2].value],
    ['mixed', 2, 2, 1700000000000, 'CreateTime', 'ünïcode', '日本語 ✓'])
  const p0 = (await consume(['mixed', '-p', '0', '-o', 'beginning', '-e', '--json'])).map((l) => JSON.parse(l))
  assert.deepEqual(p0[1].headers, [{key: 'h1', value: null}])
  assert.equal(p0[1].value, 'tab\there')
})

test('consume --json | produce --input json copies a topic losslessly', async () => {
  await createTopic('mixed-copy', 3)
  // Exactly CLI.md's example: without -o, -e reads from the beginning.
  const res = spawnSync('sh', ['-c', `"${process.execPath}" "${samsaBin}" consume mixed --json -e -b ${broker.bootstrap} | ` +
    `"${process.execPath}" "${samsaBin}" produce mixed-copy --input json -b ${broker.bootstrap}`], {encoding: 'utf8', timeout: 60_000})
  assert.equal(res.status, 0, res.stderr)
  const strip = (l: string): string => {
    const d = JSON.parse(l)
    delete d.topic
    return JSON.stringify(d)
  }
  const source = (await consume(['mixed', '-o', 'beginning', '-e', '--json'])).map(strip).sort()
  const copy = (await consume(['mixed-copy', '-o', 'beginning', '-e', '--json'])).map(strip).sort()
  assert.equal(source.length, 15)
  assert.deepEqual(copy, source)
})

test('-o forms: end, N, -N, @timestamp', async () => {
  // Default in partition mode: the beginning with -e (a copy reads everything), the end without it.
  assert.equal((await consume(['mixed', '-e'])).length, 15)
  assert.deepEqual(await consume(['mixed', '-o', 'end', '-e']), [])
  assert.deepEqual(await consume(['mixed', '-p', '1', '-o', '7', '-e']), ['line 7', 'line 8', 'line 9'])
  assert.deepEqual((await consume(['mixed', '-o', '-1', '-e', '-f', '%p:%o\\n'])).sort(), ['0:1', '1:9', '2:2'])
  assert.deepEqual(await consume(['mixed', '-p', '1', '-o', '-3', '-e']), ['line 7', 'line 8', 'line 9'])
  // -N larger than the partition starts at its beginning.
  assert.equal((await consume(['mixed', '-p', '0', '-o', '-100', '-e'])).length, 2)
  // Record 2 of p2 has timestamp 1700000000000, the others the time they were produced.
  assert.deepEqual(await consume(['mixed', '-p', '2', '-o', '@1600000000000', '-e', '-f', '%o\\n']), ['0', '1', '2'])
  const now = Date.now()
  assert.deepEqual(await consume(['mixed', '-o', `@${now + 3_600_000}`, '-e']), [])
})

test('exit codes: missing topic 1, bad flags 2, one line on stderr', async () => {
  const cases: Array<[string[], number, RegExp]> = [
    [['consume', 'no-such-topic', '-e'], 1, /^samsa: topic "no-such-topic" does not exist \(UNKNOWN_TOPIC_OR_PARTITION\)$/],
    [['consume', 'mixed', '-p', '9', '-e'], 1, /^samsa: partition 9 of topic "mixed" does not exist/],
    [['consume'], 2, /^samsa: missing topic/],
    [['consume', 'mixed', '-o', 'sideways'], 2, /^samsa: invalid -o\/--offset "sideways"/],
    [['consume', 'mixed', '-o', 'stored'], 2, /needs --group/],
    [['consume', 'mixed', '-f', '%z'], 2, /unknown format token "%z"/],
    [['consume', 'mixed', '--json', '-f', '%s'], 2, /cannot be used together/],
    [['consume', 'mixed', '-g', 'g', '-p', '0'], 2, /cannot be used with --group/],
    [['consume', 'mixed', '-X', 'fetch.min.bytes=lots'], 2, /fetch\.min\.bytes/],
  ]
  for (const [args, code, line] of cases) {
    const r = await samsa([...args, ...b])
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`)
    const lines = errorLines(r.stderr)
    assert.equal(lines.length, 1, r.stderr)
    assert.match(lines[0], line)
  }
})

test('| head -3 exits quietly with status 0 while records keep coming', {timeout: 60_000}, async () => {
  await createTopic('many', 1)
  const lines = Array.from({length: 50_000}, (_, i) => `record ${i}`).join('\n') + '\n'
  const p = await samsa(['produce', 'many', ...b], {input: lines})
  assert.equal(p.code, 0, p.stderr)
  const res = spawnSync('bash', ['-c', `"${process.execPath}" "${samsaBin}" consume many -o beginning -e -b ${broker.bootstrap} | head -3; echo "status=\${PIPESTATUS[0]}" >&2`],
    {encoding: 'utf8', timeout: 30_000})
  assert.equal(res.stdout, 'record 0\nrecord 1\nrecord 2\n')
  assert.deepEqual(errorLines(res.stderr), ['status=0'])
  // Without -e it also ends when head does, rather than waiting for more records.
  const tail = spawnSync('bash', ['-c', `"${process.execPath}" "${samsaBin}" consume many -o beginning -b ${broker.bootstrap} | head -1; echo "status=\${PIPESTATUS[0]}" >&2`],
    {encoding: 'utf8', timeout: 30_000})
  assert.equal(tail.stdout, 'record 0\n')
  assert.deepEqual(errorLines(tail.stderr), ['status=0'])
})

test('-e in group mode exits at the end and commits what it printed; -c commits only what it printed', {timeout: 60_000}, async () => {
  const first = await consume(['mixed', '-g', 'cg', '-o', 'beginning', '-c', '4', '-f', '%p:%o\\n'])
  assert.equal(first.length, 4)
  const rest = await consume(['mixed', '-g', 'cg', '-e', '-f', '%p:%o\\n'])
  assert.equal(first.length + rest.length, 15)
  assert.deepEqual([...first, ...rest].sort(), (await consume(['mixed', '-o', 'beginning', '-e', '-f', '%p:%o\\n'])).sort())
  assert.deepEqual(await consume(['mixed', '-g', 'cg', '-e']), [])
})
