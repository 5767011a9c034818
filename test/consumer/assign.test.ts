// Assign mode against samsa's broker (in-process): samsa's consumer reads back exactly what kcat
// wrote (keys, values, null values, headers) with every codec; seek by offset, timestamp, end;
// positions start at the committed offset when group.id is set; auto.offset.reset and
// max.poll.records, pause/resume and endOffsets behave as Kafka's consumer.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {Connection} from '../../src/client/index.js'
import {Consumer, type ConsumerRecord} from '../../src/consumer/index.js'
import {encodeRecordBatch} from '../../src/records/index.js'
import {useTestBroker, type TestBroker} from '../broker/core-harness.js'
import {haveKcat} from '../helpers/broker-process.js'
import {createTopic, kcat, pollCount, show} from './helpers.js'

const skipKcat = haveKcat() ? false : 'kcat is not installed (apt-get install -y kcat): interop test skipped'
let tb: TestBroker
let bootstrap: string

useTestBroker((started) => {
  tb = started
  bootstrap = tb.bootstrap
}, {'num.partitions': '1', 'group.initial.rebalance.delay.ms': '0'})

/** Produces one batch with explicit timestamps through a raw Produce request. */
async function produce(topic: string, partition: number, records: Array<{value: string; timestamp: bigint}>): Promise<void> {
  const conn = await Connection.connect({host: '127.0.0.1', port: tb.broker.port})
  try {
    const res = await conn.send<any>(0, {transactionalId: null, acks: -1, timeoutMs: 5000,
      topicData: [{name: topic, partitionData: [{index: partition, records: encodeRecordBatch({records})}]}]})
    assert.equal(res.responses[0].partitionResponses[0].errorCode, 0)
  } finally {
    conn.close()
  }
}

for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
  test(`reads back what kcat wrote with codec ${codec}: keys, values, nulls, headers, per-partition order`, {skip: skipKcat, timeout: 60_000}, async () => {
    const topic = `assign-${codec}`
    await createTopic(bootstrap, topic, 3)
    const lines: string[] = []
    for (let i = 0; i < 300; i++) lines.push(i % 50 === 7 ? `key-${i}|` : `key-${i}|value-${i}-${'x'.repeat(i % 13)}`)
    // -Z: an empty value is produced as NULL.
    await kcat(bootstrap, ['-P', '-t', topic, '-K', '|', '-Z', '-z', codec, '-H', 'src=kcat', '-H', `codec=${codec}`, '-X', 'linger.ms=20'], lines.join('\n') + '\n')
    const consumer = new Consumer({bootstrap, autoOffsetReset: 'earliest'})
    try {
      consumer.assign([0, 1, 2].map((partition) => ({topic, partition})))
      const got = await pollCount(consumer, 300)
      assert.equal(got.length, 300)
      const byKey = new Map(got.map((r) => [r.key!.toString(), r]))
      for (let i = 0; i < 300; i++) {
        const r = byKey.get(`key-${i}`)!
        assert.ok(r, `key-${i} read back`)
        if (i % 50 === 7) assert.equal(r.value, null, 'empty value produced with -Z is null')
        else assert.equal(r.value!.toString(), `value-${i}-${'x'.repeat(i % 13)}`)
        assert.deepEqual(r.headers.map((h) => `${h.key}=${h.value}`), ['src=kcat', `codec=${codec}`])
        assert.equal(r.timestampType, 'CreateTime')
      }
      // Offsets per partition are 0..n-1 in order, and match kcat's own view of the topic.
      const kcatView = (await kcat(bootstrap, ['-C', '-t', topic, '-e', '-o', 'beginning', '-f', '%p:%o %k\n'])).trim().split('\n').sort()
      assert.deepEqual(got.map((r) => `${r.partition}:${r.offset} ${r.key}`).sort(), kcatView)
      for (const p of [0, 1, 2]) {
        const offsets = got.filter((r) => r.partition === p).map((r) => Number(r.offset))
        assert.deepEqual(offsets, offsets.map((_, i) => i))
        assert.equal(consumer.position({topic, partition: p}), BigInt(offsets.length))
      }
      const ends = await consumer.endOffsets(consumer.assignment())
      assert.equal([...ends.values()].reduce((a, b) => a + b, 0n), 300n)
      assert.equal(consumer.metrics().recordsConsumed, 300)
      assert.ok(consumer.metrics().fetchRequests >= 1)
    } finally {
      await consumer.close()
    }
  })
}

test('partitionsFor lists a topic\'s partitions with leader and replicas, and [] for a missing topic', {timeout: 30_000}, async () => {
  await createTopic(bootstrap, 'partitions-for', 3)
  const consumer = new Consumer({bootstrap})
  try {
    const infos = await consumer.partitionsFor('partitions-for')
    const id = 0 // the test broker's node id
    assert.deepEqual(infos, [0, 1, 2].map((partition) => ({
      topic: 'partitions-for', partition, leader: id, replicas: [id], inSyncReplicas: [id], offlineReplicas: [],
    })))
    assert.deepEqual(await consumer.partitionsFor('no-such-topic'), [])
  } finally {
    await consumer.close()
  }
})

