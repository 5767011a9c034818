// Recovery at open: clean reopen, torn tails, corrupt batches, lost or bad indexes, and what gets reported.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {appendFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {LogManager, CLEAN_SHUTDOWN_FILE} from '../../src/storage/log-manager.js'
import {Log} from '../../src/storage/log.js'
import {batchRanges, captureLogger, makeBatch, tempDir, testConfig} from './helpers.js'

const config = testConfig({segmentBytes: 6000, indexIntervalBytes: 700})
const seg = (base: bigint, ext: string): string => `${base.toString().padStart(20, '0')}.${ext}`

/** A data dir with topic tt partition 0 holding 30 batches of 4 records over several segments. */
function populate(dataDir: string): {stored: Buffer[]; bases: bigint[]} {
  const m = LogManager.open(dataDir, {scheduler: false})
  const log = m.getOrCreateLog('tt', 0, config)
  const stored: Buffer[] = []
  for (let i = 0; i < 30; i++) {
    const b = makeBatch(4, {valueSize: 150, tag: `r${i}`})
    log.append(b)
    stored.push(Buffer.from(b))
  }
  const bases = log.segments.map((s) => s.baseOffset)
  m.close()
  return {stored, bases}
}

function reopen(dataDir: string): {m: LogManager; log: Log; lines: string[]} {
  const {logger, lines} = captureLogger()
  const m = LogManager.open(dataDir, {scheduler: false, logger, topicConfig: () => config})
  return {m, log: m.getLog('tt', 0)!, lines}
}

test('clean close then reopen: marker consumed, same data and indexes, appends continue', () => {
  const {dir, cleanup} = tempDir()
  try {
    const {stored, bases} = populate(dir)
    assert.ok(bases.length >= 3)
    assert.equal(existsSync(join(dir, CLEAN_SHUTDOWN_FILE)), true)
    const idx = readFileSync(join(dir, 'tt-0', seg(bases[0], 'index')))
    const {m, log, lines} = reopen(dir)
    assert.equal(m.openInfo.cleanShutdown, true)
    assert.equal(existsSync(join(dir, CLEAN_SHUTDOWN_FILE)), false, 'the marker is removed at open')
    assert.equal(log.logEndOffset, 120n)
    assert.equal(log.recoveryPoint, 120n)
    assert.deepEqual(log.segments.map((s) => s.baseOffset), bases)
    assert.deepEqual(Buffer.concat(log.read(0n, 1 << 20, true).records), Buffer.concat(stored))
    assert.deepEqual(readFileSync(join(dir, 'tt-0', seg(bases[0], 'index'))), idx)
    assert.deepEqual(lines.filter((l) => !l.startsWith('info')), [])
    assert.equal(log.append(makeBatch(2)).firstOffset, 120n)
    m.close()
  } finally {
    cleanup()
  }
})

test('a torn tail (half a batch appended by hand) is truncated at the last valid batch and reported', () => {
  const {dir, cleanup} = tempDir()
  try {
    const {stored, bases} = populate(dir)
    const active = join(dir, 'tt-0', seg(bases[bases.length - 1], 'log'))
    const before = statSync(active).size
    appendFileSync(active, stored[0].subarray(0, Math.floor(stored[0].length / 2)))
    rmSync(join(dir, CLEAN_SHUTDOWN_FILE))
    const {m, log, lines} = reopen(dir)
    assert.equal(m.openInfo.cleanShutdown, false)
    assert.equal(statSync(active).size, before)
    assert.equal(log.logEndOffset, 120n)
    const report = lines.find((l) => /truncat/i.test(l))
    assert.ok(report, lines.join('\n'))
    assert.match(report, /^warn: tt-0: /)
    assert.ok(report.includes(seg(bases[bases.length - 1], 'log')), 'names the segment file')
    assert.ok(report.includes(`byte position ${before}`), report)
    assert.ok(report.includes('offset 120'), report)
    assert.ok(report.includes(`removed ${Math.floor(stored[0].length / 2)} bytes`), report)
    assert.deepEqual(Buffer.concat(log.read(0n, 1 << 20, true).records), Buffer.concat(stored))
    assert.equal(log.append(makeBatch(1)).firstOffset, 120n, 'appends continue after the cut')
    m.close()
  } finally {
    cleanup()
  }
})

test('a torn tail is found even when the clean-shutdown marker claims otherwise', () => {
  const {dir, cleanup} = tempDir()
  try {
    const {bases} = populate(dir)
    const active = join(dir, 'tt-0', seg(bases[bases.length - 1], 'log'))
    const before = statSync(active).size
    appendFileSync(active, Buffer.alloc(30, 7))
    const {m, log, lines} = reopen(dir)
    assert.equal(m.openInfo.cleanShutdown, true)
    assert.equal(statSync(active).size, before)
    assert.equal(log.logEndOffset, 120n)
    assert.ok(lines.some((l) => /truncat.*removed 30 bytes/.test(l)), lines.join('\n'))
    m.close()
  } finally {
    cleanup()
  }
})

test('a flipped byte in the middle of the last batch fails its CRC: the batch is cut off', () => {
  const {dir, cleanup} = tempDir()
  try {
    const {stored, bases} = populate(dir)
    const active = join(dir, 'tt-0', seg(bases[bases.length - 1], 'log'))
    const bytes = readFileSync(active)
    const last = stored[stored.length - 1]
    const lastStart = bytes.length - last.length
    bytes[lastStart + Math.floor(last.length / 2)] ^= 0x40
    writeFileSync(active, bytes)
    rmSync(join(dir, CLEAN_SHUTDOWN_FILE))
    const {m, log, lines} = reopen(dir)
    assert.equal(statSync(active).size, lastStart)
    assert.equal(log.logEndOffset, 116n)
    const report = lines.find((l) => /truncat/i.test(l)) ?? ''
    assert.match(report, /CRC/)
    assert.ok(report.includes(`byte position ${lastStart} (offset 116)`), report)
    assert.ok(report.includes(`removed ${last.length} bytes`), report)
    assert.deepEqual(Buffer.concat(log.read(0n, 1 << 20, true).records), Buffer.concat(stored.slice(0, -1)))
    m.close()
  } finally {
    cleanup()
  }
})

