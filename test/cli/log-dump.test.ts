/**
 * `samsa log dump` on segment files written by samsa's own storage layer: batch and record lines,
 * JSON lines, index files, checkpoints, and --verify catching a flipped byte and a bad index entry.
 */
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {CompressionType, encodeRecordBatch} from '../../src/records/index.js'
import {Log, defaultLogConfig, writeOffsetCheckpoint} from '../../src/storage/index.js'
import {errorLines, samsa} from './helpers.js'

let root: string
let partDir: string
let logFile: string
let indexFile: string
const T0 = 1_700_000_000_000n

before(() => {
  root = mkdtempSync(join(tmpdir(), 'samsa-dump-'))
  partDir = join(root, 'events-0')
  // An index entry for every batch, so index verification has something to check.
  const log = Log.open(partDir, defaultLogConfig({indexIntervalBytes: 1}))
  log.append(encodeRecordBatch({records: [
    {key: 'k0', value: 'hello', timestamp: T0, headers: [{key: 'h', value: 'v'}]},
    {key: null, value: 'world', timestamp: T0 + 1n},
  ]}))
  log.append(encodeRecordBatch({records: [{key: 'k2', value: Buffer.from([0xff, 0xfe, 0x00]), timestamp: T0 + 2n}], compression: CompressionType.Gzip}))
  log.append(encodeRecordBatch({records: Array.from({length: 3}, (_, i) => ({value: `payload-${i}`.repeat(8), timestamp: T0 + 3n + BigInt(i)}))}))
  log.close()
  logFile = join(partDir, '00000000000000000000.log')
  indexFile = join(partDir, '00000000000000000000.index')
})

after(() => {
  rmSync(root, {recursive: true, force: true})
})

test('prints one line per batch and, with --print-data, one per record', async () => {
  const r = await samsa(['log', 'dump', logFile, '--print-data'])
  assert.equal(r.code, 0, r.stderr)
  const lines = r.stdout.trim().split('\n')
  assert.equal(lines[0], `Dumping ${logFile} (log)`)
  const batches = lines.filter((l) => l.startsWith('baseOffset:'))
  assert.equal(batches.length, 3)
  assert.match(batches[0], /^baseOffset: 0 lastOffset: 1 count: 2 position: 0 size: \d+ CreateTime: 1700000000001 baseTimestamp: 1700000000000 magic: 2 codec: none producerId: -1 producerEpoch: -1 baseSequence: -1 .*isTransactional: false isControl: false crc: \d+ isValid: true$/)
  assert.match(batches[1], /^baseOffset: 2 lastOffset: 2 count: 1 .* codec: gzip .* isValid: true$/)
  assert.match(batches[2], /^baseOffset: 3 lastOffset: 5 count: 3 /)
  const records = lines.filter((l) => l.startsWith('| offset:'))
  assert.equal(records.length, 6)
  assert.equal(records[0], '| offset: 0 CreateTime: 1700000000000 keySize: 2 valueSize: 5 key: k0 value: hello headers: h=v')
  assert.equal(records[1], '| offset: 1 CreateTime: 1700000000001 keySize: -1 valueSize: 5 key: null value: world headers: ')
  // Bytes that are not UTF-8 are shown as base64 rather than mangled.
  assert.equal(records[2], `| offset: 2 CreateTime: 1700000000002 keySize: 2 valueSize: 3 key: k2 value: base64:${Buffer.from([0xff, 0xfe, 0]).toString('base64')} headers: `)
})

test('--json writes one JSON object per line', async () => {
  const r = await samsa(['log', 'dump', logFile, '--deep', '--json'])
  assert.equal(r.code, 0, r.stderr)
  const items = r.stdout.trim().split('\n').map((l) => JSON.parse(l))
  assert.deepEqual(items.map((i) => i.type), ['file', 'batch', 'record', 'record', 'batch', 'record', 'batch', 'record', 'record', 'record'])
  const b = items[1]
  assert.equal(b.baseOffset, 0)
  assert.equal(b.lastOffset, 1)
  assert.equal(b.position, 0)
  assert.equal(b.valid, true)
  assert.equal(b.codec, 'none')
  assert.equal(items[4].position, b.size)
  // --deep without --print-data leaves the payloads out.
  assert.equal(items[2].key, undefined)
  assert.equal(items[2].offset, 0)
})

