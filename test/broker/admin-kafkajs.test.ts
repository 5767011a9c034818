// The admin APIs end to end through kafkajs 2.2.4's admin client against an in-process broker.
import {test, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import kafkajs from 'kafkajs'
import {startBroker, type Broker} from '../../src/broker/broker.js'

const {Kafka, logLevel, ConfigResourceTypes} = kafkajs

let broker: Broker
let dataDir: string
let kafka: InstanceType<typeof Kafka>
let admin: ReturnType<InstanceType<typeof Kafka>['admin']>

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-admin-kjs-'))
  broker = await startBroker({nodeId: 0, dataDir, host: '127.0.0.1', port: 0, props: {'log.retention.hours': '48'}, logger: () => {}})
  kafka = new Kafka({clientId: 'admin-e2e', brokers: [`127.0.0.1:${broker.port}`], logLevel: logLevel.NOTHING, retry: {retries: 2}})
  admin = kafka.admin()
  await admin.connect()
})

after(async () => {
  await admin?.disconnect()
  await broker?.close()
  rmSync(dataDir, {recursive: true, force: true})
})

/** The configs of a topic as kafkajs reports them: name -> entry. */
async function topicConfigs(topic: string, configNames?: string[]) {
  const res = await admin.describeConfigs({resources: [{type: ConfigResourceTypes.TOPIC, name: topic, configNames}], includeSynonyms: true})
  return new Map(res.resources[0].configEntries.map((e) => [e.configName, e]))
}

test('createTopics with configs, listTopics, fetchTopicMetadata, validateOnly', async () => {
  assert.equal(await admin.createTopics({
    topics: [{topic: 'e2e-orders', numPartitions: 3, configEntries: [{name: 'retention.ms', value: '60000'}, {name: 'cleanup.policy', value: 'delete'}]}],
  }), true)
  assert.equal(await admin.createTopics({topics: [{topic: 'e2e-orders', numPartitions: 3}]}), false)
  // waitForLeaders would send Metadata for the (not created) topic, which may auto-create it.
  assert.equal(await admin.createTopics({validateOnly: true, waitForLeaders: false, topics: [{topic: 'e2e-dry', numPartitions: 2}]}), true)
  const names = await admin.listTopics()
  assert.ok(names.includes('e2e-orders'))
  assert.ok(!names.includes('e2e-dry'), 'validateOnly created nothing')
  const meta = await admin.fetchTopicMetadata({topics: ['e2e-orders']})
  assert.deepEqual(meta.topics[0].partitions.map((p) => p.partitionId).sort(), [0, 1, 2])
  await assert.rejects(
    admin.createTopics({topics: [{topic: 'e2e-bad', configEntries: [{name: 'retention.ms', value: 'soon'}]}]}),
    (err: any) => JSON.stringify(err.errors ?? err.message).includes('INVALID_CONFIG') || /INVALID_CONFIG|Not a number/.test(String(err.message)),
  )
})

test('describeConfigs and alterConfigs of a topic', async () => {
  await admin.createTopics({topics: [{topic: 'e2e-cfg', configEntries: [{name: 'segment.bytes', value: '1048576'}]}]})
  let cfg = await topicConfigs('e2e-cfg')
  assert.equal(cfg.get('segment.bytes')!.configValue, '1048576')
  assert.equal(cfg.get('segment.bytes')!.isDefault, false)
  assert.equal(cfg.get('retention.ms')!.configValue, String(48 * 3600000), 'inherits log.retention.hours')
  assert.equal(cfg.get('retention.ms')!.configSource, 4)
  assert.ok(cfg.get('retention.ms')!.configSynonyms.some((s) => s.configName === 'log.retention.hours' && s.configValue === '48'))
  assert.equal(cfg.get('cleanup.policy')!.configValue, 'delete')

  await admin.alterConfigs({validateOnly: false, resources: [{type: ConfigResourceTypes.TOPIC, name: 'e2e-cfg', configEntries: [{name: 'cleanup.policy', value: 'compact'}]}]})
  cfg = await topicConfigs('e2e-cfg', ['cleanup.policy', 'segment.bytes'])
  assert.equal(cfg.size, 2)
  assert.equal(cfg.get('cleanup.policy')!.configValue, 'compact')
  assert.equal(cfg.get('segment.bytes')!.configValue, '1073741824', 'AlterConfigs replaced the whole override set')
  await assert.rejects(admin.alterConfigs({validateOnly: false, resources: [{type: ConfigResourceTypes.TOPIC, name: 'e2e-cfg', configEntries: [{name: 'compression.type', value: 'brotli'}]}]}))
  assert.equal((await topicConfigs('e2e-cfg', ['compression.type'])).get('compression.type')!.configValue, 'producer')
})

