// What survives close/reopen: meta.properties (cluster id), topics with their ids, partitions and
// configs replayed from the __cluster_metadata-0 log, deletions, and the partition data itself.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {cpSync, existsSync, readFileSync, readdirSync, rmSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {decodeRecordBatches} from '../../src/records/index.js'
import {Log, defaultLogConfig} from '../../src/storage/index.js'
import {decodeMetadataRecord} from '../../src/broker/metadata/records.js'
import {startBroker} from '../../src/broker/index.js'
import {startTestBroker, RawClient, batchOf, produceBody, fetchBody, autoCreate} from './core-harness.js'

test('topics, ids, configs, deletions and data survive a restart; cluster id is stable', async () => {
  const first = await startTestBroker()
  const dir = first.dataDir
  try {
    const c = await RawClient.connect(first.broker.port)
    const kept = await autoCreate(c, 'kept')
    await first.broker.context.metadata.createTopic('wide', 3, 1, {'retention.ms': '123456'})
    await first.broker.context.metadata.createPartitions('wide', 5)
    await first.broker.context.metadata.alterTopicConfigs('wide', {'cleanup.policy': 'compact', 'retention.ms': null})
    await first.broker.context.metadata.createTopic('doomed', 1, 1, {})
    await first.broker.context.metadata.alterBrokerConfigs({'num.partitions': '4'})
    await c.request(0, 9, produceBody('kept', 0, batchOf(['one', 'two'])))
    await c.request(0, 9, produceBody('wide', 4, batchOf(['four'])))
    await first.broker.context.metadata.deleteTopic('doomed')
    c.close()
    const clusterId = first.broker.clusterId
    await first.close()

    const props = readFileSync(join(dir, 'meta.properties'), 'utf8')
    assert.match(props, /^version=1$/m)
    assert.match(props, new RegExp(`^cluster\\.id=${clusterId}$`, 'm'))
    assert.match(props, /^node\.id=0$/m)
    assert.match(clusterId, /^[A-Za-z0-9_-]{22}$/)
    assert.ok(existsSync(join(dir, '__cluster_metadata-0', '00000000000000000000.log')))
    // No producer writes the metadata log, so it keeps no producer snapshots; a partition log does.
    assert.deepEqual(readdirSync(join(dir, '__cluster_metadata-0')).filter((n) => n.endsWith('.snapshot')), [])
    assert.ok(readdirSync(join(dir, 'kept-0')).some((n) => n.endsWith('.snapshot')))
    assert.ok(existsSync(join(dir, '.kafka_cleanshutdown')), 'close() leaves the clean-shutdown marker')
    assert.match(readFileSync(join(dir, 'recovery-point-offset-checkpoint'), 'utf8'), /^kept 0 2$/m)
    assert.ok(!readdirSync(dir).some((n) => n.startsWith('doomed-0') && !n.endsWith('-delete')))

    const second = await startTestBroker({}, dir)
    try {
      assert.ok(!second.logs.some((l) => /truncat|recover/i.test(l)), `a clean restart recovers nothing: ${second.logs.join('\n')}`)
      assert.equal(second.broker.clusterId, clusterId)
      const md = second.broker.context.metadata
      assert.equal(md.topic('kept')!.topicId, kept.topicId)
      assert.equal(md.topic('doomed'), undefined)
      assert.deepEqual(md.topic('wide')!.partitions.map((p) => p.partition), [0, 1, 2, 3, 4])
      assert.deepEqual(md.topic('wide')!.configs, {'cleanup.policy': 'compact'})
      assert.deepEqual(md.brokerConfigOverrides(), {'num.partitions': '4'})
      const c2 = await RawClient.connect(second.broker.port)
      const f = await c2.request(1, 12, fetchBody('kept', 0, 0n))
      assert.deepEqual(decodeRecordBatches(f.responses[0].partitions[0].records).flatMap((b) => b.records.map((r) => r.value!.toString())), ['one', 'two'])
      const w = await c2.request(1, 12, fetchBody('wide', 4, 0n))
      assert.equal(w.responses[0].partitions[0].highWatermark, 1n)
      // The dynamic num.partitions=4 applies to auto-created topics after the restart.
      assert.equal((await autoCreate(c2, 'after-restart')).partitions.length, 4)
      const p = await c2.request(0, 9, produceBody('kept', 0, batchOf(['three'])))
      assert.equal(p.responses[0].partitionResponses[0].baseOffset, 2n)
      c2.close()
    } finally {
      await second.close()
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})

test('the metadata log holds KRaft records: TopicRecord, PartitionRecord, ConfigRecord, RemoveTopicRecord', async () => {
  const tb = await startTestBroker()
  try {
    const t = await tb.broker.context.metadata.createTopic('recorded', 2, 1, {'retention.ms': '1000'})
    await tb.broker.context.metadata.deleteTopic('recorded')
    await tb.close()
    const log = Log.open(join(tb.dataDir, '__cluster_metadata-0'), defaultLogConfig())
    const {records} = log.read(0n, 1 << 20, true)
    log.close()
    // Raft's control batches (LeaderChange) and the broker's own registration records come and go; the topic's are checked.
    const TOPIC_RECORD_TYPES = new Set([2, 3, 4, 9])
    const values = decodeRecordBatches(Buffer.concat(records)).filter((b) => !b.isControl)
      .flatMap((b) => b.records.map((r) => r.value!)).filter((v) => TOPIC_RECORD_TYPES.has(v[1]))
    // Frame version 1, then the record type: the layout Kafka's metadata serde writes.
    assert.deepEqual(values.map((v) => [v[0], v[1], v[2]]), [[1, 2, 0], [1, 3, 0], [1, 3, 0], [1, 4, 0], [1, 9, 0]])
    const decoded = values.map((v) => decodeMetadataRecord(v)!)
    assert.deepEqual(decoded[0].data, {name: 'recorded', topicId: t.topicId})
    assert.deepEqual(decoded[2].data, {partitionId: 1, topicId: t.topicId, replicas: [0], isr: [0], removingReplicas: [],
      addingReplicas: [], leader: 0, leaderEpoch: 0, partitionEpoch: 0})
    assert.deepEqual(decoded[3].data, {resourceType: 2, resourceName: 'recorded', name: 'retention.ms', value: '1000'})
    assert.deepEqual(decoded[4].data, {topicId: t.topicId})
  } finally {
    rmSync(tb.dataDir, {recursive: true, force: true})
  }
})

test('validation: names, partitions, replication factor, configs, duplicates', async () => {
  const tb = await startTestBroker()
  const md = tb.broker.context.metadata
  const code = (p: Promise<unknown>) => p.then(() => 0, (e) => e.code as number)
  try {
    assert.equal(await code(md.createTopic('a'.repeat(250), 1, 1, {})), 17)
    assert.equal(await code(md.createTopic('..', 1, 1, {})), 17)
    assert.equal(await code(md.createTopic('sp ace', 1, 1, {})), 17)
    assert.equal(await code(md.createTopic('zero', 0, 1, {})), 37)
    assert.equal(await code(md.createTopic('rf3', 1, 3, {})), 38)
    assert.equal(await code(md.createTopic('cfg', 1, 1, {'retention.ms': 'soon'})), 40)
    assert.equal(await code(md.createTopic('cfg', 1, 1, {'no.such.config': '1'})), 40)
    assert.equal(await code(md.createTopic('ok.topic', -1, -1, {})), 0)
    assert.equal(await code(md.createTopic('ok.topic', 1, 1, {})), 36)
    assert.equal(await code(md.createTopic('ok_topic', 1, 1, {})), 17, "collides with 'ok.topic'")
    assert.equal(await code(md.createTopic('only', 1, 1, {}, {validateOnly: true})), 0)
    assert.equal(md.topic('only'), undefined)
    assert.equal(await code(md.createTopic('assigned', -1, -1, {}, {assignments: [[0], [0]]})), 0)
    assert.equal(md.topic('assigned')!.partitions.length, 2)
    assert.equal(await code(md.createTopic('assigned2', -1, -1, {}, {assignments: [[1]]})), 39)
    assert.equal(await code(md.createPartitions('assigned', 1)), 37)
    assert.equal(await code(md.deleteTopic('missing')), 3)
  } finally {
    await tb.destroy()
  }
})

test('after a crash (the data dir copied while the broker runs) metadata is replayed and logs recovered', async () => {
  const tb = await startTestBroker()
  const copy = mkdtempSync(join(tmpdir(), 'samsa-core-crash-'))
  try {
    const c = await RawClient.connect(tb.broker.port)
    const t = await autoCreate(c, 'crashy')
    await c.request(0, 9, produceBody('crashy', 0, batchOf(['a', 'b', 'c'])))
    c.close()
    cpSync(tb.dataDir, copy, {recursive: true})
    assert.ok(!existsSync(join(copy, '.kafka_cleanshutdown')))
    const after = await startTestBroker({}, copy)
    try {
      assert.equal(after.broker.context.metadata.topic('crashy')!.topicId, t.topicId)
      assert.ok(after.logs.some((l) => /recover/i.test(l)), 'the unclean start ran recovery')
      assert.equal(after.broker.context.replicaManager.getLog('crashy', 0)!.logEndOffset, 3n)
    } finally {
      await after.close()
    }
  } finally {
    await tb.destroy()
    rmSync(copy, {recursive: true, force: true})
  }
})

test('a data dir of another node id is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-core-'))
  try {
    const tb = await startTestBroker({}, dir)
    await tb.close()
    await assert.rejects(startBroker({nodeId: 7, dataDir: dir, host: '127.0.0.1', port: 0, props: {}, logger: () => {}}), /node 0/)
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})
