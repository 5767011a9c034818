// LogCleaner on one log: latest value per key, offsets kept, tombstones and delete.retention.ms,
// min.compaction.lag.ms, dirty ratio, compressed batches, the idempotent producer's last batch.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {join} from 'node:path'
import {existsSync, readFileSync} from 'node:fs'
import {CompressionType} from '../../src/records/index.js'
import {Log} from '../../src/storage/log.js'
import {LogCleaner, CLEANER_OFFSET_CHECKPOINT} from '../../src/storage/log-cleaner.js'
import {compactedBatchProblem} from '../../src/storage/log-cleaner-records.js'
import {FakeClock, captureLogger, tempDir} from './helpers.js'
import {compactConfig, keyedBatch, latestPerKey, readAll, readBatches, type KV} from './log-cleaner-helpers.js'

const KEYS = 20

/** Writes `rounds` rounds of one record per key (value `k<i>-r<round>`), one batch of 5 records at a time. */
function writeRounds(log: Log, rounds: number, opts: {compression?: CompressionType; ts?: bigint} = {}): void {
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < KEYS; k += 5) {
      const kvs: KV[] = []
      for (let j = k; j < k + 5; j++) kvs.push({key: `k${j}`, value: `k${j}-r${r}-${'p'.repeat(40)}`})
      log.append(keyedBatch(kvs, {compression: opts.compression, ts: opts.ts}))
    }
  }
}

test('cleaning keeps the latest value per key below the active segment, with the original offsets', async () => {
  const {dir, cleanup} = tempDir()
  try {
    const clock = new FakeClock()
    const log = Log.open(join(dir, 'ct-0'), compactConfig(), {clock: clock.now})
    writeRounds(log, 10)
    const before = readAll(log)
    const segsBefore = log.segments.length
    assert.ok(segsBefore >= 5, `${segsBefore} segments`)
    const activeBase = log.segments[segsBefore - 1].baseOffset
    const {logger, lines} = captureLogger()
    const cleaner = new LogCleaner(dir, {clock: clock.now, logger})
    const state = cleaner.cleanableState(log)
    assert.equal(state.firstDirtyOffset, 0n)
    assert.equal(state.firstUncleanableOffset, activeBase)
    assert.equal(state.reason, 'dirty ratio')
    const stats = await cleaner.clean(log)
    assert.ok(stats && !stats.aborted)
    assert.equal(stats.endOffset, activeBase)
    assert.ok(stats.bytesWritten < stats.bytesRead / 3, `${stats.bytesRead} -> ${stats.bytesWritten}`)
    assert.equal(log.segments.length, segsBefore, 'full segments are rewritten one by one (grouped by their old sizes)')
    assert.ok(lines.some((l) => l.includes('cleaned offsets 0-')))

    const after = readAll(log)
    // Below the active segment only the latest record per key of that range is left (the active segment is
    // not in the offset map, so its records supersede nothing yet); the active segment is untouched.
    const expected = [...latestPerKey(before.filter((r) => r.offset < activeBase)), ...before.filter((r) => r.offset >= activeBase)]
    assert.deepEqual(after, expected)
    assert.deepEqual(latestPerKey(after), latestPerKey(before))
    assert.equal(log.logEndOffset, 200n)
    assert.equal(log.logStartOffset, 0n)
    // Fetching from an offset that compaction removed returns the next record, as Kafka does.
    const firstKept = after[0].offset
    const r = log.read(0n, 1 << 20, true)
    assert.equal(r.errorCode, 0)
    assert.ok(readBatches(log)[0].baseOffset <= firstKept)

    // The checkpoint says where the next cleaning starts; nothing is dirty now.
    assert.match(readFileSync(join(dir, CLEANER_OFFSET_CHECKPOINT), 'utf8'), new RegExp(`^0\\n1\\nct 0 ${activeBase}\\n$`))
    assert.equal(cleaner.cleanableState(log).reason, null)
    assert.equal(new LogCleaner(dir).firstDirtyOffset('ct', 0), activeBase)
    // The next cleaning groups the now small segments into one (up to segment.bytes).
    await cleaner.clean(log)
    assert.equal(log.segments.length, 2)
    assert.deepEqual(readAll(log), after)

    // Reopened after an unclean stop: recovery re-checks every batch's CRC and rebuilds the indexes without truncating.
    log.close({flush: false})
    const rec = captureLogger()
    const reopened = Log.open(join(dir, 'ct-0'), compactConfig(), {clock: clock.now, recoveryPoint: 0n, cleanShutdown: false, logger: rec.logger})
    assert.ok(!rec.lines.some((l) => l.includes('truncating')), rec.lines.join('\n'))
    assert.deepEqual(readAll(reopened), after)
    // A lookup by offset in the middle of a cleaned segment lands on the right batch.
    const mid = after[Math.floor(after.length / 2)]
    const hit = readBatches(reopened).find((b) => b.records.some((x) => x.offset === mid.offset))
    assert.ok(hit)
    reopened.close()
  } finally {
    cleanup()
  }
})

