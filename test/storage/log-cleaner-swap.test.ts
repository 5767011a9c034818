// Crash safety of the cleaner's segment swap, readers and writers during a cleaning, and the offset map.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {join} from 'node:path'
import {readdirSync, writeFileSync} from 'node:fs'
import {Log} from '../../src/storage/log.js'
import {LogCleaner, type SwapStep} from '../../src/storage/log-cleaner.js'
import {SkimpyOffsetMap} from '../../src/storage/log-cleaner-offset-map.js'
import {captureLogger, tempDir} from './helpers.js'
import {compactConfig, keyedBatch, latestPerKey, readAll} from './log-cleaner-helpers.js'

/** A log of 8 rounds over 10 keys across several segments, closed; returns its records. */
function populate(dir: string): ReturnType<typeof readAll> {
  const log = Log.open(join(dir, 'cr-0'), compactConfig())
  for (let r = 0; r < 8; r++) {
    for (let k = 0; k < 10; k += 5) {
      log.append(keyedBatch(Array.from({length: 5}, (_, j) => ({key: `k${k + j}`, value: `r${r}-${'v'.repeat(60)}`}))))
    }
  }
  log.roll()
  const all = readAll(log)
  log.close()
  return all
}

class Crash extends Error {}

for (const step of ['swap-renamed', 'old-deleted'] as SwapStep[]) {
  test(`kill -9 after the swap step '${step}': the next open finishes the swap`, async () => {
    const {dir, cleanup} = tempDir()
    try {
      const before = populate(dir)
      const log = Log.open(join(dir, 'cr-0'), compactConfig())
      const cleaner = new LogCleaner(dir, {onSwapStep: (s) => {
        if (s === step) throw new Crash(s)
      }})
      // The crash escapes as a failed cleaning (logged), leaving the dir as a kill -9 would.
      await cleaner.clean(log)
      assert.ok(readdirSync(join(dir, 'cr-0')).some((n) => n.endsWith('.log.swap')))
      log.close({flush: false})
      const {logger, lines} = captureLogger()
      const reopened = Log.open(join(dir, 'cr-0'), compactConfig(), {recoveryPoint: 0n, logger})
      assert.ok(!readdirSync(join(dir, 'cr-0')).some((n) => n.includes('.swap') || n.includes('.cleaned')))
      assert.ok(!lines.some((l) => l.includes('truncating')), lines.join('\n'))
      const after = readAll(reopened)
      // The first group was swapped in (compacted); the rest is as it was; the latest value per key is intact.
      assert.ok(after.length < before.length)
      assert.deepEqual(latestPerKey(after), latestPerKey(before))
      for (const r of after) assert.deepEqual(before.find((b) => b.offset === r.offset), r)
      reopened.close()
    } finally {
      cleanup()
    }
  })
}

test('kill -9 while the cleaned files are written: they are dropped and the old segments stay', () => {
  const {dir, cleanup} = tempDir()
  try {
    const before = populate(dir)
    for (const ext of ['log', 'index', 'timeindex']) writeFileSync(join(dir, 'cr-0', `00000000000000000000.${ext}.cleaned`), Buffer.alloc(100, 7))
    writeFileSync(join(dir, 'cr-0', '00000000000000000000.index.swap'), Buffer.alloc(16, 1))
    const reopened = Log.open(join(dir, 'cr-0'), compactConfig(), {recoveryPoint: 0n})
    assert.ok(!readdirSync(join(dir, 'cr-0')).some((n) => n.includes('.swap') || n.includes('.cleaned')))
    assert.deepEqual(readAll(reopened), before)
    reopened.close()
  } finally {
    cleanup()
  }
})

test('fetches and appends keep working while a cleaning runs in slices', async () => {
  const {dir, cleanup} = tempDir()
  try {
    populate(dir)
    const log = Log.open(join(dir, 'cr-0'), compactConfig())
    // Tiny slices: the cleaning yields after every batch, so reads and appends interleave with it.
    const cleaner = new LogCleaner(dir, {sliceBytes: 1})
    const cleaning = cleaner.clean(log)
    let done = false
    void cleaning.then(() => (done = true))
    let reads = 0
    for (let i = 0; i < 2000 && !done; i++) {
      const all = readAll(log)
      assert.ok(all.length > 0)
      for (let j = 1; j < all.length; j++) assert.ok(all[j].offset > all[j - 1].offset)
      if (i % 5 === 0) log.append(keyedBatch([{key: `new${i}`, value: 'x'}]))
      reads++
      await new Promise((r) => setImmediate(r))
    }
    const stats = await cleaning
    assert.ok(stats && !stats.aborted)
    assert.ok(reads > 3, `only ${reads} reads interleaved`)
    const after = readAll(log)
    assert.ok(after.some((r) => r.key?.startsWith('new')))
    log.close()
  } finally {
    cleanup()
  }
})

test('a cleaning of a log closed midway is dropped without touching its segments', async () => {
  const {dir, cleanup} = tempDir()
  try {
    const before = populate(dir)
    const log = Log.open(join(dir, 'cr-0'), compactConfig())
    const cleaning = new LogCleaner(dir, {sliceBytes: 1}).clean(log)
    await new Promise((r) => setImmediate(r))
    log.close()
    const stats = await cleaning
    assert.ok(stats === null || stats.aborted)
    assert.ok(!readdirSync(join(dir, 'cr-0')).some((n) => n.includes('.cleaned')))
    const reopened = Log.open(join(dir, 'cr-0'), compactConfig())
    assert.deepEqual(readAll(reopened), before)
    reopened.close()
  } finally {
    cleanup()
  }
})

test('SkimpyOffsetMap keeps the latest offset of 100k distinct keys and reports full', () => {
  const map = new SkimpyOffsetMap(64 * 1024 * 1024, 100_000)
  const keys = Array.from({length: 100_000}, (_, i) => Buffer.from(`key-${i}-${'z'.repeat(i % 37)}`))
  keys.forEach((k, i) => map.put(k, 0, k.length, i))
  keys.forEach((k, i) => map.put(k, 0, k.length, 100_000 + i))
  assert.equal(map.size, 100_000)
  for (let i = 0; i < keys.length; i += 7) assert.equal(map.get(keys[i], 0, keys[i].length), 100_000 + i)
  assert.equal(map.get(Buffer.from('absent'), 0, 6), -1)
  // A key inside a larger buffer hashes like the same bytes on their own.
  const wrapped = Buffer.concat([Buffer.from('xx'), keys[5], Buffer.from('yy')])
  assert.equal(map.get(wrapped, 2, 2 + keys[5].length), 100_005)
  const small = new SkimpyOffsetMap(24 * 16)
  for (let i = 0; i < small.capacity; i++) small.put(Buffer.from(`k${i}`), 0, `k${i}`.length, i)
  assert.equal(small.isFull, true)
  assert.throws(() => small.put(Buffer.from('one more'), 0, 8, 99), /full/)
})
