// Peers nobody here wrote against an in-process broker: kafkajs produces (plain and gzip) and lists
// offsets; kcat (librdkafka) produces with every codec and consumes. Records are read back both
// through a raw Fetch and by the peer.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import {decodeRecordBatches} from '../../src/records/index.js'
import {kcatMissing} from '../helpers/broker-process.js'
import {useTestBroker, RawClient, fetchBody, type TestBroker} from './core-harness.js'
import {runKcat, type KcatResult} from '../helpers/kcat.js'

const {Kafka, logLevel, CompressionTypes} = kafkajs
const noKcat = kcatMissing('librdkafka checks skipped')

let tb: TestBroker
let bootstrap: string
useTestBroker((started) => {
  tb = started
  bootstrap = tb.bootstrap
})

/** Every record of a partition via raw fetches: [offset, key, value, headers]. */
async function readAll(topic: string, partition: number): Promise<[bigint, string | null, string, Record<string, string>][]> {
  const c = await RawClient.connect(tb.broker.port)
  try {
    const out: [bigint, string | null, string, Record<string, string>][] = []
    let offset = 0n
    for (let i = 0; i < 100; i++) {
      const body = await c.request(1, 12, fetchBody(topic, partition, offset))
      const p = body.responses[0].partitions[0]
      assert.equal(p.errorCode, 0)
      const batches = decodeRecordBatches(p.records ?? Buffer.alloc(0))
      for (const r of batches.flatMap((b) => b.records)) {
        if (r.offset < offset) continue
        out.push([r.offset, r.key?.toString() ?? null, r.value!.toString(), Object.fromEntries(r.headers.map((h) => [h.key, h.value!.toString()]))])
        offset = r.offset + 1n
      }
      if (offset >= p.highWatermark) return out
    }
    throw new Error('did not reach the high watermark in 100 fetches')
  } finally {
    c.close()
  }
}

const kcat = (args: string[], input?: string): Promise<KcatResult> => runKcat(bootstrap, args, input, 30_000)

test('kafkajs producer (auto-created topic, plain and gzip) is read back record for record', async () => {
  const kafka = new Kafka({clientId: 'core-kafkajs', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: {retries: 3}})
  const producer = kafka.producer()
  const admin = kafka.admin()
  await producer.connect()
  await admin.connect()
  try {
    const messages = Array.from({length: 10}, (_, i) => ({key: `k${i}`, value: `v${i}`, partition: 0, headers: {n: String(i)}}))
    const sent = await producer.send({topic: 'kjs', acks: -1, messages})
    assert.deepEqual(sent.map((r) => [r.errorCode, r.baseOffset]), [[0, '0']])
    const gz = await producer.send({topic: 'kjs', acks: 1, compression: CompressionTypes.GZIP, messages: [{key: 'g', value: 'zipped', partition: 0}]})
    assert.equal(gz[0].baseOffset, '10')
    const got = await readAll('kjs', 0)
    assert.deepEqual(got.slice(0, 10), messages.map((m, i) => [BigInt(i), m.key, m.value, m.headers]))
    assert.deepEqual(got[10], [10n, 'g', 'zipped', {}])
    const offsets = await admin.fetchTopicOffsets('kjs')
    assert.deepEqual(offsets.map((o) => [o.partition, o.low, o.high]), [[0, '0', '11']])
    const meta = await admin.fetchTopicMetadata({topics: ['kjs']})
    assert.deepEqual(meta.topics[0].partitions.map((p) => [p.partitionId, p.leader]), [[0, 0]])
  } finally {
    await producer.disconnect()
    await admin.disconnect()
  }
})

test('kcat produces with every codec and consumes it back', {skip: noKcat}, async () => {
  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    const topic = `kcat-${codec}`
    const lines = Array.from({length: 50}, (_, i) => `${codec}-${i}`)
    const p = await kcat(['-P', '-t', topic, '-p', '0', '-z', codec, '-X', 'acks=all'], lines.join('\n') + '\n')
    assert.equal(p.code, 0, p.stderr)
    const got = await readAll(topic, 0)
    assert.deepEqual(got.map((r) => r[2]), lines, `${codec}: raw fetch`)
    const c = await kcat(['-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-f', '%o:%s\n'])
    assert.equal(c.code, 0, c.stderr)
    assert.deepEqual(c.stdout.trim().split('\n'), lines.map((l, i) => `${i}:${l}`), `${codec}: kcat consumer`)
  }
})
