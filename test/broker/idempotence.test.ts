// The broker side of the idempotent producer over the wire: InitProducerId, duplicates answered with
// their original offsets, sequence gaps and stale epochs refused, and deduplication that survives a
// clean restart and a SIGKILL of the real binary.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {encodeRecordBatch, decodeRecordBatches} from '../../src/records/index.js'
import {ErrorCode} from '../../src/protocol/index.js'
import {startTestBroker, RawClient, produceBody, fetchBody, autoCreate} from './core-harness.js'
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {startBrokerProcess, removeDataDir, samsaBin} from '../helpers/broker-process.js'

// Recent timestamps: a producer whose last batch is older than producer.id.expiration.ms (a day) is forgotten at load.
const T0 = Date.now()

/** An idempotent batch of `count` records from sequence `seq`. */
function idem(pid: bigint, epoch: number, seq: number, count: number, opts: {transactional?: boolean} = {}): Buffer {
  return encodeRecordBatch({producerId: pid, producerEpoch: epoch, baseSequence: seq, isTransactional: opts.transactional,
    records: Array.from({length: count}, (_, i) => ({key: `k${seq + i}`, value: `v${seq + i}`, timestamp: T0 + seq + i}))})
}

async function initProducerId(c: RawClient, version = 4, body: Record<string, unknown> = {}): Promise<any> {
  return c.request(22, version, {transactionalId: null, transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1, ...body})
}

async function produce(c: RawClient, topic: string, batch: Buffer, version = 9): Promise<any> {
  const r = await c.request(0, version, produceBody(topic, 0, batch))
  return r.responses[0].partitionResponses[0]
}

async function values(c: RawClient, topic: string): Promise<string[]> {
  const f = await c.request(1, 12, fetchBody(topic, 0, 0n))
  return decodeRecordBatches(f.responses[0].partitions[0].records).flatMap((b) => b.records.map((r) => r.value!.toString()))
}

test('InitProducerId v0-v4 hands out distinct ids with epoch 0; transactional ids and half-given ids are refused', async () => {
  const b = await startTestBroker()
  try {
    const c = await RawClient.connect(b.broker.port)
    const versions = await c.request(18, 3, {clientSoftwareName: 't', clientSoftwareVersion: '1'})
    assert.deepEqual(versions.apiKeys.find((k: any) => k.apiKey === 22), {apiKey: 22, minVersion: 0, maxVersion: 4})
    const ids = new Set<bigint>()
    for (const v of [0, 1, 2, 3, 4]) {
      const r = await initProducerId(c, v)
      assert.equal(r.errorCode, ErrorCode.NONE)
      assert.equal(r.producerEpoch, 0)
      ids.add(r.producerId)
    }
    // KIP-360 names the current id: without a transactional id Kafka answers a fresh id, epoch 0.
    const again = await initProducerId(c, 3, {producerId: 0n, producerEpoch: 0})
    assert.equal(again.errorCode, ErrorCode.NONE)
    ids.add(again.producerId)
    assert.equal(ids.size, 6)
    assert.equal((await initProducerId(c, 3, {producerId: -1n, producerEpoch: 5})).errorCode, ErrorCode.INVALID_REQUEST)
    assert.equal((await initProducerId(c, 4, {transactionalId: 'tx-1'})).errorCode, ErrorCode.NOT_COORDINATOR)
    assert.equal((await initProducerId(c, 4, {transactionalId: ''})).errorCode, ErrorCode.INVALID_REQUEST)
    c.close()
  } finally {
    await b.destroy()
  }
})

