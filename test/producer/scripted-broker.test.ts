/**
 * The Sender's retry rules against a scripted broker that checks sequence numbers as Kafka does
 * (accept the next sequence, DUPLICATE_SEQUENCE_NUMBER below it, OUT_OF_ORDER_SEQUENCE_NUMBER above
 * it) and fails requests on purpose: with 5 requests in flight, retries never duplicate or reorder.
 * Also: a broker without InitProducerId is an error only when idempotence was asked for explicitly.
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {ErrorCode, KafkaError} from '../../src/protocol/index.js'
import {decodeRecordBatch} from '../../src/records/index.js'
import {Producer} from '../../src/producer/index.js'
import {apiVersionsBody, startScriptedBroker, type ScriptedBroker} from '../client/helpers.js'

const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

interface FakePartition { log: string[]; nextSequence: number; producerId: bigint }

/** A one-node "cluster" with topic `t` of `partitions` partitions; `failProduce(n)` says whether request n fails. */
async function fakeBroker(opts: {partitions: number; initProducerId: boolean; failProduce?: (n: number) => number}): Promise<{broker: ScriptedBroker; parts: FakePartition[]; produceRequests: () => number; outOfOrder: () => number}> {
  const parts: FakePartition[] = Array.from({length: opts.partitions}, () => ({log: [], nextSequence: 0, producerId: -1n}))
  let produceRequests = 0
  let outOfOrder = 0
  const ranges: Record<number, [number, number]> = {0: [3, 9], 3: [0, 12], 18: [0, 3]}
  if (opts.initProducerId) ranges[22] = [0, 4]
  let port = 0
  const broker = await startScriptedBroker((h, req) => {
    switch (h.apiKey) {
      case 18:
        return {body: apiVersionsBody(ranges), version: Math.min(h.apiVersion, 3)}
      case 3:
        return {body: {
          throttleTimeMs: 0, brokers: [{nodeId: 0, host: '127.0.0.1', port, rack: null}], clusterId: 'fake', controllerId: 0,
          topics: (req.topics ?? [{name: 't'}]).map((t: {name: string}) => t.name !== 't'
            ? {errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name: t.name, topicId: ZERO_UUID, isInternal: false, partitions: []}
            : {errorCode: 0, name: 't', topicId: ZERO_UUID, isInternal: false, partitions: parts.map((_, i) => ({
              errorCode: 0, partitionIndex: i, leaderId: 0, leaderEpoch: 0, replicaNodes: [0], isrNodes: [0], offlineReplicas: [],
            }))}),
        }}
      case 22:
        return {body: {throttleTimeMs: 0, errorCode: 0, producerId: 77n, producerEpoch: 0}}
      case 0: {
        const n = ++produceRequests
        const injected = opts.failProduce?.(n) ?? ErrorCode.NONE
        return {body: {throttleTimeMs: 0, responses: req.topicData.map((td: any) => ({
          name: td.name,
          partitionResponses: td.partitionData.map((pd: any) => {
            const answer = (errorCode: number, baseOffset = -1n) => ({index: pd.index, errorCode, baseOffset, logAppendTimeMs: -1n, logStartOffset: 0n, recordErrors: [], errorMessage: null})
            if (injected !== ErrorCode.NONE) return answer(injected)
            const p = parts[pd.index]
            const batch = decodeRecordBatch(pd.records, 0)
            if (batch.producerId >= 0n) {
              if (p.producerId !== batch.producerId) {
                p.producerId = batch.producerId
                p.nextSequence = 0
              }
              if (batch.baseSequence < p.nextSequence) return answer(ErrorCode.DUPLICATE_SEQUENCE_NUMBER)
              if (batch.baseSequence > p.nextSequence) {
                outOfOrder++
                return answer(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
              }
              p.nextSequence += batch.recordsCount
            }
            const base = BigInt(p.log.length)
            for (const r of batch.records) p.log.push(r.value!.toString())
            return answer(ErrorCode.NONE, base)
          }),
        }))}}
      }
      default:
        return null
    }
  })
  port = broker.port
  return {broker, parts, produceRequests: () => produceRequests, outOfOrder: () => outOfOrder}
}

test('retries with 5 requests in flight never duplicate or reorder (idempotence)', async () => {
  // Every 7th request fails retriably; the requests behind it come back OUT_OF_ORDER and must follow it.
  const fake = await fakeBroker({partitions: 2, initProducerId: true, failProduce: (n) => (n % 7 === 3 ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.NONE)})
  const producer = new Producer({bootstrap: `127.0.0.1:${fake.broker.port}`, batchSize: 512, lingerMs: 0, retryBackoffMs: 5})
  try {
    const sent: string[][] = [[], []]
    const offsets: bigint[][] = [[], []]
    const all: Array<Promise<void>> = []
    for (let i = 0; i < 3000; i++) {
      const partition = i % 2
      const value = `r${i}`
      sent[partition].push(value)
      all.push(producer.send({topic: 't', partition, value}).then((md) => void offsets[partition].push(md.offset)))
    }
    await producer.flush()
    await Promise.all(all)
    assert.equal(producer.idempotent, true)
    assert.ok(fake.produceRequests() > 50, 'many requests, so many injected failures')
    assert.ok(fake.outOfOrder() > 0, 'batches behind a failed one came back OUT_OF_ORDER and were retried')
    for (const p of [0, 1]) {
      assert.deepEqual(fake.parts[p].log, sent[p], `partition ${p}: each record once, in send order`)
      assert.equal(new Set(offsets[p]).size, sent[p].length, 'every record got its own offset')
    }
  } finally {
    await producer.close()
    await fake.broker.close()
  }
})

test('a non-retriable error fails only its batch; later batches move down to its sequence numbers', async () => {
  const fake = await fakeBroker({partitions: 1, initProducerId: true, failProduce: (n) => (n === 2 ? ErrorCode.INVALID_RECORD : ErrorCode.NONE)})
  const producer = new Producer({bootstrap: `127.0.0.1:${fake.broker.port}`, batchSize: 256, lingerMs: 0, retryBackoffMs: 5})
  try {
    const results = await Promise.allSettled(Array.from({length: 200}, (_, i) => producer.send({topic: 't', value: `v${i}`})))
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[]
    assert.ok(failed.length > 0 && failed.length < 20, `one batch failed (${failed.length} records)`)
    for (const f of failed) {
      assert.ok(f.reason instanceof KafkaError)
      assert.equal(f.reason.name, 'INVALID_RECORD')
      assert.match(f.reason.message, /^cannot produce to "t"-0: /)
    }
    const ok = results.flatMap((r, i) => (r.status === 'fulfilled' ? [`v${i}`] : []))
    assert.deepEqual(fake.parts[0].log, ok, 'everything else was written once, in order')
  } finally {
    await producer.close()
    await fake.broker.close()
  }
})

test('without InitProducerId: explicit idempotence fails clearly, default idempotence falls back quietly', async () => {
  const fake = await fakeBroker({partitions: 1, initProducerId: false})
  const bootstrap = `127.0.0.1:${fake.broker.port}`
  try {
    const explicit = new Producer({bootstrap, enableIdempotence: true})
    await assert.rejects(explicit.connect(), (e: Error) => e instanceof KafkaError && /does not support InitProducerId.*enable\.idempotence=false/.test(e.message))
    await assert.rejects(explicit.send({topic: 't', value: 'x'}), /does not support InitProducerId/)
    await explicit.close()
    const fallback = new Producer({bootstrap})
    const md = await fallback.send({topic: 't', value: 'y'})
    assert.equal(fallback.idempotent, false)
    assert.equal(md.offset, 0n)
    await fallback.close()
    assert.deepEqual(fake.parts[0].log, ['y'])
  } finally {
    await fake.broker.close()
  }
})

test('an unknown topic fails after max.block.ms naming the topic', async () => {
  const fake = await fakeBroker({partitions: 1, initProducerId: true})
  const producer = new Producer({bootstrap: `127.0.0.1:${fake.broker.port}`, maxBlockMs: 300, retryBackoffMs: 20})
  try {
    const started = Date.now()
    await assert.rejects(producer.send({topic: 'nope', value: 'x'}), (e: Error) => {
      assert.ok(e instanceof KafkaError)
      assert.equal(e.name, 'UNKNOWN_TOPIC_OR_PARTITION')
      assert.match(e.message, /topic "nope" not present in metadata after 300 ms/)
      return true
    })
    assert.ok(Date.now() - started >= 290)
  } finally {
    await producer.close()
    await fake.broker.close()
  }
})
