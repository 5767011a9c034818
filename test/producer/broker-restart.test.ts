/**
 * Fault: the broker (the real binary, a child process) is killed and restarted on the same port
 * and data in the middle of an async send of 200,000 records with idempotence on. Retries after the
 * restart must neither lose nor duplicate: every record is present exactly once, in order per
 * partition. Needs the broker's InitProducerId and producer-state dedup across restarts.
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {AdminClient} from '../../src/client/index.js'
import {Producer} from '../../src/producer/index.js'
import {removeDataDir, startBrokerProcess, type BrokerProcess} from '../helpers/broker-process.js'
import {readPartition} from './helpers.js'

test('a broker restarted mid-send of 200,000 idempotent records ends with every record exactly once', async () => {
  let bp: BrokerProcess = await startBrokerProcess()
  const {port, dataDir} = bp
  const bootstrap = bp.bootstrap
  const topic = 'restart'
  const partitions = 2
  const total = 200_000
  let restarted: Promise<void> | undefined
  const producer = new Producer({bootstrap, enableIdempotence: true, batchSize: 32768, bufferMemory: 512 * 1024, retryBackoffMs: 50, requestTimeoutMs: 10_000, deliveryTimeoutMs: 60_000})
  try {
    const admin = new AdminClient({bootstrap})
    await admin.createTopics([{name: topic, numPartitions: partitions, replicationFactor: 1}])
    await admin.close()
    await producer.connect()
    assert.equal(producer.idempotent, true)
    let acked = 0
    let ackedAtKill = -1
    const pad = '.'.repeat(90)
    const errors: Error[] = []
    const cb = (err: Error | null) => (err ? errors.push(err) : acked++)
    for (let i = 0; i < total; i++) {
      if (i === 60_000) {
        // Kill it while requests are in flight; the restart runs while sending goes on.
        restarted = (async () => {
          ackedAtKill = acked
          await bp.kill()
          bp = await startBrokerProcess({dataDir, port})
        })()
      }
      if (!producer.sendWithCallback({topic, partition: i % partitions, value: `${i} ${pad}`}, cb)) await producer.waitForCapacity()
    }
    await restarted
    await producer.flush()
    assert.deepEqual(errors.map((e) => e.message), [])
    assert.equal(acked, total)
    assert.ok(ackedAtKill > 0 && ackedAtKill < total - 50_000, `the kill came mid-send (${ackedAtKill} acked then)`)
  } finally {
    await producer.close({timeoutMs: 5000})
  }
  try {
    for (let p = 0; p < partitions; p++) {
      const values = (await readPartition(bootstrap, topic, p)).map((r) => parseInt(r.value!.toString(), 10))
      const expected = Array.from({length: total / partitions}, (_, k) => k * partitions + p)
      assert.equal(values.length, expected.length, `partition ${p}: ${values.length} records for ${expected.length} sent`)
      assert.deepEqual(values, expected, `partition ${p}: each record once, in order`)
    }
  } finally {
    await bp.stop()
    removeDataDir(dataDir)
  }
})
