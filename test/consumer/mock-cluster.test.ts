// samsa's consumer against librdkafka's own mock cluster (3 brokers, so partitions have different
// leaders and fetches go to several brokers at once): reads back what kcat wrote in assign mode and
// in group mode, and commits offsets the mock's coordinator hands back.
import {test, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {Consumer} from '../../src/consumer/index.js'
import {haveKcat} from '../helpers/broker-process.js'
import {startMockCluster, type MockCluster} from '../client/helpers.js'
import {kcat, pollCount} from './helpers.js'

let mock: MockCluster | undefined
let skip: string | false = haveKcat() ? false : 'kcat is not installed: mock-cluster consumer test skipped'

before(async () => {
  if (skip) return
  const started = await startMockCluster(3)
  if ('skip' in started) skip = started.skip
  else mock = started
})
after(async () => {
  await mock?.stop()
})

const lines = Array.from({length: 200}, (_, i) => `key-${i}|value-${i}`)

test('assign mode reads back what kcat wrote to the mock cluster', {timeout: 60_000}, async (t) => {
  if (skip || !mock) return t.skip(skip || 'no mock cluster')
  await kcat(mock.bootstrap, ['-P', '-t', 'mock-assign', '-K', '|', '-z', 'lz4', '-H', 'via=kcat'], lines.join('\n') + '\n')
  const consumer = new Consumer({bootstrap: mock.bootstrap, autoOffsetReset: 'earliest'})
  try {
    // The mock creates topics with 4 partitions on first produce, spread over its 3 brokers.
    const infos = await consumer.partitionsFor('mock-assign')
    assert.deepEqual(infos.map((p) => p.partition), [0, 1, 2, 3])
    assert.ok(infos.every((p) => p.topic === 'mock-assign' && p.leader >= 1 && p.replicas.includes(p.leader)))
    assert.ok(new Set(infos.map((p) => p.leader)).size > 1, 'partitions have different leaders')
    consumer.assign(infos.map(({topic, partition}) => ({topic, partition})))
    const got = await pollCount(consumer, 200)
    assert.deepEqual(got.map((r) => `${r.key}|${r.value}`).sort(), [...lines].sort())
    assert.ok(got.every((r) => r.headers.length === 1 && r.headers[0].key === 'via' && r.headers[0].value!.toString() === 'kcat'))
    const ends = await consumer.endOffsets(consumer.assignment())
    assert.equal([...ends.values()].reduce((a, b) => a + b, 0n), 200n)
  } finally {
    await consumer.close()
  }
})

test('group mode reads everything kcat wrote and commits to the mock coordinator', {timeout: 60_000}, async (t) => {
  if (skip || !mock) return t.skip(skip || 'no mock cluster')
  await kcat(mock.bootstrap, ['-P', '-t', 'mock-group', '-K', '|', '-z', 'zstd'], lines.join('\n') + '\n')
  const consumer = new Consumer({bootstrap: mock.bootstrap, groupId: 'mock-g', autoOffsetReset: 'earliest', enableAutoCommit: false})
  try {
    consumer.subscribe(['mock-group'])
    const got = await pollCount(consumer, 200, 40_000)
    assert.deepEqual(got.map((r) => `${r.key}|${r.value}`).sort(), [...lines].sort())
    assert.equal(consumer.assignment().length, 4)
    await consumer.commitSync()
    const committed = await consumer.committed(consumer.assignment())
    const ends = await consumer.endOffsets(consumer.assignment())
    assert.deepEqual([...committed].sort(), [...ends].sort())
  } finally {
    await consumer.close()
  }
})