test('a resent batch answers its original offset and is not appended twice; gaps, stale epochs and transactions fail', async () => {
  const b = await startTestBroker()
  try {
    const c = await RawClient.connect(b.broker.port)
    await autoCreate(c, 'idem')
    const {producerId: pid} = await initProducerId(c)
    await produce(c, 'idem', encodeRecordBatch({records: [{value: 'plain'}]}))
    const first = await produce(c, 'idem', idem(pid, 0, 0, 3))
    assert.deepEqual([first.errorCode, first.baseOffset, first.logAppendTimeMs], [0, 1n, -1n])
    const second = await produce(c, 'idem', idem(pid, 0, 3, 2))
    assert.equal(second.baseOffset, 4n)
    for (const version of [3, 7, 9]) {
      const dup = await produce(c, 'idem', idem(pid, 0, 0, 3), version)
      assert.equal(dup.errorCode, ErrorCode.NONE, `v${version}`)
      assert.equal(dup.baseOffset, 1n, `v${version}: the original base offset`)
    }
    const dup = await produce(c, 'idem', idem(pid, 0, 3, 2))
    assert.equal(dup.baseOffset, 4n)
    // As Kafka, a duplicate's log_append_time is the original batch's timestamp.
    assert.equal(dup.logAppendTimeMs, BigInt(T0 + 4))
    assert.deepEqual(await values(c, 'idem'), ['plain', 'v0', 'v1', 'v2', 'v3', 'v4'], 'each record once')

    const gap = await produce(c, 'idem', idem(pid, 0, 7, 1))
    assert.equal(gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    assert.match(gap.errorMessage, /Out of order sequence number for producer \d+ at offset 6 in idem-0: 7 \(incoming seq\. number\), 4/)
    const bumped = await produce(c, 'idem', idem(pid, 1, 0, 1))
    assert.equal(bumped.baseOffset, 6n, 'a new epoch starting at 0 is accepted')
    const stale = await produce(c, 'idem', idem(pid, 0, 5, 1))
    assert.equal(stale.errorCode, ErrorCode.INVALID_PRODUCER_EPOCH)
    const txn = await produce(c, 'idem', idem(pid, 1, 1, 1, {transactional: true}))
    assert.equal(txn.errorCode, ErrorCode.INVALID_TXN_STATE)
    assert.equal((await values(c, 'idem')).length, 7)
    c.close()
  } finally {
    await b.destroy()
  }
})

test('after a clean restart duplicates are still detected and producer ids are never reused', async () => {
  const first = await startTestBroker()
  const dir = first.dataDir
  let pid: bigint
  try {
    const c = await RawClient.connect(first.broker.port)
    await autoCreate(c, 'kept')
    pid = (await initProducerId(c)).producerId
    assert.equal((await produce(c, 'kept', idem(pid, 0, 0, 4))).baseOffset, 0n)
    assert.equal((await produce(c, 'kept', idem(pid, 0, 4, 4))).baseOffset, 4n)
    c.close()
  } finally {
    await first.close()
  }
  // The clean stop left Kafka's snapshot at the log end offset; `samsa log dump` reads it, as text and JSON.
  const snapshot = join(dir, 'kept-0', '00000000000000000008.snapshot')
  const text = spawnSync(process.execPath, [samsaBin, 'log', 'dump', snapshot], {encoding: 'utf8', timeout: 30_000})
  assert.equal(text.status, 0, text.stderr)
  assert.match(text.stdout, new RegExp(`producerId: ${pid} producerEpoch: 0 firstSequence: 4 lastSequence: 7 lastOffset: 7 offsetDelta: 3 `))
  const json = spawnSync(process.execPath, [samsaBin, 'log', 'dump', snapshot, '--json'], {encoding: 'utf8', timeout: 30_000})
  assert.equal(json.status, 0, json.stderr)
  const items = json.stdout.trim().split('\n').map((l) => JSON.parse(l))
  assert.deepEqual(items.find((i) => i.type === 'snapshot-header'), {type: 'snapshot-header', version: 1, crc: items[1].crc, valid: true, producers: 1})
  const entry = items.find((i) => i.type === 'producer')
  assert.deepEqual([entry.producerId, entry.lastSequence, entry.lastOffset, entry.currentTxnFirstOffset], [Number(pid), 7, 7, -1])
  const second = await startTestBroker({}, dir)
  try {
    const c = await RawClient.connect(second.broker.port)
    const dup = await produce(c, 'kept', idem(pid, 0, 4, 4))
    assert.deepEqual([dup.errorCode, dup.baseOffset], [0, 4n])
    assert.equal((await produce(c, 'kept', idem(pid, 0, 9, 1))).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    assert.equal((await produce(c, 'kept', idem(pid, 0, 8, 1))).baseOffset, 8n)
    const next = await initProducerId(c)
    assert.ok(next.producerId > pid, `id ${next.producerId} comes after ${pid} (a new block)`)
    assert.equal((await values(c, 'kept')).length, 9)
    c.close()
  } finally {
    await second.destroy()
  }
})

test('after SIGKILL of the real broker the restarted one still recognises the last batches', {timeout: 60_000}, async () => {
  const first = await startBrokerProcess()
  let second: Awaited<ReturnType<typeof startBrokerProcess>> | undefined
  try {
    const c = await RawClient.connect(first.port)
    await autoCreate(c, 'killed')
    const {producerId: pid} = await initProducerId(c)
    for (let i = 0; i < 10; i++) assert.equal((await produce(c, 'killed', idem(pid, 0, i * 5, 5))).baseOffset, BigInt(i * 5))
    c.close()
    await first.kill()
    second = await startBrokerProcess({dataDir: first.dataDir})
    const c2 = await RawClient.connect(second.port)
    const dup = await produce(c2, 'killed', idem(pid, 0, 45, 5))
    assert.deepEqual([dup.errorCode, dup.baseOffset], [0, 45n], 'the retry after the crash is answered, not appended')
    assert.equal((await produce(c2, 'killed', idem(pid, 0, 50, 5))).baseOffset, 50n)
    assert.notEqual((await initProducerId(c2)).producerId, pid)
    assert.equal((await values(c2, 'killed')).length, 55)
    c2.close()
  } finally {
    if (second) await second.stop()
    else await first.kill()
    removeDataDir(first.dataDir)
  }
})