test('describeConfigs of the broker', async () => {
  const res = await admin.describeConfigs({resources: [{type: ConfigResourceTypes.BROKER, name: '0', configNames: ['log.retention.hours', 'node.id']}], includeSynonyms: false})
  const entries = new Map(res.resources[0].configEntries.map((e) => [e.configName, e]))
  assert.equal(entries.get('log.retention.hours')!.configValue, '48')
  assert.equal(entries.get('node.id')!.configValue, '0')
  assert.equal(entries.get('node.id')!.readOnly, true)
})

test('createPartitions grows a topic and refuses to shrink it', async () => {
  await admin.createTopics({topics: [{topic: 'e2e-grow', numPartitions: 1}]})
  await admin.createPartitions({topicPartitions: [{topic: 'e2e-grow', count: 4}]})
  const meta = await admin.fetchTopicMetadata({topics: ['e2e-grow']})
  assert.equal(meta.topics[0].partitions.length, 4)
  await assert.rejects(admin.createPartitions({topicPartitions: [{topic: 'e2e-grow', count: 2}]}), /higher than the requested|INVALID_PARTITIONS|Number of partitions is invalid/i)
})

test('deleteTopicRecords moves the low watermark; offsets by timestamp', async () => {
  const topic = 'e2e-records'
  await admin.createTopics({topics: [{topic, numPartitions: 1}]})
  const producer = kafka.producer({allowAutoTopicCreation: false})
  await producer.connect()
  try {
    await producer.send({topic, acks: -1, messages: Array.from({length: 10}, (_, i) => ({value: `m${i}`, partition: 0, timestamp: String(1_700_000_000_000 + i * 1000)}))})
  } finally {
    await producer.disconnect()
  }
  assert.deepEqual((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, o.low, o.high]), [[0, '0', '10']])
  await admin.deleteTopicRecords({topic, partitions: [{partition: 0, offset: '4'}]})
  assert.deepEqual((await admin.fetchTopicOffsets(topic)).map((o) => [o.low, o.high]), [['4', '10']])
  const byTime = await admin.fetchTopicOffsetsByTimestamp(topic, 1_700_000_000_000 + 6500)
  assert.deepEqual(byTime, [{partition: 0, offset: '7'}])
  await admin.deleteTopicRecords({topic, partitions: [{partition: 0, offset: '-1'}]})
  assert.deepEqual((await admin.fetchTopicOffsets(topic)).map((o) => [o.low, o.high]), [['10', '10']])
})

test('describeCluster and deleteTopics', async () => {
  const cluster = await admin.describeCluster()
  assert.equal(cluster.clusterId, broker.clusterId)
  assert.equal(cluster.controller, 0)
  assert.deepEqual(cluster.brokers.map((b) => [b.nodeId, b.port]), [[0, broker.port]])
  await admin.createTopics({topics: [{topic: 'e2e-doomed'}]})
  await admin.deleteTopics({topics: ['e2e-doomed']})
  assert.ok(!(await admin.listTopics()).includes('e2e-doomed'))
  await assert.rejects(admin.deleteTopics({topics: ['e2e-never-existed']}))
})