test('a second cleaning compacts the new dirty section against the clean one', async () => {
  const {dir, cleanup} = tempDir()
  try {
    const clock = new FakeClock()
    const log = Log.open(join(dir, 'ct-0'), compactConfig(), {clock: clock.now})
    const cleaner = new LogCleaner(dir, {clock: clock.now})
    writeRounds(log, 6)
    await cleaner.clean(log)
    writeRounds(log, 6)
    log.roll()
    const before = readAll(log)
    const stats = await cleaner.clean(log)
    assert.ok(stats && !stats.aborted)
    assert.equal(stats.endOffset, log.logEndOffset)
    const after = readAll(log)
    assert.deepEqual(after, latestPerKey(before))
    assert.equal(after.length, KEYS)
    log.close()
  } finally {
    cleanup()
  }
})

test('tombstones stay for delete.retention.ms after their first cleaning, then go; timestamps survive the delete horizon', async () => {
  const {dir, cleanup} = tempDir()
  try {
    const clock = new FakeClock()
    const log = Log.open(join(dir, 'tb-0'), compactConfig({deleteRetentionMs: 60_000}), {clock: clock.now})
    writeRounds(log, 3)
    const deleted = ['k1', 'k7', 'k12']
    log.append(keyedBatch(deleted.map((key) => ({key, value: null})), {ts: 1_700_000_500_000n}))
    log.append(keyedBatch([{key: 'x', value: 'other'}]))
    log.roll()
    const cleaner = new LogCleaner(dir, {clock: clock.now})
    await cleaner.clean(log)
    let after = readAll(log)
    const tombstones = after.filter((r) => r.value === null)
    assert.deepEqual(tombstones.map((r) => r.key), deleted)
    // The batch carries the delete horizon in its base timestamp; record timestamps are unchanged.
    const tbBatch = readBatches(log).find((b) => b.records.some((r) => r.value === null))!
    assert.equal(tbBatch.hasDeleteHorizon, true)
    assert.equal(tbBatch.baseTimestamp, BigInt(clock.ms + 60_000))
    assert.deepEqual(tombstones.map((r) => r.timestamp), [0n, 1n, 2n].map((i) => 1_700_000_500_000n + i))
    for (const k of deleted) assert.equal(after.filter((r) => r.key === k).length, 1)

    // Before the horizon, the cleaner does not pick the log again and a forced cleaning keeps the tombstones.
    clock.advance(59_000)
    assert.equal(cleaner.cleanableState(log).reason, null)
    await cleaner.clean(log)
    assert.equal(readAll(log).filter((r) => r.value === null).length, 3)
    clock.advance(1_000)
    assert.equal(cleaner.cleanableState(log).reason, 'tombstone horizon')
    const stats = await cleaner.runOnce([log])
    assert.equal(stats.length, 1)
    after = readAll(log)
    assert.equal(after.filter((r) => r.value === null).length, 0)
    assert.deepEqual(after.map((r) => r.key).sort(), [...Array.from({length: KEYS}, (_, i) => `k${i}`).filter((k) => !deleted.includes(k)), 'x'].sort())
    log.close()
  } finally {
    cleanup()
  }
})

