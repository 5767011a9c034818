// Log append and read across rolled segments: offsets, file names, whole-batch reads, size limits, bounds.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import {Log} from '../../src/storage/log.js'
import {batchCrcValid} from '../../src/records/batch-header.js'
import {decodeRecordBatches} from '../../src/records/record-batch.js'
import {KafkaError} from '../../src/protocol/errors.js'
import {FakeClock, batchRanges, makeBatch, tempDir, testConfig} from './helpers.js'

/** Appends `n` batches of 5 records and returns copies of the stored bytes and where the segments must roll. */
function fill(log: Log, n: number, segmentBytes: number): {stored: Buffer[]; expectedBases: bigint[]} {
  const stored: Buffer[] = []
  const expectedBases: bigint[] = [0n]
  let segSize = 0
  for (let i = 0; i < n; i++) {
    const batch = makeBatch(5, {tag: `b${i}`, valueSize: 80 + (i % 7) * 20})
    if (segSize > 0 && segSize + batch.length > segmentBytes) {
      expectedBases.push(BigInt(i * 5))
      segSize = 0
    }
    segSize += batch.length
    const r = log.append(batch)
    assert.equal(r.firstOffset, BigInt(i * 5))
    assert.equal(r.lastOffset, BigInt(i * 5 + 4))
    assert.equal(r.logAppendTime, -1n)
    stored.push(Buffer.from(batch))
  }
  return {stored, expectedBases}
}

test('appends assign offsets, roll by segment.bytes with 20-digit file names, and read back byte for byte', () => {
  const {dir, cleanup} = tempDir()
  try {
    const config = testConfig({segmentBytes: 4096})
    const log = Log.open(join(dir, 'orders-3'), config)
    assert.equal(log.topic, 'orders')
    assert.equal(log.partition, 3)
    const {stored, expectedBases} = fill(log, 40, 4096)
    assert.ok(expectedBases.length >= 5, 'several segments')
    assert.equal(log.logEndOffset, 200n)
    assert.equal(log.highWatermark, 200n)
    assert.deepEqual(log.segments.map((s) => s.baseOffset), expectedBases)
    const files = readdirSync(join(dir, 'orders-3')).sort()
    const expectedFiles = expectedBases.flatMap((b) => {
      const name = b.toString().padStart(20, '0')
      // Every roll snapshots the producer state at the new segment's base, as Kafka does.
      return [`${name}.index`, `${name}.log`, `${name}.timeindex`, ...(b === 0n ? [] : [`${name}.snapshot`])]
    }).sort()
    assert.deepEqual(files, expectedFiles)
    assert.equal(log.size, stored.reduce((n, b) => n + b.length, 0))
    for (const s of log.segments) assert.ok(s.size <= 4096)

    // The whole log in one read is exactly the appended batches (baseOffset rewritten), still CRC-valid.
    const all = log.read(0n, 1 << 20, true)
    assert.equal(all.errorCode, 0)
    assert.deepEqual(Buffer.concat(all.records), Buffer.concat(stored))
    for (const b of stored) assert.ok(batchCrcValid(b, 0))
    const values = decodeRecordBatches(Buffer.concat(all.records)).flatMap((b) => b.records.map((r) => r.offset))
    assert.deepEqual(values, Array.from({length: 200}, (_, i) => BigInt(i)))

    // Every offset: the first batch returned is the one holding it.
    for (let o = 0; o < 200; o++) {
      const r = log.read(BigInt(o), 1, true)
      assert.equal(r.errorCode, 0)
      const ranges = batchRanges(r.records)
      assert.equal(ranges.length, 1, `offset ${o}: one batch with minOneBatch and maxBytes 1`)
      assert.deepEqual(ranges[0], [BigInt(o - (o % 5)), BigInt(o - (o % 5) + 4)])
      assert.deepEqual(r.records[0], stored[Math.floor(o / 5)])
    }
    log.close()
  } finally {
    cleanup()
  }
})

test('reads return whole batches within maxBytes, at least one with minOneBatch, and respect the upper bound', () => {
  const {dir, cleanup} = tempDir()
  try {
    const log = Log.open(join(dir, 't-0'), testConfig({segmentBytes: 1 << 20}))
    const sizes: number[] = []
    for (let i = 0; i < 10; i++) {
      const b = makeBatch(5, {valueSize: 100})
      sizes.push(b.length)
      log.append(b)
    }
    const two = sizes[0] + sizes[1]
    assert.deepEqual(batchRanges(log.read(0n, two, false).records), [[0n, 4n], [5n, 9n]])
    assert.deepEqual(batchRanges(log.read(0n, two + sizes[2] - 1, false).records), [[0n, 4n], [5n, 9n]], 'a partial batch is left out')
    assert.equal(log.read(0n, sizes[0] - 1, false).size, 0, 'nothing fits and minOneBatch is false')
    assert.deepEqual(batchRanges(log.read(7n, 10, true).records), [[5n, 9n]], 'minOneBatch returns the batch holding the offset')
    assert.deepEqual(batchRanges(log.read(0n, 1 << 20, true, 15n).records), [[0n, 4n], [5n, 9n], [10n, 14n]], 'stops at maxOffset')
    assert.equal(log.read(15n, 1 << 20, true, 15n).size, 0)
    // Sequential reads (the read hint) continue exactly where the previous one stopped.
    let next = 0n
    const seen: bigint[] = []
    for (let i = 0; i < 20 && next < log.logEndOffset; i++) {
      const r = log.read(next, sizes[0], true)
      const ranges = batchRanges(r.records)
      seen.push(...ranges.map((x) => x[0]))
      next = ranges[ranges.length - 1][1] + 1n
    }
    assert.deepEqual(seen, [0n, 5n, 10n, 15n, 20n, 25n, 30n, 35n, 40n, 45n])
    // Log end offset: empty; beyond or below the log: OFFSET_OUT_OF_RANGE as errorCode 1.
    const atEnd = log.read(50n, 1000, true)
    assert.equal(atEnd.errorCode, 0)
    assert.equal(atEnd.size, 0)
    assert.equal(log.read(51n, 1000, true).errorCode, 1)
    assert.equal(log.read(-1n, 1000, true).errorCode, 1)
    log.close()
  } finally {
    cleanup()
  }
})

