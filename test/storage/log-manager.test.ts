// LogManager: discovery, checkpoint files in Kafka's format, the clean-shutdown marker, deleteLog, flush policy.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {LogManager, CLEAN_SHUTDOWN_FILE} from '../../src/storage/log-manager.js'
import {FakeClock, captureLogger, makeBatch, tempDir, testConfig} from './helpers.js'

test('checkpoints are written in Kafka text format and logs are rediscovered at open', () => {
  const {dir, cleanup} = tempDir()
  try {
    const m = LogManager.open(dir, {scheduler: false})
    const a = m.getOrCreateLog('my-topic', 12, testConfig())
    const b = m.getOrCreateLog('b.x_y', 0, testConfig({segmentBytes: 1000}))
    for (let i = 0; i < 5; i++) a.append(makeBatch(2))
    for (let i = 0; i < 10; i++) b.append(makeBatch(3))
    b.deleteRecordsBefore(4n)
    assert.equal(readFileSync(join(dir, 'log-start-offset-checkpoint'), 'utf8'), '0\n1\nb.x_y 0 4\n', 'written when DeleteRecords moves the start')
    m.close()
    assert.equal(readFileSync(join(dir, 'recovery-point-offset-checkpoint'), 'utf8'), '0\n2\nmy-topic 12 10\nb.x_y 0 30\n')
    assert.equal(readFileSync(join(dir, 'log-start-offset-checkpoint'), 'utf8'), '0\n1\nb.x_y 0 4\n')
    assert.equal(readFileSync(join(dir, CLEAN_SHUTDOWN_FILE)).length, 0)
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temp files left')

    // A dir of the metadata log and stray files are not loaded as partition logs.
    mkdirSync(join(dir, '__cluster_metadata-0'))
    writeFileSync(join(dir, 'meta.properties'), 'node.id=1\n')
    const m2 = LogManager.open(dir, {scheduler: false})
    assert.deepEqual(m2.allLogs().map((l) => `${l.topic}/${l.partition}`).sort(), ['b.x_y/0', 'my-topic/12'])
    assert.equal(m2.getLog('b.x_y', 0)!.logStartOffset, 4n)
    assert.equal(m2.getLog('b.x_y', 0)!.logEndOffset, 30n)
    assert.equal(m2.getLog('my-topic', 12)!.logEndOffset, 10n)
    assert.equal(m2.getLog('nope', 0), undefined)
    assert.equal(m2.getOrCreateLog('my-topic', 12), m2.getLog('my-topic', 12))
    m2.close()
  } finally {
    cleanup()
  }
})

test('deleteLog renames to <topic>-<partition>.<uuid>-delete at once and removes it in the background', async () => {
  const {dir, cleanup} = tempDir()
  try {
    const m = LogManager.open(dir, {scheduler: false})
    const log = m.getOrCreateLog('gone', 1, testConfig())
    log.append(makeBatch(3))
    m.getOrCreateLog('kept', 0, testConfig()).append(makeBatch(1))
    const deleted: unknown[] = []
    m.on('logDeleted', (t, p) => deleted.push([t, p]))
    const done = m.deleteLog('gone', 1)
    const renamed = readdirSync(dir).filter((f) => f.startsWith('gone-1'))
    assert.equal(renamed.length <= 1, true)
    if (renamed.length === 1) assert.match(renamed[0], /^gone-1\.[0-9a-f]{32}-delete$/)
    assert.equal(existsSync(join(dir, 'gone-1')), false)
    assert.equal(m.getLog('gone', 1), undefined)
    assert.equal(readFileSync(join(dir, 'recovery-point-offset-checkpoint'), 'utf8'), '0\n1\nkept 0 0\n')
    await done
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('gone')), [])
    assert.deepEqual(deleted, [['gone', 1]])
    // Leftover -delete dirs from a crash are removed at open, never loaded.
    mkdirSync(join(dir, 'old-0.0123456789abcdef0123456789abcdef-delete'))
    m.close()
    const m2 = LogManager.open(dir, {scheduler: false})
    assert.deepEqual(m2.allLogs().map((l) => l.topic), ['kept'])
    await m2.drain()
    assert.equal(existsSync(join(dir, 'old-0.0123456789abcdef0123456789abcdef-delete')), false)
    m2.close()
  } finally {
    cleanup()
  }
})

test('flush.messages and flush.ms fsync and move the recovery point; by default nothing is flushed', () => {
  const {dir, cleanup} = tempDir()
  try {
    const clock = new FakeClock()
    const m = LogManager.open(dir, {scheduler: false, clock: clock.now})
    const byCount = m.getOrCreateLog('count', 0, testConfig({flushMessages: 10}))
    const byTime = m.getOrCreateLog('time', 0, testConfig({flushMs: 1000}))
    const never = m.getOrCreateLog('never', 0, testConfig())
    for (let i = 0; i < 4; i++) for (const l of [byCount, byTime, never]) l.append(makeBatch(3))
    assert.equal(byCount.recoveryPoint, 12n, 'flushed when 10 unflushed records were reached (at 12)')
    assert.equal(byTime.recoveryPoint, 0n)
    clock.advance(999)
    m.flushDueLogs()
    assert.equal(byTime.recoveryPoint, 0n)
    clock.advance(1)
    m.flushDueLogs()
    assert.equal(byTime.recoveryPoint, 12n)
    assert.equal(never.recoveryPoint, 0n)
    m.close()
    assert.match(readFileSync(join(dir, 'recovery-point-offset-checkpoint'), 'utf8'), /never 0 12/, 'close flushes everything')
  } finally {
    cleanup()
  }
})

test('a rolled segment is fsynced in the background and then the recovery point moves past it', async () => {
  const {dir, cleanup} = tempDir()
  try {
    const m = LogManager.open(dir, {scheduler: false})
    const log = m.getOrCreateLog('roll', 0, testConfig({segmentBytes: 2000}))
    for (let i = 0; i < 10; i++) log.append(makeBatch(3, {valueSize: 200}))
    const bases = log.segments.map((s) => s.baseOffset)
    assert.ok(bases.length >= 3)
    for (let i = 0; i < 200 && log.recoveryPoint < bases[bases.length - 1]; i++) await new Promise((r) => setTimeout(r, 10))
    assert.equal(log.recoveryPoint, bases[bases.length - 1])
    m.close()
  } finally {
    cleanup()
  }
})

test('retention runs over every log; a corrupt checkpoint file is ignored with a warning', () => {
  const {dir, cleanup} = tempDir()
  try {
    const m = LogManager.open(dir, {scheduler: false})
    const log = m.getOrCreateLog('r', 0, testConfig({segmentBytes: 1000, retentionMs: 1000}))
    for (let i = 0; i < 10; i++) log.append(makeBatch(3, {valueSize: 200, ts: 5000n}))
    const n = log.segments.length
    assert.equal(m.applyRetention(6002), 0)
    assert.equal(m.applyRetention(6003), n)
    assert.equal(log.logStartOffset, 30n)
    m.close()
    writeFileSync(join(dir, 'recovery-point-offset-checkpoint'), 'garbage\n')
    const {logger, lines} = captureLogger()
    const m2 = LogManager.open(dir, {scheduler: false, logger})
    assert.ok(lines.some((l) => /ignoring unreadable recovery-point-offset-checkpoint/.test(l)))
    assert.equal(m2.getLog('r', 0)!.logStartOffset, 30n)
    assert.equal(m2.getLog('r', 0)!.logEndOffset, 30n)
    m2.close()
  } finally {
    cleanup()
  }
})
