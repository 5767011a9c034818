// The producer state inside a Log: duplicates append nothing, snapshots at roll and clean close,
// rebuild after a crash and after a torn tail, retention and truncation, and `log dump` of a snapshot.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, openSync, closeSync, ftruncateSync, fstatSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {ErrorCode, KafkaError} from '../../src/protocol/errors.js'
import {encodeRecordBatch} from '../../src/records/record-batch.js'
import {Log, snapshotPath} from '../../src/storage/index.js'
import {dumpFile} from '../../src/cli/log-dump.js'
import {formatDumpItem} from '../../src/cli/log-dump-format.js'
import {captureLogger, tempDir, testConfig} from './helpers.js'

const PID = 7n

/** An idempotent batch of `count` 100-byte records starting at sequence `seq`. */
function idem(seq: number, count: number, opts: {epoch?: number; pid?: bigint; ts?: number} = {}): Buffer {
  return encodeRecordBatch({
    producerId: opts.pid ?? PID, producerEpoch: opts.epoch ?? 0, baseSequence: seq,
    records: Array.from({length: count}, (_, i) => ({value: `v${seq + i}-${'x'.repeat(100)}`, timestamp: BigInt(opts.ts ?? Date.now())})),
  })
}

function snapshotFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.snapshot')).sort()
}

