// Fetch reads go into pooled 1 MiB chunks that return to the pool once the socket wrote them: chunks
// are reused, and concurrent consumers still read every byte right (their CRC checks would catch a
// chunk overwritten while still being sent).
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {Connection} from '../../src/client/index.js'
import {Consumer} from '../../src/consumer/index.js'
import {encodeRecordBatch} from '../../src/records/index.js'
import {ReadBufferPool} from '../../src/storage/read-buffer-pool.js'
import type {CoreBrokerContext} from '../../src/broker/context.js'
import {startTestBroker} from './core-harness.js'
import {createTopic, pollCount} from '../consumer/helpers.js'

test('the pool hands out views of chunks, keeps released ones, and leaves small and oversized reads alone', () => {
  const pool = new ReadBufferPool(1 << 20, 2)
  const leases: Buffer[] = []
  const a = pool.allocate(300_000, leases)
  assert.equal(a.length, 300_000)
  assert.equal(leases.length, 1)
  assert.equal(a.buffer, leases[0].buffer)
  assert.equal(pool.allocate(100, leases).length, 100)
  assert.equal(pool.allocate((1 << 20) + 1, leases).length, (1 << 20) + 1)
  assert.equal(leases.length, 1, 'only chunk-sized reads are leased')
  pool.release(leases)
  assert.equal(pool.freeCount, 1)
  const again: Buffer[] = []
  pool.allocate(70_000, again)
  assert.equal(again[0], leases[0], 'a released chunk is reused')
  pool.release([Buffer.alloc(1 << 20), Buffer.alloc(1 << 20), Buffer.alloc(1 << 20)])
  assert.equal(pool.freeCount, 2, 'at most maxFree chunks are kept')
})

test('three consumers reading 6 MB at once each get every record intact while chunks are reused', {timeout: 60_000}, async () => {
  const tb = await startTestBroker({'num.partitions': '3'})
  const bootstrap = tb.bootstrap
  try {
    const topic = 'pooled'
    await createTopic(bootstrap, topic, 3)
    const conn = await Connection.connect({host: '127.0.0.1', port: tb.broker.port})
    const perBatch = 500
    const batches = 12
    for (let b = 0; b < batches; b++) {
      const partitionData = [0, 1, 2].map((index) => ({index, records: encodeRecordBatch({records: Array.from({length: perBatch},
        (_, i) => ({value: Buffer.from(`${index}-${b * perBatch + i}-${'v'.repeat(300 + ((b + i) % 97))}`)}))})}))
      const res = await conn.send<any>(0, {transactionalId: null, acks: 1, timeoutMs: 5000, topicData: [{name: topic, partitionData}]})
      assert.ok(res.responses[0].partitionResponses.every((p: any) => p.errorCode === 0))
    }
    conn.close()
    const total = 3 * perBatch * batches
    const pool = (tb.broker.context as CoreBrokerContext).readBufferPool!
    const readAll = async (): Promise<Set<string>> => {
      const consumer = new Consumer({bootstrap, autoOffsetReset: 'earliest'})
      try {
        consumer.assign([0, 1, 2].map((partition) => ({topic, partition})))
        const got = await pollCount(consumer, total, 30_000)
        return new Set(got.map((r) => r.value!.toString()))
      } finally {
        await consumer.close()
      }
    }
    const sets = await Promise.all([readAll(), readAll(), readAll()])
    for (const s of sets) {
      assert.equal(s.size, total)
      for (let p = 0; p < 3; p++) {
        for (let n = 0; n < perBatch * batches; n += 997) {
          const b = Math.floor(n / perBatch)
          const i = n % perBatch
          assert.ok(s.has(`${p}-${n}-${'v'.repeat(300 + ((b + i) % 97))}`), `record ${p}-${n}`)
        }
      }
    }
    assert.ok(pool.freeCount > 0, 'chunks came back to the pool after their responses were written')
  } finally {
    await tb.destroy()
  }
})
