/**
 * AdminClient against samsa's broker running in-process on 127.0.0.1:0: topic lifecycle, offsets
 * after producing, configs, cluster and log dirs, and the errors users see.
 */
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {startBroker, type Broker} from '../../src/broker/index.js'
import {AdminClient} from '../../src/client/admin.js'
import {ErrorCode, KafkaError} from '../../src/protocol/index.js'
import {encodeRecordBatch} from '../../src/records/index.js'

let broker: Broker
let dataDir: string
let admin: AdminClient

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-client-'))
  broker = await startBroker({nodeId: 0, dataDir, host: '127.0.0.1', port: 0, props: {}, logger: () => {}})
  admin = new AdminClient({bootstrap: `127.0.0.1:${broker.port}`, requestTimeoutMs: 10_000})
})

after(async () => {
  await admin?.close()
  await broker?.close()
  rmSync(dataDir, {recursive: true, force: true})
})

/** Produces `n` records to one partition through the admin client's own connection. */
async function produce(topic: string, partition: number, n: number): Promise<void> {
  const leader = await admin.cluster.leaderFor(topic, partition)
  const conn = await admin.cluster.connectionTo(leader)
  const records = Array.from({length: n}, (_, i) => ({key: `k${i}`, value: `v${i}`}))
  const res = await conn.send(0, {
    transactionalId: null, acks: -1, timeoutMs: 5000,
    topicData: [{name: topic, partitionData: [{index: partition, records: encodeRecordBatch({records})}]}],
  })
  assert.equal(res.responses[0].partitionResponses[0].errorCode, 0)
}

test('creates, lists and describes a topic with log start/end offsets', async () => {
  const created = await admin.createTopics([{name: 'orders', numPartitions: 3, configs: {'retention.ms': '3600000'}}])
  assert.equal(created.length, 1)
  assert.equal(created[0].name, 'orders')
  assert.equal(created[0].numPartitions, 3)
  assert.match(created[0].topicId, /^[0-9a-f]{8}-[0-9a-f]{4}-/)

  const listed = await admin.listTopics()
  assert.ok(listed.some((t) => t.name === 'orders' && t.partitions === 3))

  await produce('orders', 1, 5)
  const [d] = await admin.describeTopics(['orders'])
  assert.equal(d.partitions.length, 3)
  assert.deepEqual(d.partitions.map((p) => p.partition), [0, 1, 2])
  for (const p of d.partitions) {
    assert.equal(p.leader, 0)
    assert.deepEqual(p.replicas, [0])
    assert.deepEqual(p.isr, [0])
    assert.equal(p.logStartOffset, 0n)
  }
  assert.deepEqual(d.partitions.map((p) => p.logEndOffset), [0n, 5n, 0n])
})

test('createTopics reports an existing topic, unless ifNotExists', async () => {
  await admin.createTopics([{name: 'dup'}])
  await assert.rejects(admin.createTopics([{name: 'dup'}]),
    (e: KafkaError) => e.code === ErrorCode.TOPIC_ALREADY_EXISTS && e.message === 'topic "dup" already exists')
  assert.deepEqual(await admin.createTopics([{name: 'dup'}], {ifNotExists: true}), [])
})

test('describing an unknown topic throws UNKNOWN_TOPIC_OR_PARTITION naming it', async () => {
  await assert.rejects(admin.describeTopics(['no-such-topic']),
    (e: KafkaError) => e.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && e.message === 'topic "no-such-topic" does not exist')
})

test('adds partitions and sets, reads and deletes config overrides', async () => {
  await admin.createTopics([{name: 'cfg', numPartitions: 1}])
  await admin.createPartitions('cfg', 4)
  const [d] = await admin.describeTopics(['cfg'], {offsets: false})
  assert.equal(d.partitions.length, 4)
  await assert.rejects(admin.createPartitions('cfg', 2), (e: KafkaError) => e.code === ErrorCode.INVALID_PARTITIONS)

  await admin.incrementalAlterConfigs({type: 'topic', name: 'cfg'}, [
    {name: 'retention.ms', op: 'set', value: '120000'},
    {name: 'segment.bytes', op: 'set', value: '1048576'},
  ])
  const overrides = async () => {
    const [r] = await admin.describeConfigs([{type: 'topic', name: 'cfg'}])
    return Object.fromEntries(r.configs.filter((c) => c.source === 'DYNAMIC_TOPIC_CONFIG').map((c) => [c.name, c.value]))
  }
  assert.deepEqual(await overrides(), {'retention.ms': '120000', 'segment.bytes': '1048576'})
  await admin.incrementalAlterConfigs({type: 'topic', name: 'cfg'}, [{name: 'retention.ms', op: 'delete'}])
  assert.deepEqual(await overrides(), {'segment.bytes': '1048576'})
  await assert.rejects(admin.incrementalAlterConfigs({type: 'topic', name: 'cfg'}, [{name: 'no.such.config', op: 'set', value: '1'}]),
    (e: KafkaError) => e instanceof KafkaError && e.code !== ErrorCode.NONE && /cfg/.test(e.message))
})

test('deletes topics and reports unknown ones', async () => {
  await admin.createTopics([{name: 'doomed'}])
  await admin.deleteTopics(['doomed'])
  assert.ok(!(await admin.listTopics()).some((t) => t.name === 'doomed'))
  await assert.rejects(admin.deleteTopics(['doomed']), (e: KafkaError) => e.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
})

test('describes the cluster and its log dirs', async () => {
  const info = await admin.describeCluster()
  assert.equal(info.source, 'DescribeCluster')
  assert.equal(info.clusterId, broker.clusterId)
  assert.deepEqual(info.brokers.map((b) => [b.nodeId, b.port, b.isController]), [[0, broker.port, true]])

  await admin.createTopics([{name: 'dirs', numPartitions: 2}])
  await produce('dirs', 0, 3)
  const dirs = await admin.describeLogDirs({topics: ['dirs']})
  assert.equal(dirs.length, 1)
  assert.equal(dirs[0].broker, 0)
  assert.equal(dirs[0].error, null)
  const parts = dirs[0].partitions
  assert.deepEqual(parts.map((p) => [p.topic, p.partition]), [['dirs', 0], ['dirs', 1]])
  assert.ok(parts[0].size > 0n)
  assert.equal(parts[1].size, 0n)
})
