// Fetch long polling through the purgatory: a parked fetch answers as soon as an append brings
// minBytes, waits the full maxWaitMs when nothing arrives, and is answered at shutdown.
import {test, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {decodeRecordBatches} from '../../src/records/index.js'
import {startTestBroker, RawClient, within, batchOf, produceBody, fetchBody, autoCreate, type TestBroker} from './core-harness.js'

let tb: TestBroker
let consumer: RawClient
let producer: RawClient
before(async () => {
  tb = await startTestBroker()
  consumer = await RawClient.connect(tb.broker.port)
  producer = await RawClient.connect(tb.broker.port)
  await autoCreate(producer, 'poll')
})
after(async () => {
  consumer.close()
  producer.close()
  await tb.destroy()
})

test('a parked fetch returns as soon as data arrives, well before maxWaitMs', async () => {
  const started = Date.now()
  const pending = consumer.request(1, 12, fetchBody('poll', 0, 0n, {maxWaitMs: 5000, minBytes: 1}))
  await new Promise((r) => setTimeout(r, 150))
  await producer.request(0, 9, produceBody('poll', 0, batchOf(['wake up'])))
  const body = await within(pending, 4000, 'woken fetch')
  const elapsed = Date.now() - started
  assert.ok(elapsed >= 140 && elapsed < 2000, `returned after ${elapsed} ms`)
  const [batch] = decodeRecordBatches(body.responses[0].partitions[0].records)
  assert.equal(batch.records[0].value!.toString(), 'wake up')
})

test('minBytes counts bytes: a small append does not wake a fetch that wants more', async () => {
  const started = Date.now()
  const pending = consumer.request(1, 12, fetchBody('poll', 0, 1n, {maxWaitMs: 600, minBytes: 100_000}))
  await new Promise((r) => setTimeout(r, 100))
  await producer.request(0, 9, produceBody('poll', 0, batchOf(['small'])))
  const body = await pending
  const elapsed = Date.now() - started
  assert.ok(elapsed >= 550, `answered after ${elapsed} ms although minBytes was not reached`)
  assert.equal(decodeRecordBatches(body.responses[0].partitions[0].records)[0].records[0].value!.toString(), 'small',
    'the timeout answer carries what arrived meanwhile')
})

test('with no data a fetch waits out maxWaitMs and returns empty', async () => {
  const end = tb.broker.context.replicaManager.getLog('poll', 0)!.logEndOffset
  const started = Date.now()
  const body = await consumer.request(1, 11, fetchBody('poll', 0, end, {maxWaitMs: 400, minBytes: 1}))
  const elapsed = Date.now() - started
  assert.ok(elapsed >= 380, `answered after only ${elapsed} ms`)
  const p = body.responses[0].partitions[0]
  assert.equal(p.errorCode, 0)
  assert.equal(p.records?.length ?? 0, 0)
  assert.equal(p.highWatermark, end)
})

test('closing the broker answers parked fetches instead of dropping them', async () => {
  const other = await startTestBroker()
  const c = await RawClient.connect(other.broker.port)
  try {
    await autoCreate(c, 'bye')
    const started = Date.now()
    const pending = c.request(1, 12, fetchBody('bye', 0, 0n, {maxWaitMs: 30_000, minBytes: 1}))
    await new Promise((r) => setTimeout(r, 100))
    await other.destroy()
    const body = await within(pending, 5000, 'fetch answered at shutdown')
    assert.equal(body.responses[0].partitions[0].errorCode, 0)
    assert.ok(Date.now() - started < 5000)
  } finally {
    c.close()
  }
})
