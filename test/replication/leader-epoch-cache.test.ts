// LeaderEpochFileCache: Kafka's file format, endOffsetFor rules, truncation, and rebuild from the log.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, existsSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {LeaderEpochFileCache, LEADER_EPOCH_CHECKPOINT} from '../../src/storage/leader-epoch-cache.js'
import {Log, logConfigFromProps} from '../../src/storage/index.js'
import {batchOf} from '../broker/core-harness.js'

test('endOffsetFor follows Kafka: latest -> LEO, older -> next epoch start, unknown/newer -> undefined', () => {
  const c = LeaderEpochFileCache.load(null, () => [{epoch: 1, startOffset: 0n}, {epoch: 3, startOffset: 10n}, {epoch: 5, startOffset: 20n}])
  assert.deepEqual(c.endOffsetFor(5, 25n), {epoch: 5, endOffset: 25n})
  assert.deepEqual(c.endOffsetFor(3, 25n), {epoch: 3, endOffset: 20n})
  assert.deepEqual(c.endOffsetFor(4, 25n), {epoch: 3, endOffset: 20n}, 'a gap epoch answers with the floor epoch')
  assert.deepEqual(c.endOffsetFor(0, 25n), {epoch: 0, endOffset: 0n}, 'older than all: the first start offset')
  assert.deepEqual(c.endOffsetFor(6, 25n), {epoch: -1, endOffset: -1n})
  assert.deepEqual(c.endOffsetFor(-1, 25n), {epoch: -1, endOffset: -1n})
  assert.deepEqual(LeaderEpochFileCache.load(null, () => []).endOffsetFor(0, 5n), {epoch: -1, endOffset: -1n})
})

test('assign ignores older epochs; truncation from end and start; the file is Kafka\'s text format', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-lec-'))
  try {
    const c = LeaderEpochFileCache.load(dir, () => [])
    assert.equal(existsSync(join(dir, LEADER_EPOCH_CHECKPOINT)), false, 'no epochs, no file')
    assert.equal(c.assign(0, 0n), true)
    assert.equal(c.assign(0, 5n), false)
    assert.equal(c.assign(2, 7n), true)
    assert.equal(c.assign(1, 9n), false, 'an older epoch after a newer one is ignored')
    assert.equal(c.assign(4, 12n), true)
    assert.equal(readFileSync(join(dir, LEADER_EPOCH_CHECKPOINT), 'utf8'), '0\n3\n0 0\n2 7\n4 12\n')
    c.truncateFromEnd(12n)
    assert.deepEqual(c.epochEntries, [{epoch: 0, startOffset: 0n}, {epoch: 2, startOffset: 7n}])
    c.truncateFromStart(8n)
    assert.deepEqual(c.epochEntries, [{epoch: 2, startOffset: 8n}])
    const reloaded = LeaderEpochFileCache.load(dir, () => { throw new Error('must not rebuild') })
    assert.deepEqual(reloaded.epochEntries, [{epoch: 2, startOffset: 8n}])
    assert.equal(reloaded.latestEpoch, 2)
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})

test('a log rebuilds a missing leader-epoch-checkpoint from its batches and truncates it with the log', () => {
  const root = mkdtempSync(join(tmpdir(), 'samsa-lec-log-'))
  const dir = join(root, 't-0')
  try {
    const config = logConfigFromProps({})
    let log = Log.open(dir, config)
    log.append(batchOf(['a', 'b']), {leaderEpoch: 0})
    log.append(batchOf(['c']), {leaderEpoch: 2})
    log.append(batchOf(['d']), {leaderEpoch: 2})
    log.append(batchOf(['e']), {leaderEpoch: 3})
    assert.deepEqual(log.leaderEpochCache.epochEntries, [{epoch: 0, startOffset: 0n}, {epoch: 2, startOffset: 2n}, {epoch: 3, startOffset: 4n}])
    log.close()
    rmSync(join(dir, LEADER_EPOCH_CHECKPOINT))
    log = Log.open(dir, config, {cleanShutdown: true})
    assert.deepEqual(log.leaderEpochCache.epochEntries, [{epoch: 0, startOffset: 0n}, {epoch: 2, startOffset: 2n}, {epoch: 3, startOffset: 4n}])
    assert.ok(existsSync(join(dir, LEADER_EPOCH_CHECKPOINT)))
    log.truncateTo(3n)
    assert.deepEqual(log.leaderEpochCache.epochEntries, [{epoch: 0, startOffset: 0n}, {epoch: 2, startOffset: 2n}])
    assert.equal(readFileSync(join(dir, LEADER_EPOCH_CHECKPOINT), 'utf8'), '0\n2\n0 0\n2 2\n')
    log.truncateFullyAndStartAt(10n)
    assert.equal(log.logEndOffset, 10n)
    assert.equal(log.logStartOffset, 10n)
    assert.deepEqual(log.leaderEpochCache.epochEntries, [])
    log.close()
  } finally {
    rmSync(root, {recursive: true, force: true})
  }
})