test('LogAppendTime stamps the batch (CRC recomputed); follower appends keep offsets; leader epoch is written', () => {
  const {dir, cleanup} = tempDir()
  try {
    const clock = new FakeClock(1_800_000_000_000)
    const log = Log.open(join(dir, 't-0'), testConfig({messageTimestampType: 'LogAppendTime'}), {clock: clock.now})
    const b = makeBatch(3)
    const r = log.append(b, {leaderEpoch: 7})
    assert.equal(r.logAppendTime, 1_800_000_000_000n)
    assert.equal(r.maxTimestamp, 1_800_000_000_000n)
    const [read] = decodeRecordBatches(Buffer.concat(log.read(0n, 1 << 20, true).records))
    assert.equal(read.timestampType, 'LogAppendTime')
    assert.equal(read.partitionLeaderEpoch, 7)
    assert.deepEqual(read.records.map((x) => x.timestamp), [1_800_000_000_000n, 1_800_000_000_000n, 1_800_000_000_000n])
    const explicit = log.append(makeBatch(1), {logAppendTime: 42n})
    assert.equal(explicit.logAppendTime, 42n)

    const follower = Log.open(join(dir, 'f-0'), testConfig())
    const fb = makeBatch(2)
    fb.writeBigInt64BE(10n, 0)
    assert.deepEqual(follower.append(fb, {assignOffsets: false}), {firstOffset: 10n, lastOffset: 11n, logAppendTime: -1n, maxTimestamp: fb.readBigInt64BE(35)})
    assert.equal(follower.logEndOffset, 12n)
    assert.equal(follower.segments.length, 1, 'offsets that fit the empty active segment need no roll')
    const far = makeBatch(1)
    far.writeBigInt64BE(12n + 0x80000000n, 0)
    follower.append(far, {assignOffsets: false})
    assert.deepEqual(follower.segments.map((s) => s.baseOffset), [0n, 12n + 0x80000000n], 'relative offset overflow rolls')
    const stale = makeBatch(1)
    stale.writeBigInt64BE(5n, 0)
    assert.throws(() => follower.append(stale, {assignOffsets: false}), KafkaError)
    assert.deepEqual(batchRanges(follower.read(0n, 1 << 20, true, follower.logEndOffset).records), [[10n, 11n], [12n + 0x80000000n, 12n + 0x80000000n]])
    assert.throws(() => follower.append(Buffer.concat([makeBatch(1), makeBatch(1)])), /one whole batch/)
    log.close()
    follower.close()
  } finally {
    cleanup()
  }
})

test("'append' events carry the appended range", () => {
  const {dir, cleanup} = tempDir()
  try {
    const log = Log.open(join(dir, 't-0'), testConfig())
    const events: unknown[] = []
    log.on('append', (e) => events.push(e))
    log.append(makeBatch(3))
    log.append(makeBatch(2))
    assert.deepEqual(events, [{firstOffset: 0n, lastOffset: 2n, logEndOffset: 3n}, {firstOffset: 3n, lastOffset: 4n, logEndOffset: 5n}])
    log.close()
  } finally {
    cleanup()
  }
})

test('truncateTo cuts at the batch holding the offset, across segments; delete removes the directory', () => {
  const {dir, cleanup} = tempDir()
  try {
    const log = Log.open(join(dir, 'tr-0'), testConfig({segmentBytes: 3000, indexIntervalBytes: 300}))
    const stored: Buffer[] = []
    for (let i = 0; i < 30; i++) {
      const b = makeBatch(4, {valueSize: 120, ts: BigInt(1000 + i)})
      log.append(b)
      stored.push(Buffer.from(b))
    }
    const bases = log.segments.map((s) => s.baseOffset)
    assert.ok(bases.length >= 3)
    const cut = bases[1] + 6n // inside a batch of the second segment
    log.truncateTo(cut)
    const batchStart = cut - (cut % 4n)
    assert.equal(log.logEndOffset, batchStart)
    assert.deepEqual(log.segments.map((s) => s.baseOffset), bases.slice(0, 2))
    assert.deepEqual(Buffer.concat(log.read(0n, 1 << 20, true).records), Buffer.concat(stored.slice(0, Number(batchStart / 4n))))
    assert.deepEqual(log.maxTimestamp(), {offset: batchStart - 1n, timestamp: 1000n + batchStart / 4n - 1n + 3n})
    assert.equal(log.append(makeBatch(1)).firstOffset, batchStart)
    log.truncateTo(0n)
    assert.equal(log.logEndOffset, 0n)
    assert.equal(log.size, 0)
    log.delete()
    assert.deepEqual(readdirSync(dir), [])
  } finally {
    cleanup()
  }
})
