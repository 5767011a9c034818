/**
 * MESSAGE_TOO_LARGE splits a batch (Kafka's splitAndReenqueue): against samsa's broker, a topic whose
 * max.message.bytes is far below the producer's batches still takes every record, in order, with
 * keys, headers and timestamps intact and each send answered with its own offset, with idempotence
 * on and off, and readable by librdkafka (kcat); a single record over the limit fails alone with MESSAGE_TOO_LARGE.
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {randomBytes} from 'node:crypto'
import {AdminClient} from '../../src/client/index.js'
import {Producer, type RecordMetadata} from '../../src/producer/index.js'
import {decodeRecordBatches, type Record} from '../../src/records/index.js'
import {Cluster} from '../../src/client/index.js'
import {ErrorCode} from '../../src/protocol/index.js'
import {useTestBroker} from '../broker/core-harness.js'
import {kcatMissing} from '../helpers/broker-process.js'
import {runKcat} from '../helpers/kcat.js'

const noKcat = kcatMissing('the librdkafka read-back of split batches is skipped')

let bootstrap: string
useTestBroker((tb) => {
  bootstrap = tb.bootstrap
})

/** Every record of partition 0 of `topic`, with the size of the largest batch stored. */
async function readAll(topic: string): Promise<{records: Record[]; largestBatch: number}> {
  const cluster = new Cluster({bootstrap})
  try {
    const conn = await cluster.connectionTo(await cluster.leaderFor(topic, 0))
    const body = await conn.send<any>(1, {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 16 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{topic, partitions: [{partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 16 << 20}]}],
      forgottenTopicsData: [], rackId: '',
    })
    const batches = decodeRecordBatches(body.responses[0].partitions[0].records)
    return {records: batches.flatMap((b) => b.records), largestBatch: Math.max(...batches.map((b) => b.batchLength + 12))}
  } finally {
    await cluster.close()
  }
}

// One lingering batch of 60 records (~15 KB, 7x the limit), or 300 records in 8 KB batches of which
// several are in flight together when the first answers come back.
const cases = [
  {idempotent: true, total: 60, batchSize: 65536, lingerMs: 200},
  {idempotent: false, total: 60, batchSize: 65536, lingerMs: 200},
  {idempotent: true, total: 300, batchSize: 8192, lingerMs: 0},
]
for (const {idempotent, total, batchSize, lingerMs} of cases) {
  test(`batches the broker finds too large are split until their halves fit (${total} records in ${batchSize}-byte batches, idempotence ${idempotent ? 'on' : 'off'})`, async () => {
    const topic = `split-${idempotent}-${total}`
    const admin = new AdminClient({bootstrap})
    try {
      await admin.createTopics([{name: topic, numPartitions: 1, replicationFactor: 1, configs: {'max.message.bytes': '2000'}}])
    } finally {
      await admin.close()
    }
    const producer = new Producer({bootstrap, batchSize, lingerMs, enableIdempotence: idempotent, compressionType: 'lz4'})
    // Random values do not compress, so the compressed batch is as large as the records.
    const values = Array.from({length: total}, () => randomBytes(200))
    try {
      await producer.connect()
      const sent = await Promise.all(values.map((value, i) => producer.send({
        topic, partition: 0, key: `k${i}`, value, headers: [{key: 'i', value: String(i)}], timestamp: 1_700_000_000_000 + i,
      })))
      assert.deepEqual(sent.map((md: RecordMetadata) => md.offset), values.map((_, i) => BigInt(i)), 'each send answered with its own offset')
      assert.ok(producer.metrics().batchesSplit >= total / 20, `batches split: ${producer.metrics().batchesSplit}`)
      assert.equal(producer.metrics().recordsFailed, 0)
    } finally {
      await producer.close()
    }
    const {records, largestBatch} = await readAll(topic)
    assert.ok(largestBatch <= 2000, `largest stored batch ${largestBatch} bytes`)
    assert.equal(records.length, total)
    records.forEach((r, i) => {
      assert.equal(r.offset, BigInt(i))
      assert.equal(r.key?.toString(), `k${i}`)
      assert.deepEqual(r.value, values[i])
      assert.deepEqual(r.headers.map((h) => [h.key, h.value?.toString()]), [['i', String(i)]])
      assert.equal(r.timestamp, 1_700_000_000_000n + BigInt(i))
    })
    if (!noKcat) {
      // librdkafka reads the split batches too (lz4, idempotent or not): key, size, timestamp, header, offset.
      // Asynchronously: the broker runs in this process.
      const read = await runKcat(bootstrap, ['-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%k %S %T %h %o\n'])
      assert.equal(read.code, 0, read.stderr)
      assert.deepEqual(read.stdout.trim().split('\n'), values.map((_, i) => `k${i} 200 ${1_700_000_000_000 + i} i=${i} ${i}`))
    }
  })
}

test('a single record over max.message.bytes is not split: it fails alone with MESSAGE_TOO_LARGE', async () => {
  const topic = 'split-single'
  const admin = new AdminClient({bootstrap})
  try {
    await admin.createTopics([{name: topic, numPartitions: 1, replicationFactor: 1, configs: {'max.message.bytes': '2000'}}])
  } finally {
    await admin.close()
  }
  const producer = new Producer({bootstrap, lingerMs: 50})
  try {
    await producer.connect()
    const [small, big, after] = await Promise.allSettled([
      producer.send({topic, partition: 0, value: 'a'}),
      producer.send({topic, partition: 0, value: randomBytes(3000)}),
      producer.send({topic, partition: 0, value: 'c'}),
    ])
    assert.equal(small.status, 'fulfilled')
    assert.equal(after.status, 'fulfilled')
    assert.equal(big.status, 'rejected')
    assert.equal((big as PromiseRejectedResult).reason.code, ErrorCode.MESSAGE_TOO_LARGE)
  } finally {
    await producer.close()
  }
  const {records} = await readAll(topic)
  assert.deepEqual(records.map((r) => r.value?.toString()), ['a', 'c'])
})