test('a retried batch appends nothing and answers the original offsets; a gap fails and appends nothing', () => {
  const {dir, cleanup} = tempDir()
  try {
    const log = Log.open(join(dir, 'idem-0'), testConfig())
    log.append(encodeRecordBatch({records: [{value: 'plain'}]}))
    const first = log.append(idem(0, 5))
    assert.equal(first.firstOffset, 1n)
    assert.ok(!first.duplicate)
    log.append(idem(5, 5))
    const size = log.size
    const again = log.append(idem(0, 5))
    assert.equal(again.duplicate, true)
    assert.equal(again.firstOffset, 1n)
    assert.equal(again.lastOffset, 5n)
    assert.equal(again.maxTimestamp, first.maxTimestamp)
    assert.equal(log.logEndOffset, 11n)
    assert.equal(log.size, size, 'nothing written')
    assert.throws(() => log.append(idem(11, 1)), (e: unknown) => e instanceof KafkaError && e.code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    assert.equal(log.logEndOffset, 11n)
    assert.equal(log.append(idem(10, 1)).firstOffset, 11n)
    // A follower's append (offsets kept) is recorded without checks.
    const replica = idem(100, 2)
    replica.writeBigInt64BE(12n, 0)
    log.append(replica, {assignOffsets: false})
    assert.equal(log.producerState.producers.get(PID)!.lastSeq, 101)
    log.close()
  } finally {
    cleanup()
  }
})

test('snapshots at every roll and at a clean close; a clean reopen replays nothing and still detects duplicates', () => {
  const {dir, cleanup} = tempDir()
  try {
    const pdir = join(dir, 'roll-0')
    const log = Log.open(pdir, testConfig({segmentBytes: 4096}))
    let seq = 0
    const results = []
    for (let i = 0; i < 30; i++) {
      results.push(log.append(idem(seq, 3)))
      seq += 3
    }
    const bases = log.segments.map((s) => s.baseOffset)
    assert.ok(bases.length >= 3, 'several segments')
    assert.deepEqual(snapshotFiles(pdir), bases.slice(1).map((b) => `${b.toString().padStart(20, '0')}.snapshot`))
    log.close()
    assert.ok(existsSync(snapshotPath(pdir, 90n)), 'clean close snapshots at the log end offset')

    const {logger, lines} = captureLogger()
    const reopened = Log.open(pdir, testConfig({segmentBytes: 4096}), {cleanShutdown: true, recoveryPoint: 90n, logger})
    assert.deepEqual(lines, [], 'nothing replayed or repaired')
    const dup = reopened.append(idem(87, 3))
    assert.equal(dup.duplicate, true)
    assert.equal(dup.firstOffset, results[29].firstOffset)
    assert.equal(reopened.append(idem(90, 1)).firstOffset, 90n)
    reopened.close()
  } finally {
    cleanup()
  }
})

test('after a crash the state is the newest snapshot plus the batches replayed from the log', () => {
  const {dir, cleanup} = tempDir()
  try {
    const pdir = join(dir, 'crash-0')
    const crashed = Log.open(pdir, testConfig({segmentBytes: 4096}))
    let seq = 0
    for (let i = 0; i < 25; i++) {
      crashed.append(idem(seq, 3))
      seq += 3
    }
    crashed.append(idem(0, 2, {pid: 8n, epoch: 4}))
    const lastBase = crashed.segments.at(-1)!.baseOffset
    assert.ok(lastBase > 0n && crashed.logEndOffset > lastBase + 3n, 'batches after the last roll exist only in the log')
    // No close: the process "dies" (the data is in the page cache, no snapshot at the log end).
    const {logger, lines} = captureLogger()
    const log = Log.open(pdir, testConfig({segmentBytes: 4096}), {cleanShutdown: false, recoveryPoint: 0n, logger})
    assert.match(lines.join('\n'), new RegExp(`rebuilt producer state from offsets ${lastBase}-77 \\(\\d+ idempotent batches, 2 producers\\)`))
    assert.equal(log.append(idem(72, 3)).duplicate, true)
    assert.equal(log.append(idem(0, 2, {pid: 8n, epoch: 4})).duplicate, true)
    assert.throws(() => log.append(idem(1, 1, {pid: 8n, epoch: 3})), (e: unknown) => e instanceof KafkaError && e.code === ErrorCode.INVALID_PRODUCER_EPOCH)
    assert.equal(log.append(idem(75, 1)).firstOffset, 77n)
    assert.ok(existsSync(snapshotPath(pdir, 77n)), 'the rebuilt state was snapshotted')
    log.close()
    crashed.close({flush: false})
  } finally {
    cleanup()
  }
})

test('a torn tail: the snapshot above the new log end is dropped and the lost batch can be sent again', () => {
  const {dir, cleanup} = tempDir()
  try {
    const pdir = join(dir, 'torn-0')
    const log = Log.open(pdir, testConfig())
    log.append(idem(0, 3))
    log.append(idem(3, 3))
    log.close()
    assert.ok(existsSync(snapshotPath(pdir, 6n)))
    // Chop the second batch in half, as a power loss might.
    const fd = openSync(join(pdir, '00000000000000000000.log'), 'r+')
    ftruncateSync(fd, fstatSync(fd).size - 50)
    closeSync(fd)
    const {logger} = captureLogger()
    const reopened = Log.open(pdir, testConfig(), {cleanShutdown: false, recoveryPoint: 0n, logger})
    assert.equal(reopened.logEndOffset, 3n)
    assert.ok(!existsSync(snapshotPath(pdir, 6n)), 'the snapshot of lost data is gone')
    const resent = reopened.append(idem(3, 3))
    assert.ok(!resent.duplicate, 'the lost batch is written again, not reported as a duplicate')
    assert.equal(resent.firstOffset, 3n)
    assert.equal(reopened.append(idem(0, 3)).duplicate, true, 'older batches that survived are still known')
    reopened.close()
  } finally {
    cleanup()
  }
})

test('retention removes snapshots below the log start offset; truncation forgets truncated batches', () => {
  const {dir, cleanup} = tempDir()
  try {
    const pdir = join(dir, 'ret-0')
    const log = Log.open(pdir, testConfig({segmentBytes: 4096}))
    let seq = 0
    for (let i = 0; i < 60; i++) {
      log.append(idem(seq, 3))
      seq += 3
    }
    const bases = log.segments.map((s) => s.baseOffset)
    assert.ok(bases.length >= 4)
    log.deleteRecordsBefore(bases[1])
    assert.equal(log.logStartOffset, bases[1])
    assert.deepEqual(log.producerState.snapshotOffsets, bases.slice(1))
    assert.deepEqual(snapshotFiles(pdir).length, bases.length - 1)

    // Truncate into the middle of a segment: the batches from there on are gone from the state too.
    const cut = bases[2] + 6n
    log.truncateTo(cut)
    assert.equal(log.logEndOffset, cut)
    assert.deepEqual(log.producerState.snapshotOffsets, [bases[1], bases[2]])
    assert.equal(log.producerState.producers.get(PID)!.lastSeq, Number(cut) - 1)
    assert.equal(log.append(idem(Number(cut), 3)).firstOffset, cut, 'the truncated batch is appended again')
    log.truncateTo(0n)
    assert.equal(log.producerState.producers.size, 0)
    assert.deepEqual(snapshotFiles(pdir), [])
    log.close()
  } finally {
    cleanup()
  }
})

test('log dump prints a producer snapshot entry by entry, as text and as JSON items', () => {
  const {dir, cleanup} = tempDir()
  try {
    const pdir = join(dir, 'dump-0')
    const log = Log.open(pdir, testConfig())
    log.append(idem(0, 4, {ts: 1234}))
    log.append(idem(10, 2, {pid: 99n, epoch: 3, ts: 5678}))
    log.close()
    const items = [...dumpFile(snapshotPath(pdir, 6n))]
    assert.deepEqual(items.filter((i) => i.type === 'problem'), [])
    const producers = items.filter((i) => i.type === 'producer')
    assert.deepEqual(producers, [
      {type: 'producer', producerId: 7n, producerEpoch: 0, firstSequence: 0, lastSequence: 3, lastOffset: 3n, offsetDelta: 3, timestamp: 1234n,
        coordinatorEpoch: -1, currentTxnFirstOffset: -1n},
      {type: 'producer', producerId: 99n, producerEpoch: 3, firstSequence: 10, lastSequence: 11, lastOffset: 5n, offsetDelta: 1, timestamp: 5678n,
        coordinatorEpoch: -1, currentTxnFirstOffset: -1n},
    ])
    const text = items.map(formatDumpItem).join('\n')
    assert.match(text, /version: 1 crc: \d+ isValid: true producers: 2/)
    assert.match(text, /producerId: 99 producerEpoch: 3 firstSequence: 10 lastSequence: 11 lastOffset: 5 offsetDelta: 1 timestamp: 5678/)
  } finally {
    cleanup()
  }
})
