// kafkajs 2.2.4 against `samsa broker start`: admin topics and offsets, a producer with keys and
// headers, and the records confirmed by reading them back with kcat (a client nobody here wrote).
import {test, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import kafkajs from 'kafkajs'
import {startBrokerProcess, removeDataDir, type BrokerProcess, kcatMissing} from '../helpers/broker-process.js'

const {Kafka, logLevel} = kafkajs
const noKcat = kcatMissing('read-back check skipped')

let broker: BrokerProcess
let kafka: InstanceType<typeof Kafka>

before(async () => {
  broker = await startBrokerProcess()
  kafka = new Kafka({clientId: 'samsa-interop', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: {retries: 2}})
})

after(async () => {
  assert.equal(await broker.stop(), 0)
  removeDataDir(broker.dataDir)
})

test('kafkajs admin creates, lists, describes and deletes topics', async () => {
  const admin = kafka.admin()
  await admin.connect()
  try {
    assert.equal(await admin.createTopics({topics: [{topic: 'orders', numPartitions: 3}, {topic: 'audit', numPartitions: 1}]}), true)
    assert.equal(await admin.createTopics({topics: [{topic: 'orders', numPartitions: 3}]}), false, 'an existing topic is not created again')
    assert.deepEqual((await admin.listTopics()).filter((t) => !t.startsWith('__')).sort(), ['audit', 'orders'])
    const meta = await admin.fetchTopicMetadata({topics: ['orders']})
    assert.equal(meta.topics[0].name, 'orders')
    assert.deepEqual(meta.topics[0].partitions.map((p) => p.partitionId).sort(), [0, 1, 2])
    for (const p of meta.topics[0].partitions) {
      assert.equal(p.partitionErrorCode, 0)
      assert.deepEqual(p.replicas, [p.leader])
      assert.deepEqual(p.isr, [p.leader])
    }
    const configs = await admin.describeConfigs({resources: [{type: 2, name: 'orders'}], includeSynonyms: false})
    const entries = configs.resources[0].configEntries
    assert.equal(entries.find((e) => e.configName === 'cleanup.policy')?.configValue, 'delete')
    await admin.deleteTopics({topics: ['audit']})
    assert.deepEqual((await admin.listTopics()).filter((t) => !t.startsWith('__')), ['orders'])
  } finally {
    await admin.disconnect()
  }
})

test('kafkajs producer sends keys and headers; kcat reads them back; offsets by time', async () => {
  const topic = 'kjs-produce'
  const admin = kafka.admin()
  await admin.connect()
  const producer = kafka.producer({allowAutoTopicCreation: false})
  await producer.connect()
  try {
    await admin.createTopics({topics: [{topic, numPartitions: 2}]})
    const first = await producer.send({topic, acks: -1, messages: Array.from({length: 20}, (_, i) => ({
      key: `k${i}`, value: `value-${i}`, partition: i % 2, headers: {trace: `t${i}`, app: 'kafkajs'},
    }))})
    assert.equal(first.length, 2)
    for (const r of first) assert.equal(r.errorCode, 0)
    await new Promise((r) => setTimeout(r, 30))
    const boundary = Date.now()
    await new Promise((r) => setTimeout(r, 30))
    await producer.send({topic, acks: 1, messages: [{key: 'late', value: 'late-value', partition: 0}]})

    const offsets = await admin.fetchTopicOffsets(topic)
    const p0 = offsets.find((o) => o.partition === 0)!
    assert.equal(p0.low, '0')
    assert.equal(p0.high, '11')
    assert.equal(offsets.find((o) => o.partition === 1)!.high, '10')
    const byTime = await admin.fetchTopicOffsetsByTimestamp(topic, boundary)
    assert.equal(byTime.find((o) => o.partition === 0)!.offset, '10', 'first record at or after the boundary')

    if (!noKcat) {
      const res = spawnSync('kcat', ['-b', broker.bootstrap, '-C', '-t', topic, '-p', '0', '-e', '-o', 'beginning', '-f', '%o %k %s %h\n'],
        {encoding: 'utf8', timeout: 30_000})
      assert.equal(res.status, 0, res.stderr)
      const expected = Array.from({length: 10}, (_, j) => `${j} k${2 * j} value-${2 * j} trace=t${2 * j},app=kafkajs`)
      expected.push('10 late late-value')
      assert.deepEqual(res.stdout.trimEnd().split('\n').map((l) => l.trimEnd()), expected)
    }
  } finally {
    await producer.disconnect()
    await admin.disconnect()
  }
})
