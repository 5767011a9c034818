// Offset and time index files: Kafka's entry spacing rule and exact bytes on disk; rolling when an index is full.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {Log} from '../../src/storage/log.js'
import {makeBatch, tempDir, testConfig} from './helpers.js'

/** Expected .index and .timeindex bytes for batches appended to one fresh segment, by Kafka's rule. */
function expectedIndexes(batches: {size: number; last: bigint; maxTs: bigint}[], interval: number, base: bigint, final: boolean): {index: Buffer; time: Buffer} {
  const index: Buffer[] = []
  const time: Buffer[] = []
  let since = 0
  let pos = 0
  let maxTs = -1n
  let maxTsOffset = base
  let lastIndexedTs = -1n
  const timeEntry = (ts: bigint, off: bigint): void => {
    if (ts <= lastIndexedTs) return
    const e = Buffer.alloc(12)
    e.writeBigInt64BE(ts, 0)
    e.writeInt32BE(Number(off - base), 8)
    time.push(e)
    lastIndexedTs = ts
  }
  for (const b of batches) {
    if (b.maxTs > maxTs) {
      maxTs = b.maxTs
      maxTsOffset = b.last
    }
    if (since > interval) {
      const e = Buffer.alloc(8)
      e.writeInt32BE(Number(b.last - base), 0)
      e.writeInt32BE(pos, 4)
      index.push(e)
      timeEntry(maxTs, maxTsOffset)
      since = 0
    }
    since += b.size
    pos += b.size
  }
  if (final) timeEntry(maxTs, maxTsOffset)
  return {index: Buffer.concat(index), time: Buffer.concat(time)}
}

test('index entries follow index.interval.bytes (4096) and the files hold exactly those bytes', () => {
  const {dir, cleanup} = tempDir()
  try {
    const log = Log.open(join(dir, 'idx-0'), testConfig({segmentBytes: 1 << 24, indexIntervalBytes: 4096}))
    const appended: {size: number; last: bigint; maxTs: bigint}[] = []
    for (let i = 0; i < 200; i++) {
      // Varying sizes and a timestamp that sometimes goes backwards (no time index entry then).
      const ts = 1_700_000_000_000n + BigInt(i * 10) - (i % 5 === 0 ? 100n : 0n)
      const batch = makeBatch(1 + (i % 4), {valueSize: 200 + (i * 37) % 900, ts})
      const r = log.append(batch)
      appended.push({size: batch.length, last: r.lastOffset, maxTs: r.maxTimestamp})
    }
    const segDir = join(dir, 'idx-0')
    const exp = expectedIndexes(appended, 4096, 0n, false)
    assert.ok(exp.index.length / 8 > 20, 'enough entries to be meaningful')
    assert.deepEqual(readFileSync(join(segDir, '00000000000000000000.index')), exp.index)
    assert.deepEqual(readFileSync(join(segDir, '00000000000000000000.timeindex')), exp.time)
    // Each entry points at a batch start whose last offset is the entry's offset.
    const logBytes = readFileSync(join(segDir, '00000000000000000000.log'))
    for (let i = 0; i < exp.index.length; i += 8) {
      const rel = exp.index.readInt32BE(i)
      const pos = exp.index.readInt32BE(i + 4)
      assert.equal(logBytes.readBigInt64BE(pos) + BigInt(logBytes.readInt32BE(pos + 23)), BigInt(rel))
    }
    // Closing adds the final max timestamp entry to the time index (as Kafka does when a segment goes inactive).
    log.close()
    const fin = expectedIndexes(appended, 4096, 0n, true)
    assert.deepEqual(readFileSync(join(segDir, '00000000000000000000.timeindex')), fin.time)
    assert.deepEqual(readFileSync(join(segDir, '00000000000000000000.index')), exp.index)
  } finally {
    cleanup()
  }
})

test('a rolled segment has its own relative index entries and a final time index entry', () => {
  const {dir, cleanup} = tempDir()
  try {
    const log = Log.open(join(dir, 'r-0'), testConfig({segmentBytes: 8192, indexIntervalBytes: 1000}))
    const perSegment = new Map<bigint, {size: number; last: bigint; maxTs: bigint}[]>()
    for (let i = 0; i < 40; i++) {
      const b = makeBatch(3, {valueSize: 150, ts: 1_000_000n + BigInt(i)})
      const r = log.append(b)
      const base = log.segments[log.segments.length - 1].baseOffset
      if (!perSegment.has(base)) perSegment.set(base, [])
      perSegment.get(base)!.push({size: b.length, last: r.lastOffset, maxTs: r.maxTimestamp})
    }
    const bases = log.segments.map((s) => s.baseOffset)
    assert.ok(bases.length >= 3)
    for (const base of bases.slice(0, -1)) {
      const exp = expectedIndexes(perSegment.get(base)!, 1000, base, true)
      const name = base.toString().padStart(20, '0')
      assert.deepEqual(readFileSync(join(dir, 'r-0', `${name}.index`)), exp.index, `index of ${name}`)
      assert.deepEqual(readFileSync(join(dir, 'r-0', `${name}.timeindex`)), exp.time, `timeindex of ${name}`)
    }
    log.close()
  } finally {
    cleanup()
  }
})

test('segments roll when the offset index is full (segment.index.bytes)', () => {
  const {dir, cleanup} = tempDir()
  try {
    // 48 bytes: 6 offset index entries, 4 time index entries (one slot is kept for the final entry).
    const log = Log.open(join(dir, 'full-0'), testConfig({segmentBytes: 1 << 24, indexIntervalBytes: 100, segmentIndexBytes: 48}))
    for (let i = 0; i < 60; i++) log.append(makeBatch(1, {valueSize: 200, ts: BigInt(1000 + i)}))
    const segs = log.segments
    assert.ok(segs.length > 5, `rolled ${segs.length} segments`)
    for (const s of segs) {
      const name = s.baseOffset.toString().padStart(20, '0')
      assert.ok(statSync(join(dir, 'full-0', `${name}.index`)).size <= 48)
      assert.ok(statSync(join(dir, 'full-0', `${name}.timeindex`)).size <= 48)
    }
    for (let o = 0n; o < 60n; o++) assert.equal(log.read(o, 1, true).records[0].readBigInt64BE(0), o)
    log.close()
  } finally {
    cleanup()
  }
})
