// An offset commit is answered only once the __consumer_offsets partition's high watermark has
// passed it (Kafka writes offsets with acks=all): OffsetsTopicStore.awaitReplicated.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {EventEmitter} from 'node:events'
import {OffsetsTopicStore, OFFSETS_TOPIC, partitionForGroup} from '../../src/broker/group/offsets-topic.js'
import {Purgatory} from '../../src/broker/purgatory.js'

/** A leader partition whose log end and high watermark the test moves. */
class FakePartition extends EventEmitter {
  isLeader = true
  log = {logEndOffset: 10n, highWatermark: 7n}
}

function storeOver(partition: FakePartition): OffsetsTopicStore {
  const topic = {name: OFFSETS_TOPIC, topicId: 'x', internal: true, configs: {},
    partitions: Array.from({length: 3}, (_, i) => ({partition: i, leader: 0, leaderEpoch: 0, replicas: [0, 1], isr: [0, 1], partitionEpoch: 0}))}
  const broker: any = {
    nodeId: 0, props: {}, purgatory: new Purgatory(),
    metadata: {topic: (name: string) => (name === OFFSETS_TOPIC ? topic : undefined)},
    replicaManager: {partition: (t: string, p: number) => (t === OFFSETS_TOPIC && p === partitionForGroup('g', 3) ? partition : undefined)},
  }
  return new OffsetsTopicStore(broker)
}

test('a commit waits until the high watermark passes what was appended, and gives up after the timeout', async () => {
  const partition = new FakePartition()
  const store = storeOver(partition)
  const waiting = store.awaitReplicated('g', 2000)
  let settled = false
  waiting.then(() => (settled = true))
  partition.log.highWatermark = 9n
  partition.emit('hw')
  await new Promise((r) => setTimeout(r, 20))
  assert.equal(settled, false, 'not replicated up to the log end yet')
  partition.log.highWatermark = 10n
  partition.emit('hw')
  assert.equal(await waiting, true)

  partition.log.logEndOffset = 12n
  const t0 = Date.now()
  assert.equal(await store.awaitReplicated('g', 100), false)
  assert.ok(Date.now() - t0 >= 90)

  // Losing leadership while waiting answers at once.
  const lost = store.awaitReplicated('g', 5000)
  partition.isLeader = false
  partition.emit('hw')
  assert.equal(await lost, false)
  assert.equal(partition.listenerCount('hw'), 0, 'no listener is left behind')
})
