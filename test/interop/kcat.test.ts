// kcat (librdkafka) against `samsa broker start`: metadata, produce with every codec, read back
// byte for byte in per-partition order, and offsets by timestamp.
import {test, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {startBrokerProcess, removeDataDir, samsaBin, type BrokerProcess, kcatMissing} from '../helpers/broker-process.js'
import {kcatOk} from '../helpers/kcat.js'

const skip = kcatMissing('interop test skipped')

const RECORDS = 100_000
const PARTITIONS = 3
let broker: BrokerProcess

const kcat = (args: string[], input?: string | Buffer): string => kcatOk(broker.bootstrap, args, input)

before(async () => {
  if (skip) return
  broker = await startBrokerProcess({set: {'num.partitions': String(PARTITIONS)}})
})

after(async () => {
  if (!broker) return
  assert.equal(await broker.stop(), 0, 'broker exits 0 on SIGTERM')
  removeDataDir(broker.dataDir)
})

test('kcat -L lists the broker and the topics', {skip}, () => {
  kcat(['-P', '-t', 'listed'], 'one\n')
  const out = kcat(['-L'])
  assert.match(out, new RegExp(`broker \\d+ at 127\\.0\\.0\\.1:${broker.port}`))
  assert.match(out, /topic "listed" with 3 partitions/)
  assert.match(out, /partition 0, leader \d+, replicas: \d+, isrs: \d+/)
})

for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
  test(`kcat -P of ${RECORDS} keyed records with headers, codec ${codec}, reads back byte for byte`, {skip, timeout: 180_000}, () => {
    const topic = `codec-${codec}`
    const lines: string[] = []
    for (let i = 0; i < RECORDS; i++) lines.push(`key-${i % 977}|v${i}-${codec}-${'abcdefghij'.repeat(1 + (i % 7))}`)
    kcat(['-P', '-t', topic, '-K', '|', '-z', codec, '-H', 'source=kcat', '-H', `codec=${codec}`,
      '-X', 'acks=all', '-X', 'linger.ms=20'], lines.join('\n') + '\n')
    const out = kcat(['-C', '-t', topic, '-e', '-o', 'beginning', '-f', '%p\t%o\t%k\t%s\t%h\n'])
    const rows = out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'))
    assert.equal(rows.length, RECORDS, 'every record comes back once')
    const nextOffset = new Map<string, number>()
    const lastSeq = new Map<string, number>()
    const seen = new Set<number>()
    for (const [p, o, k, v, h] of rows) {
      const seq = Number(v.slice(1, v.indexOf('-')))
      assert.equal(`${k}|${v}`, lines[seq], `record ${seq} is byte for byte what was produced`)
      assert.equal(h, `source=kcat,codec=${codec}`)
      assert.equal(Number(o), nextOffset.get(p) ?? 0, `offsets in partition ${p} are dense`)
      nextOffset.set(p, Number(o) + 1)
      assert.ok(seq > (lastSeq.get(p) ?? -1), `partition ${p} keeps production order`)
      lastSeq.set(p, seq)
      seen.add(seq)
    }
    assert.equal(seen.size, RECORDS)
    assert.equal(nextOffset.size, PARTITIONS, 'keys spread over every partition')
    checkLogDump(topic, codec, rows.filter((r) => r[0] === '0'))
  })
}

/** Runs `samsa log dump` and returns its exit code, stdout and stderr. */
function logDump(args: string[]): {status: number | null; stdout: string; stderr: string} {
  return spawnSync(process.execPath, [samsaBin, 'log', 'dump', ...args], {encoding: 'utf8', maxBuffer: 1 << 28, timeout: 120_000})
}

/**
 * `samsa log dump --print-data` on the segment kcat wrote lists exactly the records kcat reads back,
 * the batches on disk carry the codec kcat was asked for, `--verify` passes, and fails on a copy
 * with one flipped byte, naming the offset.
 */
function checkLogDump(topic: string, codec: string, partition0: string[][]): void {
  const dir = join(broker.dataDir, `${topic}-0`)
  const segment = join(dir, readdirSync(dir).filter((f) => f.endsWith('.log')).sort()[0])
  const dump = logDump([segment, '--print-data', '--json'])
  assert.equal(dump.status, 0, dump.stderr)
  const lines = dump.stdout.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l))
  const records = lines.filter((l) => l.type === 'record')
  assert.deepEqual(
    records.map((r) => [String(r.offset), r.key, r.value, r.headers.map((h: {key: string; value: string}) => `${h.key}=${h.value}`).join(',')]),
    partition0.slice(0, records.length).map(([, o, k, v, h]) => [o, k, v, h]),
    'log dump lists exactly the records kcat reads back')
  assert.equal(records.length, partition0.length, 'the first segment holds the whole partition')
  const batches = lines.filter((l) => l.type === 'batch')
  const compressed = batches.filter((b) => b.codec === codec).reduce((n, b) => n + b.count, 0)
  // librdkafka sends a batch uncompressed when compression would not save space (tiny first batches).
  assert.ok(compressed > records.length * 0.9, `${compressed} of ${records.length} records on disk are in ${codec} batches`)
  assert.equal(logDump([segment, '--verify']).status, 0, 'verify passes on the segment as written')

  const work = mkdtempSync(join(tmpdir(), 'samsa-dump-'))
  try {
    const copy = join(work, '00000000000000000000.log')
    copyFileSync(segment, copy)
    const bytes = readFileSync(copy)
    const victim = batches[Math.floor(batches.length / 2)]
    bytes[victim.position + 61 + 5] ^= 0xff // a byte inside that batch's records
    writeFileSync(copy, bytes)
    const bad = logDump([copy, '--verify'])
    assert.equal(bad.status, 1, 'verify fails on the damaged copy')
    assert.match(bad.stderr, new RegExp(`offset ${victim.baseOffset}\\b`), 'and names the offset of the damaged batch')
  } finally {
    rmSync(work, {recursive: true, force: true})
  }
}

test('kcat -Q finds offsets by timestamp', {skip, timeout: 60_000}, async () => {
  const topic = 'by-time'
  kcat(['-P', '-t', topic, '-p', '0'], Array.from({length: 50}, (_, i) => `early-${i}`).join('\n') + '\n')
  await new Promise((r) => setTimeout(r, 50))
  const boundary = Date.now()
  await new Promise((r) => setTimeout(r, 50))
  kcat(['-P', '-t', topic, '-p', '0'], Array.from({length: 30}, (_, i) => `late-${i}`).join('\n') + '\n')
  assert.match(kcat(['-Q', '-t', `${topic}:0:${boundary}`]), /\[0\] offset 50$/m)
  assert.match(kcat(['-Q', '-t', `${topic}:0:1`]), /\[0\] offset 0$/m)
  // Past the last record's timestamp there is no such offset: Kafka answers -1 (the end).
  assert.match(kcat(['-Q', '-t', `${topic}:0:${Date.now() + 3_600_000}`]), /\[0\] offset -1$/m)
})
