// Retention by time and size, the log start offset, and DeleteRecords.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {Log} from '../../src/storage/log.js'
import {KafkaError} from '../../src/protocol/errors.js'
import {FakeClock, captureLogger, makeBatch, tempDir, testConfig} from './helpers.js'

const BATCH_SIZE = makeBatch(5, {valueSize: 100}).length

/** Three full segments of 10 batches of 5 records (timestamps 1e6, 2e6, 3e6 ...) plus an active segment of 10 batches. */
function build(dir: string, overrides = {}, clock = new FakeClock()): Log {
  const log = Log.open(join(dir, 'ret-0'), testConfig({segmentBytes: 10 * BATCH_SIZE, retentionMs: -1, ...overrides}), {clock: clock.now})
  for (let s = 0; s < 4; s++) {
    for (let i = 0; i < 10; i++) log.append(makeBatch(5, {valueSize: 100, ts: BigInt(1_000_000 * (s + 1) + i)}))
  }
  return log
}

test('retention.ms deletes the oldest segments by largest timestamp, never past one that is young enough', () => {
  const {dir, cleanup} = tempDir()
  try {
    const {logger, lines} = captureLogger()
    const log = Log.open(join(dir, 'ret-0'), testConfig({segmentBytes: 10 * BATCH_SIZE, retentionMs: 1_500_000}), {logger})
    for (let s = 0; s < 4; s++) for (let i = 0; i < 10; i++) log.append(makeBatch(5, {valueSize: 100, ts: BigInt(1_000_000 * (s + 1) + i)}))
    const bases = log.segments.map((x) => x.baseOffset)
    assert.equal(bases.length, 4)
    assert.deepEqual(log.segments.map((x) => x.largestTimestamp), [1_000_013n, 2_000_013n, 3_000_013n, 4_000_013n])
    assert.equal(log.applyRetention(2_500_013), 0, 'exactly retention.ms old is kept')
    assert.equal(log.applyRetention(2_500_014), 1)
    assert.equal(log.logStartOffset, bases[1])
    assert.equal(existsSync(log.segments[0].file), true)
    assert.equal(readdirSync(join(dir, 'ret-0')).filter((f) => f.startsWith('00000000000000000000')).length, 0, 'all three files of the segment are gone')
    assert.match(lines.join('\n'), /deleting segment 00000000000000000000\.log .*retention\.ms/)
    assert.equal(log.read(0n, 100, true).errorCode, 1, 'deleted offsets are out of range')
    assert.equal(log.read(bases[1], 100, true).errorCode, 0)
    // Everything expired: the active segment goes too, replaced by an empty one at the log end offset.
    assert.equal(log.applyRetention(10_000_000), 3)
    assert.deepEqual(log.segments.map((x) => x.baseOffset), [200n])
    assert.equal(log.logStartOffset, 200n)
    assert.equal(log.logEndOffset, 200n)
    assert.equal(log.size, 0)
    assert.equal(log.applyRetention(20_000_000), 0, 'an empty active segment is never deleted')
    log.append(makeBatch(1))
    assert.equal(log.read(200n, 1000, true).records[0].readBigInt64BE(0), 200n)
    log.close()
  } finally {
    cleanup()
  }
})

test('retention.bytes deletes oldest segments while the log stays at or above the limit without them', () => {
  const {dir, cleanup} = tempDir()
  try {
    const log = build(dir)
    const sizes = log.segments.map((s) => s.size)
    const total = log.size
    log.updateConfig({...log.config, retentionBytes: total - sizes[0] - 1})
    assert.equal(log.applyRetention(), 1, 'removing one segment suffices')
    log.updateConfig({...log.config, retentionBytes: sizes[3]})
    assert.equal(log.applyRetention(), 2)
    assert.equal(log.segments.length, 1)
    assert.equal(log.size, sizes[3])
    log.updateConfig({...log.config, retentionBytes: -1, retentionMs: -1})
    assert.equal(log.applyRetention(Number.MAX_SAFE_INTEGER), 0, '-1 keeps everything')
    log.close()
  } finally {
    cleanup()
  }
})

test('cleanup.policy=compact disables time and size retention', () => {
  const {dir, cleanup} = tempDir()
  try {
    const log = build(dir, {cleanupPolicy: 'compact', retentionMs: 1, retentionBytes: 1})
    assert.equal(log.applyRetention(Number.MAX_SAFE_INTEGER), 0)
    assert.equal(log.segments.length, 4)
    log.close()
  } finally {
    cleanup()
  }
})

test('deleteRecordsBefore moves the log start offset and deletes only segments wholly below it', () => {
  const {dir, cleanup} = tempDir()
  try {
    const log = build(dir)
    const bases = log.segments.map((s) => s.baseOffset)
    const moved: bigint[] = []
    log.on('logStartOffset', (o) => moved.push(o))
    const inSecond = bases[1] + 7n
    assert.equal(log.deleteRecordsBefore(inSecond), inSecond)
    assert.equal(log.logStartOffset, inSecond)
    assert.deepEqual(log.segments.map((s) => s.baseOffset), bases.slice(1))
    assert.deepEqual(moved, [inSecond])
    assert.equal(log.read(inSecond - 1n, 1000, true).errorCode, 1)
    const r = log.read(inSecond, 1000, true)
    assert.equal(r.errorCode, 0)
    assert.equal(r.logStartOffset, inSecond)
    assert.ok(r.records[0].readBigInt64BE(0) <= inSecond, 'the batch holding the start offset')
    assert.equal(log.deleteRecordsBefore(3n), inSecond, 'never moves backwards')
    assert.throws(() => log.deleteRecordsBefore(log.logEndOffset + 1n), (e: unknown) => e instanceof KafkaError && e.code === 1)
    assert.equal(log.deleteRecordsBefore(-1n), log.logEndOffset, '-1 means the high watermark')
    assert.deepEqual(log.segments.map((s) => s.baseOffset), [bases[3]], 'the active segment stays')
    log.close()
  } finally {
    cleanup()
  }
})

test('the high watermark follows the log end offset until set, and bounds reads', () => {
  const {dir, cleanup} = tempDir()
  try {
    const log = build(dir)
    assert.equal(log.highWatermark, 200n)
    log.highWatermark = 100n
    log.append(makeBatch(1))
    assert.equal(log.highWatermark, 100n)
    const r = log.read(95n, 1 << 20, true)
    assert.equal(r.records.reduce((n, b) => n + b.length, 0), r.size)
    let last = 0n
    for (const b of r.records) for (let p = 0; p < b.length; p += b.readInt32BE(p + 8) + 12) last = b.readBigInt64BE(p) + BigInt(b.readInt32BE(p + 23))
    assert.equal(last, 99n, 'reads stop at the high watermark by default')
    assert.throws(() => log.deleteRecordsBefore(150n), KafkaError)
    log.close()
  } finally {
    cleanup()
  }
})
