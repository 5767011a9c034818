// Log compaction on a running broker: a compacted topic written and read back by kcat keeps only the last
// value per key, and __consumer_offsets shrinks under repeated commits while the committed offsets
// survive a restart. The cleaner pass is triggered directly instead of waiting for log.cleaner.backoff.ms.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {haveKcat} from '../helpers/broker-process.js'
import {ErrorCode} from '../../src/protocol/index.js'
import {encodeRecordBatch} from '../../src/records/index.js'
import {startTestBroker, RawClient, batchOf, produceBody, type TestBroker} from './core-harness.js'
import {verifySegmentFiles} from './compaction-helpers.js'
import {runKcat} from '../helpers/kcat.js'

const noKcat = haveKcat() ? false : 'kcat is not installed: librdkafka checks skipped'

const kcat = runKcat

test('kcat -P -K: into a compacted topic, cleaned, read back by kcat: the last value per key', {skip: noKcat}, async () => {
  let tb: TestBroker | undefined
  try {
    tb = await startTestBroker({'log.cleaner.backoff.ms': '3600000'})
    const bootstrap = tb.bootstrap
    await tb.broker.context.metadata.createTopic('compacted', 1, 1, {'cleanup.policy': 'compact', 'segment.bytes': '4096',
      'min.cleanable.dirty.ratio': '0.01'})
    const keys = 25
    const rounds = 12
    const lines: string[] = []
    for (let r = 0; r < rounds; r++) for (let k = 0; k < keys; k++) lines.push(`key${k}:value-${k}-${r}-${'x'.repeat(30)}`)
    // Small batches (linger 0) so the records spread over many segments.
    const p = await kcat(bootstrap, ['-P', '-t', 'compacted', '-p', '0', '-K:', '-X', 'linger.ms=0', '-X', 'batch.num.messages=10'], lines.join('\n') + '\n')
    assert.equal(p.code, 0, p.stderr)
    const log = tb.broker.context.logManager.getLog('compacted', 0)!
    log.roll()
    const segmentsBefore = log.segments.length
    assert.ok(segmentsBefore > 3, `${segmentsBefore} segments`)
    const stats = await tb.broker.context.logManager.runCleaner()
    const mine = stats.find((s) => s.topic === 'compacted')
    assert.ok(mine && !mine.aborted, JSON.stringify(stats, (_k, v) => (typeof v === 'bigint' ? String(v) : v)))
    assert.equal(mine.recordsKept, keys)

    const c = await kcat(bootstrap, ['-C', '-t', 'compacted', '-p', '0', '-o', 'beginning', '-e', '-f', '%o %k=%s\\n'])
    assert.equal(c.code, 0, c.stderr)
    const got = c.stdout.trim().split('\n')
    assert.equal(got.length, keys)
    const expected = Array.from({length: keys}, (_, k) => `${(rounds - 1) * keys + k} key${k}=value-${k}-${rounds - 1}-${'x'.repeat(30)}`)
    assert.deepEqual(got, expected)
    // The cleaned segments are whole, CRC-valid batches with consistent indexes.
    verifySegmentFiles(log.dir)
  } finally {
    await tb?.destroy()
  }
})

test('__consumer_offsets shrinks under repeated commits and the offsets survive a restart', async () => {
  let tb: TestBroker | undefined
  let client: RawClient | undefined
  try {
    const props = {'offsets.topic.num.partitions': '1', 'offsets.topic.segment.bytes': '4096', 'log.cleaner.backoff.ms': '3600000'}
    tb = await startTestBroker(props)
    for (const t of ['t0', 't1', 't2']) await tb.broker.context.metadata.createTopic(t, 1, 1, {})
    client = await RawClient.connect(tb.broker.port)
    const commits = 300
    const last = new Map<string, bigint>()
    for (let i = 0; i < commits; i++) {
      const topic = `t${i % 3}`
      const offset = BigInt(i * 10)
      const res: any = await client.request(8, 2, {groupId: 'g-compact', generationId: -1, memberId: '', retentionTimeMs: -1n,
        topics: [{name: topic, partitions: [{partitionIndex: 0, committedOffset: offset, committedMetadata: ''}]}]})
      assert.equal(res.topics[0].partitions[0].errorCode, 0)
      last.set(topic, offset)
    }
    client.close()
    client = undefined
    const log = tb.broker.context.logManager.getLog('__consumer_offsets', 0)!
    log.roll()
    const sizeBefore = log.size
    const stats = await tb.broker.context.logManager.runCleaner()
    assert.ok(stats.some((s) => s.topic === '__consumer_offsets' && !s.aborted))
    assert.ok(log.size < sizeBefore / 10, `__consumer_offsets ${sizeBefore} -> ${log.size} bytes`)
    verifySegmentFiles(log.dir)
    await tb.close()

    tb = await startTestBroker(props, tb.dataDir)
    client = await RawClient.connect(tb.broker.port)
    const res: any = await client.request(9, 1, {groupId: 'g-compact', topics: [...last.keys()].map((name) => ({name, partitionIndexes: [0]}))})
    const got = new Map<string, bigint>(res.topics.map((t: any) => [t.name, t.partitions[0].committedOffset]))
    assert.deepEqual(got, last)
  } finally {
    client?.close()
    await tb?.destroy()
  }
})

test('a compacted topic refuses records without a key (INVALID_RECORD) and keeps keyed ones', async () => {
  const tb = await startTestBroker({'log.cleaner.backoff.ms': '3600000'})
  const client = await RawClient.connect(tb.broker.port)
  try {
    await tb.broker.context.metadata.createTopic('keyed-only', 1, 1, {'cleanup.policy': 'compact'})
    const keyless = encodeRecordBatch({records: [{key: 'a', value: '1'}, {key: null, value: '2'}]})
    const bad = await client.request(0, 9, produceBody('keyed-only', 0, keyless))
    const p = bad.responses[0].partitionResponses[0]
    assert.equal(p.errorCode, ErrorCode.INVALID_RECORD)
    assert.match(p.errorMessage, /without key/)
    const good = await client.request(0, 9, produceBody('keyed-only', 0, batchOf(['x', 'y'])))
    assert.equal(good.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE)
    assert.equal(tb.broker.context.logManager.getLog('keyed-only', 0)!.logEndOffset, 2n, 'only the keyed batch was written')
  } finally {
    client.close()
    await tb.destroy()
  }
})