test('corruption in an older segment truncates there and deletes the later segments, reporting each', () => {
  const {dir, cleanup} = tempDir()
  try {
    const {stored, bases} = populate(dir)
    const first = join(dir, 'tt-0', seg(bases[0], 'log'))
    const bytes = readFileSync(first)
    const pos = stored[0].length + stored[1].length + 70 // inside the third batch
    bytes[pos] ^= 0xff
    writeFileSync(first, bytes)
    rmSync(join(dir, CLEAN_SHUTDOWN_FILE))
    rmSync(join(dir, 'recovery-point-offset-checkpoint')) // recovery starts at offset 0
    const {m, log, lines} = reopen(dir)
    assert.equal(log.logEndOffset, 8n)
    assert.deepEqual(log.segments.map((s) => s.baseOffset), [bases[0]])
    for (const b of bases.slice(1)) {
      assert.equal(existsSync(join(dir, 'tt-0', seg(b, 'log'))), false)
      assert.ok(lines.some((l) => l.includes(`deleting segment ${seg(b, 'log')}`)), `reports deletion of ${b}`)
    }
    assert.ok(lines.some((l) => /truncating segment 0{20}\.log at byte position \d+ \(offset 8\)/.test(l)), lines.join('\n'))
    assert.equal(log.append(makeBatch(1)).firstOffset, 8n)
    m.close()
  } finally {
    cleanup()
  }
})

test('recovery starts at the recovery point: flushed segments are not re-scanned', () => {
  const {dir, cleanup} = tempDir()
  try {
    const {bases} = populate(dir)
    // Corrupt a batch in the first segment; with a recovery point past it, an unclean open does not look there.
    const first = join(dir, 'tt-0', seg(bases[0], 'log'))
    const bytes = readFileSync(first)
    bytes[100] ^= 0xff
    writeFileSync(first, bytes)
    rmSync(join(dir, CLEAN_SHUTDOWN_FILE))
    const {m, log, lines} = reopen(dir)
    assert.equal(log.logEndOffset, 120n)
    assert.equal(lines.some((l) => /truncat/i.test(l)), false, lines.join('\n'))
    assert.ok(lines.some((l) => l.includes(`recovering unflushed segment ${seg(bases[bases.length - 1], 'log')}`)))
    assert.equal(lines.some((l) => l.includes(`recovering unflushed segment ${seg(bases[0], 'log')}`)), false)
    m.close()
  } finally {
    cleanup()
  }
})

test('deleted index files are rebuilt byte for byte, also on a clean open', () => {
  const {dir, cleanup} = tempDir()
  try {
    const {bases} = populate(dir)
    const files = [seg(bases[0], 'index'), seg(bases[0], 'timeindex'), seg(bases[bases.length - 1], 'index'), seg(bases[bases.length - 1], 'timeindex')]
    const originals = files.map((f) => readFileSync(join(dir, 'tt-0', f)))
    assert.ok(originals[0].length >= 16, 'the first index has entries')
    for (const f of files) rmSync(join(dir, 'tt-0', f))
    const {m, log, lines} = reopen(dir)
    assert.ok(lines.some((l) => l.includes(`rebuilding indexes of segment ${seg(bases[0], 'log')}: index file missing`)), lines.join('\n'))
    files.forEach((f, i) => assert.deepEqual(readFileSync(join(dir, 'tt-0', f)), originals[i], f))
    for (let o = 0n; o < 120n; o++) assert.deepEqual(batchRanges(log.read(o, 1, true).records)[0], [o - (o % 4n), o - (o % 4n) + 3n])
    m.close()
  } finally {
    cleanup()
  }
})

test('an index whose last entry points outside the log fails the sanity check and is rebuilt', () => {
  const {dir, cleanup} = tempDir()
  try {
    const {bases} = populate(dir)
    const path = join(dir, 'tt-0', seg(bases[1], 'index'))
    const good = readFileSync(path)
    const bad = Buffer.concat([good, Buffer.from([0, 0, 0, 99, 0x7f, 0, 0, 0])])
    writeFileSync(path, bad)
    const {m, log, lines} = reopen(dir)
    assert.ok(lines.some((l) => /rebuilding indexes of segment .*outside/.test(l)), lines.join('\n'))
    assert.deepEqual(readFileSync(path), good)
    assert.equal(log.logEndOffset, 120n)
    m.close()
  } finally {
    cleanup()
  }
})

test('a crash (no close) is recovered from the page cache without loss', () => {
  const {dir, cleanup} = tempDir()
  try {
    const m1 = LogManager.open(dir, {scheduler: false})
    const log1 = m1.getOrCreateLog('tt', 0, config)
    for (let i = 0; i < 30; i++) log1.append(makeBatch(4, {valueSize: 150}))
    // Simulate kill -9: fds go away, no flush, no checkpoints, no marker.
    log1.close({flush: false})
    assert.equal(existsSync(join(dir, CLEAN_SHUTDOWN_FILE)), false)
    const {m, log, lines} = reopen(dir)
    assert.equal(m.openInfo.cleanShutdown, false)
    assert.equal(log.logEndOffset, 120n)
    assert.equal(lines.some((l) => /truncat/i.test(l)), false)
    assert.ok(lines.some((l) => /not shut down cleanly/.test(l)))
    m.close()
  } finally {
    cleanup()
  }
})
