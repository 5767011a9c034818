/**
 * samsa's producer against samsa's broker (in-process): a million records async arrive exactly
 * once and in order per partition; keyed records land where kafkajs puts them; LogAppendTime comes
 * back in the results; an oversized record fails alone; buffer.memory full behind a slow broker
 * blocks and then fails with the max.block.ms error.
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import {AdminClient} from '../../src/client/index.js'
import {
  BufferExhaustedError, Producer, RecordTooLargeError, partitionForKey, type RecordMetadata,
} from '../../src/producer/index.js'
import {startTestBroker, useTestBroker, type TestBroker} from '../broker/core-harness.js'
import {readPartition, startSlowProxy} from './helpers.js'

const {Kafka, logLevel, Partitioners} = kafkajs
let tb: TestBroker
let bootstrap: string
useTestBroker((started) => {
  tb = started
  bootstrap = tb.bootstrap
})

async function createTopic(name: string, numPartitions: number, configs: Record<string, string> = {}): Promise<void> {
  const admin = new AdminClient({bootstrap})
  try {
    await admin.createTopics([{name, numPartitions, replicationFactor: 1, configs}])
  } finally {
    await admin.close()
  }
}

test('1,000,000 records sent async arrive exactly once and in order per partition', async () => {
  const topic = 'million'
  const partitions = 4
  const total = 1_000_000
  await createTopic(topic, partitions)
  const producer = new Producer({bootstrap, batchSize: 65536, lingerMs: 5})
  let acked = 0
  let firstError: Error | null = null
  const cb = (err: Error | null) => {
    if (err) firstError ??= err
    else acked++
  }
  try {
    await producer.connect()
    assert.equal(producer.idempotent, true, 'samsa\'s broker grants a producer id')
    let blocked = 0
    for (let i = 0; i < total; i++) {
      // Keys spread records over the partitions; the value carries the send order.
      if (!producer.sendWithCallback({topic, key: `k${i % 1000}`, value: String(i)}, cb)) {
        blocked++
        await producer.waitForCapacity()
      }
    }
    await producer.flush()
    assert.equal(firstError, null)
    assert.equal(acked, total)
    assert.ok(blocked > 0, 'the sender loop was held back by buffer.memory at least once')
  } finally {
    await producer.close()
  }
  const seen = new Uint8Array(total)
  let count = 0
  for (let p = 0; p < partitions; p++) {
    const records = await readPartition(bootstrap, topic, p)
    let last = -1
    for (const r of records) {
      const i = Number(r.value!.toString())
      assert.ok(i > last, `partition ${p}: record ${i} after ${last} (order kept)`)
      last = i
      assert.equal(seen[i], 0, `record ${i} written once`)
      seen[i] = 1
      assert.equal(partitionForKey(r.key!, partitions), p)
      count++
    }
  }
  assert.equal(count, total, 'every record is there')
})

test('keyed records land on the same partitions as kafkajs puts them', async () => {
  const partitions = 7
  await createTopic('by-kafkajs', partitions)
  await createTopic('by-samsa', partitions)
  const keys = [
    ...Array.from({length: 200}, (_, i) => `key-${i}`),
    'ü-ñ-ключ', '', 'a', 'ab', 'abc', 'abcd', 'x'.repeat(1000),
  ]
  const kafka = new Kafka({clientId: 'producer-test', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: {retries: 3}})
  const kp = kafka.producer({createPartitioner: Partitioners.DefaultPartitioner})
  await kp.connect()
  try {
    await kp.send({topic: 'by-kafkajs', messages: keys.map((key) => ({key, value: key}))})
  } finally {
    await kp.disconnect()
  }
  const producer = new Producer({bootstrap})
  try {
    await Promise.all(keys.map((key) => producer.send({topic: 'by-samsa', key, value: key})))
  } finally {
    await producer.close()
  }
  const where = async (topic: string) => {
    const m = new Map<string, number>()
    for (let p = 0; p < partitions; p++) for (const r of await readPartition(bootstrap, topic, p)) m.set(r.value!.toString(), p)
    return m
  }
  const theirs = await where('by-kafkajs')
  const ours = await where('by-samsa')
  assert.equal(theirs.size, keys.length)
  assert.equal(new Set(theirs.values()).size, partitions, 'keys spread over every partition')
  assert.deepEqual(ours, theirs)
})

test('a record larger than max.request.size fails alone with a clear error; the rest succeed', async () => {
  const topic = 'too-large'
  await createTopic(topic, 1)
  const producer = new Producer({bootstrap, maxRequestSize: 20_000})
  try {
    const results = await Promise.allSettled(Array.from({length: 30}, (_, i) =>
      producer.send({topic, value: i === 10 ? Buffer.alloc(50_000, 1) : `small-${i}`})))
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [[i, r.reason as Error] as const] : []))
    assert.equal(failed.length, 1)
    const [index, err] = failed[0]
    assert.equal(index, 10)
    assert.ok(err instanceof RecordTooLargeError)
    assert.equal(err.name, 'RECORD_TOO_LARGE')
    assert.match(err.message, /is 500\d\d bytes when serialized, larger than max\.request\.size \(20000 bytes\)/)
  } finally {
    await producer.close()
  }
  const records = await readPartition(bootstrap, topic, 0)
  assert.deepEqual(records.map((r) => r.value!.toString()), Array.from({length: 30}, (_, i) => `small-${i}`).filter((_, i) => i !== 10))
})

test('LogAppendTime topics report the broker\'s time; headers and null keys and values go through', async () => {
  const topic = 'append-time'
  await createTopic(topic, 1, {'message.timestamp.type': 'LogAppendTime'})
  const producer = new Producer({bootstrap})
  try {
    const before = Date.now()
    const md: RecordMetadata = await producer.send({topic, key: null, value: null, timestamp: 1000, headers: [{key: 'h', value: null}]})
    assert.ok(md.timestamp >= BigInt(before) - 1000n, `timestamp ${md.timestamp} is the broker's clock, not 1000`)
    const created = await producer.send({topic, value: 'x', timestamp: 1234})
    assert.notEqual(created.timestamp, 1234n)
  } finally {
    await producer.close()
  }
  const records = await readPartition(bootstrap, topic, 0)
  assert.equal(records.length, 2)
  assert.equal(records[0].key, null)
  assert.equal(records[0].value, null)
})

test('buffer.memory of 1 MiB behind a slow broker blocks sends, then fails them with the max.block.ms error', async () => {
  const proxy = await startSlowProxy(0)
  const slow = await startTestBroker({'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}`})
  proxy.target = slow.broker.port
  const producer = new Producer({bootstrap: `127.0.0.1:${proxy.port}`, bufferMemory: 1 << 20, batchSize: 16384, maxBlockMs: 400, lingerMs: 0, acks: 1})
  try {
    await producer.connect()
    await producer.send({topic: 'slow', value: 'warm-up'})
    proxy.delayMs = 2500
    const value = Buffer.alloc(10_000, 7)
    const started = Date.now()
    let accepted = 0
    let refusedAt = -1
    const outcomes: Array<Promise<{ok: boolean; err?: Error; at: number}>> = []
    for (let i = 0; i < 200; i++) {
      outcomes.push(new Promise((resolve) => {
        const took = producer.sendWithCallback({topic: 'slow', value}, (err) => resolve({ok: !err, err: err ?? undefined, at: Date.now() - started}))
        if (took) accepted++
        else if (refusedAt < 0) refusedAt = i
      }))
    }
    assert.ok(refusedAt > 0 && refusedAt <= 110, `sends started to wait once about 1 MiB was buffered (at record ${refusedAt})`)
    assert.ok(producer.metrics().bufferAvailableBytes < 20_000, 'the buffer is full')
    // Past max.block.ms but before the first slow answer: let the broker be quick again.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    proxy.delayMs = 0
    const results = await Promise.all(outcomes)
    const failures = results.filter((r) => !r.ok)
    assert.ok(failures.length > 0, 'waiting sends failed')
    for (const f of failures) {
      assert.ok(f.err instanceof BufferExhaustedError)
      assert.match(f.err.message, /within max\.block\.ms \(400 ms\): buffer\.memory \(1048576 bytes\) is full/)
      assert.ok(f.at >= 380, `failed after blocking (${f.at} ms)`)
    }
    assert.ok(Math.min(...failures.map((f) => f.at)) < 2400, 'they failed before the slow answers freed memory')
    assert.equal(results.filter((r) => r.ok).length, accepted, 'everything accepted before blocking was delivered')
  } finally {
    await producer.close({timeoutMs: 10_000})
    await slow.destroy()
    await proxy.close()
  }
})

test('records sent one at a time, each awaited, leave after linger.ms without a flush', async () => {
  // Regression: a batch created while the Sender's timer was armed for a later deadline (the
  // delivery timeout of the previous, in-flight batch) used to wait for that deadline.
  await createTopic('one-by-one', 1)
  const producer = new Producer({bootstrap, lingerMs: 5, deliveryTimeoutMs: 120_000})
  try {
    for (let i = 0; i < 5; i++) {
      // The next record comes later, as typed lines do: after the Sender's pass for the previous answer.
      await new Promise((resolve) => setTimeout(resolve, 50))
      const started = Date.now()
      let timer: NodeJS.Timeout | undefined
      const md = await Promise.race([
        producer.send({topic: 'one-by-one', value: `record ${i}`}),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`record ${i} not acknowledged within 5 s`)), 5000))),
      ])
      clearTimeout(timer)
      assert.equal(md.offset, BigInt(i))
      assert.ok(Date.now() - started < 5000)
    }
  } finally {
    await producer.close()
  }
})