test('seek to an offset, a timestamp, the end and the beginning', {timeout: 30_000}, async () => {
  const topic = 'seeks'
  await createTopic(bootstrap, topic, 1)
  await produce(topic, 0, Array.from({length: 10}, (_, i) => ({value: `early-${i}`, timestamp: 1_000_000n + BigInt(i)})))
  await produce(topic, 0, Array.from({length: 10}, (_, i) => ({value: `late-${i}`, timestamp: 2_000_000n + BigInt(i)})))
  const tp = {topic, partition: 0}
  const consumer = new Consumer({bootstrap, autoOffsetReset: 'latest', maxPollRecords: 3})
  try {
    consumer.assign([tp])
    assert.deepEqual(await consumer.poll(300), [], 'latest: nothing old is returned')
    assert.equal(consumer.position(tp), 20n)

    await consumer.seek(tp, 7n)
    let got = await consumer.poll(5000)
    assert.deepEqual(got.map((r) => r.value!.toString()), ['early-7', 'early-8', 'early-9'], 'max.poll.records = 3')
    assert.equal(got[0].timestamp, 1_000_007n)

    await consumer.seek(tp, {timestamp: 2_000_005})
    got = await consumer.poll(5000)
    assert.equal(got[0].value!.toString(), 'late-5')
    assert.equal(got[0].offset, 15n)

    await consumer.seek(tp, {timestamp: 9_000_000})
    assert.equal(consumer.position(tp), 20n, 'a timestamp after every record seeks to the end')

    await consumer.seek(tp, 'beginning')
    got = await consumer.poll(5000)
    assert.equal(got[0].offset, 0n)
    await consumer.seek(tp, 'end')
    assert.equal(consumer.position(tp), 20n)
    assert.deepEqual(await consumer.poll(200), [])
    await produce(topic, 0, [{value: 'new', timestamp: 3_000_000n}])
    got = await consumer.poll(5000)
    assert.deepEqual(got.map(show), ['0:20 null=new '])

    assert.deepEqual([...await consumer.beginningOffsets([tp])], [['seeks-0', 0n]])
    assert.deepEqual([...await consumer.endOffsets([tp])], [['seeks-0', 21n]])
  } finally {
    await consumer.close()
  }
})

test('assign with group.id: positions start at the committed offset; reset none fails; out of range resets', {timeout: 30_000}, async () => {
  const topic = 'committed-assign'
  await createTopic(bootstrap, topic, 2)
  for (const p of [0, 1]) await produce(topic, p, Array.from({length: 10}, (_, i) => ({value: `p${p}-${i}`, timestamp: BigInt(Date.now())})))
  const tps = [{topic, partition: 0}, {topic, partition: 1}]
  const first = new Consumer({bootstrap, groupId: 'assign-group', autoOffsetReset: 'earliest', enableAutoCommit: false})
  try {
    first.assign(tps)
    await pollCount(first, 20)
    await first.commitSync(new Map([['committed-assign-0', 4n], ['committed-assign-1', 8n]]))
    assert.deepEqual([...await first.committed(tps)], [['committed-assign-0', 4n], ['committed-assign-1', 8n]])
  } finally {
    await first.close()
  }
  const second = new Consumer({bootstrap, groupId: 'assign-group', autoOffsetReset: 'none'})
  try {
    second.assign(tps)
    const got = await pollCount(second, 8)
    assert.deepEqual(got.map((r) => r.value!.toString()).sort(), ['p0-4', 'p0-5', 'p0-6', 'p0-7', 'p0-8', 'p0-9', 'p1-8', 'p1-9'])
    // Beyond the log end with reset none: OFFSET_OUT_OF_RANGE.
    await second.seek(tps[0], 100n)
    await assert.rejects(pollUntilError(second), (err: any) => err.code === 1 && /committed-assign-0/.test(err.message))
  } finally {
    await second.close()
  }
  const none = new Consumer({bootstrap, groupId: 'no-such-commits', autoOffsetReset: 'none'})
  try {
    none.assign(tps)
    await assert.rejects(none.poll(2000), (err: any) => err.code === 1 && /no committed offset/.test(err.message))
  } finally {
    await none.close()
  }
  const resetting = new Consumer({bootstrap, autoOffsetReset: 'earliest'})
  try {
    resetting.assign([tps[1]])
    await resetting.seek(tps[1], 500n)
    const got = await pollCount(resetting, 10)
    assert.equal(got[0].offset, 0n, 'out of range with reset earliest starts over at the log start')
  } finally {
    await resetting.close()
  }
})

test('pause stops a partition, resume continues it; poll waits for new data up to its timeout', {timeout: 30_000}, async () => {
  const topic = 'pausing'
  await createTopic(bootstrap, topic, 2)
  for (const p of [0, 1]) await produce(topic, p, Array.from({length: 5}, (_, i) => ({value: `p${p}-${i}`, timestamp: BigInt(Date.now())})))
  const consumer = new Consumer({bootstrap, autoOffsetReset: 'earliest', fetchMaxWaitMs: 100})
  try {
    const tps = [{topic, partition: 0}, {topic, partition: 1}]
    consumer.assign(tps)
    consumer.pause([tps[0]])
    const got: ConsumerRecord[] = await pollCount(consumer, 5)
    assert.ok(got.every((r) => r.partition === 1))
    assert.deepEqual(await consumer.poll(300), [])
    consumer.resume([tps[0]])
    const rest = await pollCount(consumer, 5)
    assert.ok(rest.every((r) => r.partition === 0))
    const started = Date.now()
    const waiting = consumer.poll(10_000)
    setTimeout(() => void produce(topic, 1, [{value: 'wakes', timestamp: 1n}]), 200)
    const woke = await waiting
    assert.equal(woke[0].value!.toString(), 'wakes')
    assert.ok(Date.now() - started < 5000, 'poll returned once data arrived')
  } finally {
    await consumer.close()
  }
})

async function pollUntilError(c: Consumer): Promise<void> {
  for (let i = 0; i < 20; i++) await c.poll(250)
}
