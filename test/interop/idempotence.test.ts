// Idempotent producers nobody here wrote against `samsa broker start`: kcat (librdkafka) with
// enable.idempotence=true and kafkajs 2.2.4 with idempotent: true. Every record is read back exactly
// once, in order per partition, and the log shows the batches really carried producer ids and sequences.
import {test, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import kafkajs from 'kafkajs'
import {dumpFile, type BatchItem} from '../../src/cli/log-dump.js'
import {startBrokerProcess, removeDataDir, type BrokerProcess, kcatMissing} from '../helpers/broker-process.js'
import {kcatOk} from '../helpers/kcat.js'

const {Kafka, logLevel} = kafkajs
const noKcat = kcatMissing('interop test skipped')

const PARTITIONS = 3
let broker: BrokerProcess

const kcat = (args: string[], input?: string): string => kcatOk(broker.bootstrap, args, input)

/** Per partition, the batches of the topic's segments (read straight from the data dir). */
function batchesOf(topic: string): BatchItem[][] {
  const out: BatchItem[][] = []
  for (let p = 0; p < PARTITIONS; p++) {
    const dir = join(broker.dataDir, `${topic}-${p}`)
    const logs = readdirSync(dir).filter((f) => f.endsWith('.log')).sort()
    out.push(logs.flatMap((f) => [...dumpFile(join(dir, f))].filter((i): i is BatchItem => i.type === 'batch')))
  }
  return out
}

/** Checks that every batch is idempotent and that each partition's sequences run gap-free per producer. */
function assertIdempotentBatches(topic: string): void {
  for (const [p, batches] of batchesOf(topic).entries()) {
    const next = new Map<bigint, number>()
    for (const b of batches) {
      assert.ok(b.producerId >= 0n, `${topic}-${p}@${b.baseOffset} carries a producer id`)
      assert.equal(b.baseSequence, next.get(b.producerId) ?? 0, `${topic}-${p}@${b.baseOffset}: sequences continue without gap or repeat`)
      next.set(b.producerId, b.lastSequence + 1)
    }
  }
}

/** Reads the topic with kcat and checks each value appears once and in order per partition. */
function assertExactlyOnce(topic: string, expected: string[]): void {
  const rows = kcat(['-C', '-t', topic, '-e', '-o', 'beginning', '-f', '%p\t%s\n']).split('\n').filter((l) => l).map((l) => l.split('\t'))
  assert.equal(rows.length, expected.length, 'every record once, none twice')
  assert.deepEqual(rows.map((r) => r[1]).sort(), [...expected].sort())
  const last = new Map<string, number>()
  for (const [p, v] of rows) {
    const n = Number(v.split('-')[1])
    assert.ok((last.get(p) ?? -1) < n, `partition ${p} keeps produce order`)
    last.set(p, n)
  }
}

before(async () => {
  broker = await startBrokerProcess({set: {'num.partitions': String(PARTITIONS)}})
})

after(async () => {
  assert.equal(await broker.stop(), 0)
  removeDataDir(broker.dataDir)
})

test('kcat -X enable.idempotence=true: 30,000 records land exactly once with gap-free sequences', {skip: noKcat, timeout: 120_000}, () => {
  const values = Array.from({length: 30_000}, (_, i) => `kc-${i}`)
  kcat(['-P', '-t', 'idem-kcat', '-K', '|', '-X', 'enable.idempotence=true', '-X', 'linger.ms=5', '-X', 'batch.num.messages=500'],
    values.map((v, i) => `key${i % 101}|${v}`).join('\n') + '\n')
  assertExactlyOnce('idem-kcat', values)
  assertIdempotentBatches('idem-kcat')
  assert.ok(batchesOf('idem-kcat').flat().length > PARTITIONS, 'several batches per partition')
})

test('kafkajs producer({idempotent: true}): batched sends land exactly once with gap-free sequences', {skip: noKcat, timeout: 120_000}, async () => {
  const kafka = new Kafka({clientId: 'idem', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: {retries: 3}})
  const producer = kafka.producer({idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true})
  await producer.connect()
  const values: string[] = []
  try {
    for (let s = 0; s < 20; s++) {
      const messages = Array.from({length: 250}, (_, i) => {
        const v = `kj-${s * 250 + i}`
        values.push(v)
        return {key: `key${(s * 250 + i) % 37}`, value: v}
      })
      const res = await producer.send({topic: 'idem-kafkajs', acks: -1, messages})
      assert.ok(res.every((r) => r.errorCode === 0))
    }
  } finally {
    await producer.disconnect()
  }
  assertExactlyOnce('idem-kafkajs', values)
  assertIdempotentBatches('idem-kafkajs')
})