test('min.compaction.lag.ms keeps young segments dirty; min.cleanable.dirty.ratio gates the scheduler', async () => {
  const {dir, cleanup} = tempDir()
  try {
    const clock = new FakeClock(1_700_000_100_000)
    const log = Log.open(join(dir, 'lag-0'), compactConfig({minCompactionLagMs: 50_000, minCleanableDirtyRatio: 0.5}), {clock: clock.now})
    writeRounds(log, 4, {ts: 1_700_000_000_000n}) // old: 100 s before now
    const oldEnd = log.logEndOffset
    log.roll()
    writeRounds(log, 4, {ts: 1_700_000_090_000n}) // young: 10 s before now
    log.roll()
    const cleaner = new LogCleaner(dir, {clock: clock.now})
    const state = cleaner.cleanableState(log)
    assert.equal(state.firstUncleanableOffset, oldEnd)
    await cleaner.clean(log)
    const after = readAll(log)
    assert.equal(after.filter((r) => r.offset < oldEnd).length, KEYS)
    assert.equal(after.filter((r) => r.offset >= oldEnd).length, 4 * KEYS)
    // Once the lag has passed, the young part is cleanable too.
    clock.advance(45_000)
    assert.equal(cleaner.cleanableState(log).firstUncleanableOffset, log.segments[log.segments.length - 1].baseOffset)
    // Dirty ratio: the young part is 4/5 of the log, above 0.5.
    const s = cleaner.cleanableState(log)
    assert.ok(s.dirtyRatio > 0.5 && s.reason === 'dirty ratio', JSON.stringify({...s, firstDirtyOffset: 0, firstUncleanableOffset: 0}))
    await cleaner.runOnce([log])
    assert.equal(readAll(log).length, KEYS)
    // One more batch of 5 records is a small dirty fraction: below the ratio, the scheduler leaves it.
    log.append(keyedBatch(['k1', 'k2', 'k3', 'k4', 'k5'].map((key) => ({key, value: 'new'})), {ts: 1_700_000_140_000n}))
    log.roll()
    clock.advance(60_000)
    assert.ok(cleaner.cleanableState(log).dirtyRatio < 0.5)
    assert.deepEqual(await cleaner.runOnce([log]), [])
    log.close()
  } finally {
    cleanup()
  }
})

test('compressed batches are rewritten with their own codec and valid CRCs', async () => {
  for (const compression of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
    const {dir, cleanup} = tempDir()
    try {
      const log = Log.open(join(dir, 'z-0'), compactConfig())
      writeRounds(log, 8, {compression})
      log.roll()
      const before = readAll(log)
      await new LogCleaner(dir).clean(log)
      const batches = readBatches(log) // decodeRecordBatches checks CRCs
      assert.ok(batches.length > 0)
      for (const b of batches) assert.equal(b.compression, compression)
      assert.deepEqual(readAll(log), latestPerKey(before))
      log.close()
    } finally {
      cleanup()
    }
  }
})

