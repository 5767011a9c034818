// Broker restart (the real `samsa broker start` binary): committed offsets survive in
// __consumer_offsets; a consumer that stays up through the restart reconnects, rejoins and goes
// on; a new consumer of the group resumes exactly where the commits say.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {Consumer, type ConsumerRecord} from '../../src/consumer/index.js'
import {haveKcat, removeDataDir, startBrokerProcess, type BrokerProcess} from '../helpers/broker-process.js'
import {GROUP_PROPS, createTopic, kcat, waitFor} from './helpers.js'

const skip = haveKcat() ? false : 'kcat is not installed: restart test skipped'

function lines(prefix: string, n: number): string {
  return Array.from({length: n}, (_, i) => `${prefix}-${i}`).join('\n') + '\n'
}

test('committed offsets survive a broker restart; consumers rejoin and resume from them', {skip, timeout: 120_000}, async () => {
  let broker: BrokerProcess = await startBrokerProcess({set: GROUP_PROPS})
  const dataDir = broker.dataDir
  const port = broker.port
  const topic = 'restart'
  const groupId = 'g-restart'
  const got: ConsumerRecord[] = []
  const config = {bootstrap: broker.bootstrap, groupId, autoOffsetReset: 'earliest' as const, heartbeatIntervalMs: 300, sessionTimeoutMs: 10_000,
    autoCommitIntervalMs: 200, retryBackoffMs: 200, requestTimeoutMs: 5_000}
  const consumer = new Consumer(config)
  let stop = false
  let loop: Promise<void> | undefined
  try {
    await createTopic(broker.bootstrap, topic, 2)
    await kcat(broker.bootstrap, ['-P', '-t', topic], lines('before', 40))
    consumer.subscribe([topic])
    const errors: Error[] = []
    loop = (async () => {
      while (!stop) {
        try {
          got.push(...await consumer.poll(200))
        } catch (err) {
          // While the broker is down poll() may fail; the application just polls again.
          errors.push(err as Error)
          await new Promise((r) => setTimeout(r, 200))
        }
      }
    })()
    await waitFor(() => got.length >= 40, 20_000, 'the first 40 records')
    await consumer.commitSync()

    // Restart on the same port and data dir while the consumer keeps polling.
    assert.equal(await broker.stop(), 0)
    broker = await startBrokerProcess({dataDir, port, set: GROUP_PROPS})
    await kcat(broker.bootstrap, ['-P', '-t', topic], lines('after', 20))
    await waitFor(() => got.length >= 60, 60_000, 'the 20 records written after the restart')
    assert.deepEqual(got.map((r) => r.value!.toString()).sort(), [...lines('before', 40).trim().split('\n'), ...lines('after', 20).trim().split('\n')].sort())
    stop = true
    await loop
    await consumer.close()

    // The commits are in __consumer_offsets: a new member of the group starts after them.
    await broker.stop()
    broker = await startBrokerProcess({dataDir, set: GROUP_PROPS})
    await kcat(broker.bootstrap, ['-P', '-t', topic], lines('last', 10))
    const fresh = new Consumer({...config, bootstrap: broker.bootstrap})
    try {
      const committed = await fresh.committed([{topic, partition: 0}, {topic, partition: 1}])
      assert.equal([...committed.values()].reduce((a, b) => a! + b!, 0n), 60n, 'commits of all 60 records survived two restarts')
      fresh.subscribe([topic])
      const later: ConsumerRecord[] = []
      await waitFor(async () => {
        later.push(...await fresh.poll(200))
        return later.length >= 10
      }, 30_000, 'the 10 newest records')
      assert.deepEqual(later.map((r) => r.value!.toString()).sort(), lines('last', 10).trim().split('\n').sort())
    } finally {
      await fresh.close()
    }
  } finally {
    stop = true
    await loop?.catch(() => undefined)
    await consumer.close().catch(() => undefined)
    await broker.kill().catch(() => undefined)
    removeDataDir(dataDir)
  }
})