test('dumps and verifies the offset index against the log', async () => {
  const r = await samsa(['log', 'dump', indexFile, '--verify'])
  assert.equal(r.code, 0, r.stderr)
  const entries = r.stdout.trim().split('\n').slice(1)
  assert.ok(entries.length >= 1)
  for (const e of entries) assert.match(e, /^offset: \d+ position: \d+$/)
  const timeIndex = await samsa(['log', 'dump', join(partDir, '00000000000000000000.timeindex'), '--verify'])
  assert.equal(timeIndex.code, 0, timeIndex.stderr)
  const ok = await samsa(['log', 'dump', logFile, '--verify'])
  assert.equal(ok.code, 0, ok.stderr)
})

test('--verify fails naming the offset of a batch with one flipped byte', async () => {
  const copyDir = join(root, 'copy-0')
  mkdirSync(copyDir)
  const copy = join(copyDir, '00000000000000000000.log')
  const bytes = readFileSync(logFile)
  const dumpJson = await samsa(['log', 'dump', logFile, '--json'])
  const third = dumpJson.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((i) => i.type === 'batch')[2]
  // Flip one byte inside the third batch's records (past its 61-byte header).
  bytes[third.position + 70] ^= 0x01
  writeFileSync(copy, bytes)

  const plain = await samsa(['log', 'dump', copy])
  assert.equal(plain.code, 0, 'without --verify a bad CRC is reported, not fatal')
  assert.match(plain.stdout, /baseOffset: 3 .* isValid: false/)

  const r = await samsa(['log', 'dump', copy, '--verify'])
  assert.equal(r.code, 1)
  const lines = errorLines(r.stderr)
  assert.equal(lines.length, 1)
  assert.match(lines[0], new RegExp(`^samsa: verification failed at offset 3: .*CRC mismatch in batch at position ${third.position}`))
})

test('--verify fails when an index entry does not point at the start of its batch', async () => {
  const copyDir = join(root, 'badindex-0')
  mkdirSync(copyDir)
  copyFileSync(logFile, join(copyDir, '00000000000000000000.log'))
  const index = readFileSync(indexFile)
  assert.ok(index.length >= 8)
  const offset = index.readInt32BE(0)
  index.writeInt32BE(index.readInt32BE(4) + 5, 4) // position now points into the middle of a batch
  const badIndex = join(copyDir, '00000000000000000000.index')
  writeFileSync(badIndex, index)
  const r = await samsa(['log', 'dump', badIndex, '--verify'])
  assert.equal(r.code, 1)
  const lines = errorLines(r.stderr)
  assert.equal(lines.length, 1)
  assert.match(lines[0], new RegExp(`^samsa: verification failed at offset ${offset}: .*not the start of a batch`))
  // Verifying the .log checks its sibling indexes too.
  const viaLog = await samsa(['log', 'dump', join(copyDir, '00000000000000000000.log'), '--verify'])
  assert.equal(viaLog.code, 1)
})

test('reads checkpoint files and reports a missing file in one line', async () => {
  const cp = join(root, 'recovery-point-offset-checkpoint')
  writeOffsetCheckpoint(cp, [{topic: 'events', partition: 0, offset: 6n}, {topic: 'other', partition: 3, offset: 42n}])
  const r = await samsa(['log', 'dump', cp, '--json'])
  assert.equal(r.code, 0, r.stderr)
  const items = r.stdout.trim().split('\n').map((l) => JSON.parse(l))
  assert.deepEqual(items.filter((i) => i.type === 'checkpoint-entry').map((i) => [i.topic, i.partition, i.offset]),
    [['events', 0, 6], ['other', 3, 42]])

  const missing = await samsa(['log', 'dump', join(root, 'nope.log')])
  assert.equal(missing.code, 1)
  assert.equal(errorLines(missing.stderr).length, 1)
  assert.match(missing.stderr, /^samsa: ENOENT/)
})