test("an idempotent producer's last batch stays (emptied) so its sequence state survives a restart", async () => {
  const {dir, cleanup} = tempDir()
  try {
    const log = Log.open(join(dir, 'idem-0'), compactConfig())
    const pid = 4242n
    // The producer writes k0..k4 twice; then a plain producer overwrites all of them.
    log.append(keyedBatch(['k0', 'k1', 'k2', 'k3', 'k4'].map((key) => ({key, value: `${key}-a`})), {producerId: pid, epoch: 0, baseSequence: 0}))
    log.append(keyedBatch(['k0', 'k1', 'k2', 'k3', 'k4'].map((key) => ({key, value: `${key}-b`})), {producerId: pid, epoch: 0, baseSequence: 5}))
    log.append(keyedBatch(['k0', 'k1', 'k2', 'k3', 'k4'].map((key) => ({key, value: `${key}-c`}))))
    log.roll()
    log.append(keyedBatch([{key: 'x', value: 'tail'}]))
    await new LogCleaner(dir).clean(log)
    const batches = readBatches(log)
    // The producer's first batch is gone, its last is an empty header at offsets 5-9, sequence 5-9.
    const idem = batches.filter((b) => b.producerId === pid)
    assert.equal(idem.length, 1)
    assert.equal(idem[0].baseOffset, 5n)
    assert.equal(idem[0].lastOffsetDelta, 4)
    assert.equal(idem[0].recordsCount, 0)
    assert.equal(idem[0].baseSequence, 5)
    assert.deepEqual(readAll(log).map((r) => r.value), ['k0-c', 'k1-c', 'k2-c', 'k3-c', 'k4-c', 'tail'])
    // Crash (no snapshot at the end): the producer state is replayed from the log and still knows sequence 9.
    log.close({flush: false})
    for (const f of ['00000000000000000000.snapshot', '00000000000000000015.snapshot']) {
      if (existsSync(join(dir, 'idem-0', f))) (await import('node:fs')).rmSync(join(dir, 'idem-0', f))
    }
    const reopened = Log.open(join(dir, 'idem-0'), compactConfig(), {recoveryPoint: 0n})
    assert.equal(reopened.producerState.producers.get(pid)?.lastSeq, 9)
    // A retry of the last batch is recognised as a duplicate with its original offsets.
    const retry = reopened.append(keyedBatch(['k0', 'k1', 'k2', 'k3', 'k4'].map((key) => ({key, value: `${key}-b`})), {producerId: pid, epoch: 0, baseSequence: 5}))
    assert.equal(retry.duplicate, true)
    assert.equal(retry.firstOffset, 5n)
    reopened.close()
  } finally {
    cleanup()
  }
})

test('keyless records are dropped by the cleaner', async () => {
  const {dir, cleanup} = tempDir()
  try {
    const log = Log.open(join(dir, 'nk-0'), compactConfig())
    log.append(keyedBatch([{key: null, value: 'no key'}, {key: 'a', value: '1'}, {key: null, value: 'no key 2'}]))
    log.roll()
    log.append(keyedBatch([{key: 'b', value: '2'}]))
    await new LogCleaner(dir).clean(log)
    assert.deepEqual(readAll(log).map((r) => [r.offset, r.key, r.value]), [[1n, 'a', '1'], [3n, 'b', '2']])
    // What the produce path can use to answer INVALID_RECORD, as Kafka does for keyless records in compacted topics.
    const keyless = keyedBatch([{key: 'a', value: '1'}, {key: null, value: '2'}], {compression: CompressionType.Lz4})
    assert.match(compactedBatchProblem(keyless, 0, keyless.length) ?? '', /without key/)
    const keyed = keyedBatch([{key: 'a', value: null}], {compression: CompressionType.Gzip})
    assert.equal(compactedBatchProblem(keyed, 0, keyed.length), null)
    log.close()
  } finally {
    cleanup()
  }
})

test('a dedupe buffer too small for the dirty section cleans it in several passes', async () => {
  const {dir, cleanup} = tempDir()
  try {
    const log = Log.open(join(dir, 'small-0'), compactConfig())
    // 60 distinct keys written 3 times; a 64-slot map holds 48 keys, so one pass maps only part of the dirty section.
    for (let r = 0; r < 3; r++) {
      for (let k = 0; k < 60; k += 5) log.append(keyedBatch(Array.from({length: 5}, (_, j) => ({key: `key${k + j}`, value: `r${r}`}))))
    }
    log.roll()
    const before = readAll(log)
    const cleaner = new LogCleaner(dir, {dedupeBufferSize: 64 * 24})
    const first = await cleaner.clean(log)
    assert.ok(first && first.endOffset < log.logEndOffset, `first pass ended at ${first?.endOffset}`)
    assert.deepEqual(latestPerKey(readAll(log)), latestPerKey(before))
    for (let i = 0; i < 10 && cleaner.cleanableState(log).dirtyBytes > 0; i++) await cleaner.clean(log)
    assert.deepEqual(readAll(log), latestPerKey(before))
    log.close()
  } finally {
    cleanup()
  }
})
