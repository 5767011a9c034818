/**
 * samsa's producer against librdkafka's mock cluster (3 brokers, a broker nobody here wrote):
 * sync and async sends, keyed and keyless, every codec, headers and nulls, with idempotence (the
 * mock implements InitProducerId and sequence checks); everything is read back with kcat.
 * Skipped with a visible notice when the mock or kcat is missing.
 */
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {Producer, partitionForKey, type RecordMetadata} from '../../src/producer/index.js'
import {Cluster} from '../../src/client/index.js'
import {haveKcat} from '../helpers/broker-process.js'
import {startMockCluster, type MockCluster} from '../client/helpers.js'

let mock: MockCluster | undefined
let skip: string | false = false

before(async () => {
  if (!haveKcat()) {
    skip = 'SKIPPED: kcat not installed'
  } else {
    const started = await startMockCluster(3)
    if ('skip' in started) skip = `SKIPPED: ${started.skip}`
    else mock = started
  }
  if (skip) process.stderr.write(`\n*** producer mock-cluster tests ${skip} ***\n\n`)
})

after(async () => {
  await mock?.stop()
})

interface KcatRecord { partition: number; offset: number; key: string | null; payload: string | null; headers?: string[] }

/** Reads a whole topic with kcat's JSON envelope. */
function readWithKcat(topic: string, expected: number): KcatRecord[] {
  const res = spawnSync('kcat', ['-C', '-b', mock!.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-J', '-q'], {encoding: 'utf8', timeout: 30_000})
  assert.equal(res.status, 0, `kcat failed: ${res.stderr}`)
  const records = res.stdout.split('\n').filter((l) => l.trim().length > 0).map((l) => JSON.parse(l) as KcatRecord)
  assert.equal(records.length, expected, `kcat read ${records.length} of ${expected} records`)
  return records
}

/** The mock has no CreateTopics: it creates a topic when Metadata names it. Returns its partition count. */
async function createTopic(name: string): Promise<number> {
  const cluster = new Cluster({bootstrap: mock!.bootstrap})
  try {
    const t = await cluster.topic(name)
    assert.ok(t.partitions.length >= 2, 'the mock creates topics with several partitions')
    return t.partitions.length
  } finally {
    await cluster.close()
  }
}

for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
  test(`sync and async, keyed and keyless records with ${codec} are read back by kcat`, async (t) => {
    if (skip) return t.skip(skip)
    const topic = `p-${codec}`
    const partitions = await createTopic(topic)
    const producer = new Producer({bootstrap: mock!.bootstrap, compressionType: codec, lingerMs: 2})
    try {
      await producer.connect()
      assert.equal(producer.idempotent, true, 'the mock grants a producer id')
      const sent = new Map<string, {value: string | null; md: RecordMetadata}>()
      // Sync: one at a time.
      for (let i = 0; i < 20; i++) {
        const md = await producer.send({topic, key: `sync-${i}`, value: `sync value ${i} `.repeat(3), headers: [{key: 'h', value: `v${i}`}]})
        assert.equal(md.partition, partitionForKey(Buffer.from(`sync-${i}`), partitions), 'keyed records follow murmur2')
        sent.set(`sync-${i}`, {value: `sync value ${i} `.repeat(3), md})
      }
      // Async: many in flight, keyless ones included (tracked by value), and a null value.
      const pending: Array<Promise<void>> = []
      for (let i = 0; i < 500; i++) {
        const key = i % 2 === 0 ? `async-${i}` : null
        const value = i === 7 ? null : `async value ${i} with some repeated text for the codecs`
        pending.push(producer.send({topic, key, value}).then((md) => void sent.set(key ?? `nokey-${i}`, {value, md})))
      }
      await producer.flush()
      await Promise.all(pending)
      const records = readWithKcat(topic, sent.size)
      const byOffset = new Map(records.map((r) => [`${r.partition}@${r.offset}`, r]))
      for (const [key, {value, md}] of sent) {
        const r = byOffset.get(`${md.partition}@${md.offset}`)
        assert.ok(r, `record ${key} at ${md.partition}@${md.offset} was read back`)
        assert.equal(r.payload, value)
        assert.equal(r.key, key.startsWith('nokey-') ? null : key)
        if (key.startsWith('sync-')) assert.deepEqual(r.headers, ['h', `v${key.slice(5)}`])
      }
      const m = producer.metrics()
      assert.equal(m.recordsSent, sent.size)
      assert.equal(m.recordsFailed, 0)
    } finally {
      await producer.close()
    }
  })
}

test('acks=0 and acks=1 deliver without idempotence; acks=0 reports offset -1', async (t) => {
  if (skip) return t.skip(skip)
  const topic = 'p-acks'
  await createTopic(topic)
  for (const acks of [0, 1] as const) {
    const producer = new Producer({bootstrap: mock!.bootstrap, acks})
    try {
      const mds = await Promise.all(Array.from({length: 100}, (_, i) => producer.send({topic, partition: 1, value: `acks${acks}-${i}`})))
      assert.equal(producer.idempotent, false)
      for (const md of mds) {
        assert.equal(md.partition, 1)
        if (acks === 0) assert.equal(md.offset, -1n)
        else assert.ok(md.offset >= 0n)
      }
    } finally {
      await producer.close()
    }
  }
  const records = readWithKcat(topic, 200)
  assert.ok(records.every((r) => r.partition === 1))
  const values = records.map((r) => r.payload)
  // Within one partition and one producer, order is kept.
  assert.deepEqual(values.filter((v) => v!.startsWith('acks1')), Array.from({length: 100}, (_, i) => `acks1-${i}`))
})
