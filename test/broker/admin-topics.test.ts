import {test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {ErrorCode} from '../../src/protocol/index.js'
import {createTopicsHandler} from '../../src/broker/handlers/19-create-topics.js'
import {deleteTopicsHandler} from '../../src/broker/handlers/20-delete-topics.js'
import {createPartitionsHandler} from '../../src/broker/handlers/37-create-partitions.js'
import {ConfigSource} from '../../src/broker/config-defs.js'
import {makeBroker, call} from './admin-harness.js'

const ZERO = '00000000-0000-0000-0000-000000000000'

/** A CreateTopics topic entry with wire defaults filled in. */
function topic(name: string, numPartitions = 1, replicationFactor = 1, extra: object = {}) {
  return {name, numPartitions, replicationFactor, assignments: [], configs: [], ...extra}
}

test('CreateTopics v7 creates the topic, its logs, and answers with id, counts and configs', async () => {
  const b = await makeBroker()
  try {
    const res = await call(b.ctx, createTopicsHandler, 7, {
      topics: [topic('orders', 3, 1, {configs: [{name: 'retention.ms', value: '1000'}]})], timeoutMs: 5000, validateOnly: false,
    })
    const t = res.topics[0]
    assert.equal(t.errorCode, 0)
    assert.equal(t.errorMessage, null)
    assert.notEqual(t.topicId, ZERO)
    assert.equal(t.numPartitions, 3)
    assert.equal(t.replicationFactor, 1)
    const byName = new Map(t.configs.map((c: any) => [c.name, c]))
    assert.deepEqual(byName.get('retention.ms'), {name: 'retention.ms', value: '1000', readOnly: false, configSource: ConfigSource.DYNAMIC_TOPIC_CONFIG, isSensitive: false})
    assert.equal((byName.get('segment.bytes') as any).configSource, ConfigSource.DEFAULT_CONFIG)
    assert.equal((byName.get('segment.bytes') as any).value, '1073741824')
    const image = b.ctx.metadata.topic('orders')!
    assert.equal(image.topicId, t.topicId)
    assert.deepEqual(image.configs, {'retention.ms': '1000'})
    for (let p = 0; p < 3; p++) {
      assert.ok(b.ctx.replicaManager.getLog('orders', p), `log orders-${p}`)
      assert.ok(existsSync(join(b.ctx.dataDir, `orders-${p}`)))
    }
    const again = await call(b.ctx, createTopicsHandler, 7, {topics: [topic('orders')], timeoutMs: 5000})
    assert.equal(again.topics[0].errorCode, ErrorCode.TOPIC_ALREADY_EXISTS)
    assert.match(again.topics[0].errorMessage, /already exists/)
    assert.equal(again.topics[0].topicId, ZERO)
    assert.equal(again.topics[0].numPartitions, -1)
  } finally {
    await b.close()
  }
})

test('CreateTopics validateOnly creates nothing; -1 takes the broker defaults', async () => {
  const b = await makeBroker({'num.partitions': '4'})
  try {
    const res = await call(b.ctx, createTopicsHandler, 5, {topics: [topic('dry', -1, -1)], timeoutMs: 1000, validateOnly: true})
    assert.equal(res.topics[0].errorCode, 0)
    assert.equal(res.topics[0].numPartitions, 4)
    assert.equal(b.ctx.metadata.topic('dry'), undefined)
    const real = await call(b.ctx, createTopicsHandler, 4, {topics: [topic('wet', -1, -1)], timeoutMs: 1000})
    assert.equal(real.topics[0].errorCode, 0)
    assert.equal(b.ctx.metadata.topic('wet')!.partitions.length, 4)
  } finally {
    await b.close()
  }
})

test('CreateTopics rejects bad counts, configs, names, assignments and duplicates per topic', async () => {
  const b = await makeBroker()
  try {
    const res = await call(b.ctx, createTopicsHandler, 6, {
      topics: [
        topic('p0', 0),
        topic('rf0', 1, 0),
        topic('rf3', 1, 3),
        topic('badcfg', 1, 1, {configs: [{name: 'retention.ms', value: '-7'}]}),
        topic('unknowncfg', 1, 1, {configs: [{name: 'retention.weeks', value: '1'}]}),
        topic('bad name'),
        topic('both', 2, 1, {assignments: [{partitionIndex: 0, brokerIds: [0]}]}),
        topic('gap', -1, -1, {assignments: [{partitionIndex: 1, brokerIds: [0]}]}),
        topic('otherbroker', -1, -1, {assignments: [{partitionIndex: 0, brokerIds: [5]}]}),
        topic('twice'),
        topic('twice'),
        topic('good', -1, -1, {assignments: [{partitionIndex: 1, brokerIds: [0]}, {partitionIndex: 0, brokerIds: [0]}]}),
      ],
      timeoutMs: 1000,
    })
    const codes = Object.fromEntries(res.topics.map((t: any) => [t.name, t.errorCode]))
    assert.deepEqual(codes, {
      p0: ErrorCode.INVALID_PARTITIONS,
      rf0: ErrorCode.INVALID_REPLICATION_FACTOR,
      rf3: ErrorCode.INVALID_REPLICATION_FACTOR,
      badcfg: ErrorCode.INVALID_CONFIG,
      unknowncfg: ErrorCode.INVALID_CONFIG,
      'bad name': ErrorCode.INVALID_TOPIC_EXCEPTION,
      both: ErrorCode.INVALID_REQUEST,
      gap: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      otherbroker: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      twice: ErrorCode.INVALID_REQUEST,
      good: ErrorCode.NONE,
    })
    assert.equal(res.topics.length, 11, 'a duplicated name is answered once')
    const msg = (name: string) => res.topics.find((t: any) => t.name === name).errorMessage
    assert.equal(msg('badcfg'), 'Invalid value -7 for configuration retention.ms: Value must be at least -1')
    assert.equal(msg('unknowncfg'), 'Unknown topic config name: retention.weeks')
    assert.equal(b.ctx.metadata.topic('good')!.partitions.length, 2)
    assert.equal(b.ctx.metadata.topics().length, 1)
  } finally {
    await b.close()
  }
})

test('CreateTopics v0 answers without error messages', async () => {
  const b = await makeBroker()
  try {
    const res = await call(b.ctx, createTopicsHandler, 0, {topics: [topic('a'), topic('a ')], timeoutMs: 1000})
    assert.deepEqual(res.topics.map((t: any) => [t.name, t.errorCode, t.errorMessage]), [
      ['a', 0, null], ['a ', ErrorCode.INVALID_TOPIC_EXCEPTION, null],
    ])
  } finally {
    await b.close()
  }
})

test('DeleteTopics by name (v1) and by name or id (v6)', async () => {
  const b = await makeBroker()
  try {
    await call(b.ctx, createTopicsHandler, 7, {topics: [topic('t1'), topic('t2'), topic('t3')], timeoutMs: 1000})
    const id2 = b.ctx.metadata.topic('t2')!.topicId
    const v1 = await call(b.ctx, deleteTopicsHandler, 1, {topicNames: ['t1', 'nope'], timeoutMs: 1000})
    assert.deepEqual(v1.responses.map((r: any) => [r.name, r.errorCode]), [['t1', 0], ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]])
    assert.equal(b.ctx.metadata.topic('t1'), undefined)
    const missingId = '11111111-2222-3333-4444-555555555555'
    const v6 = await call(b.ctx, deleteTopicsHandler, 6, {
      topics: [{name: null, topicId: id2}, {name: null, topicId: missingId}, {name: 't3', topicId: id2}, {name: 'gone', topicId: ZERO}],
      timeoutMs: 1000,
    })
    assert.deepEqual(v6.responses.map((r: any) => [r.name, r.topicId, r.errorCode]), [
      ['t2', id2, 0],
      [null, missingId, ErrorCode.UNKNOWN_TOPIC_ID],
      ['t3', id2, ErrorCode.INVALID_REQUEST],
      ['gone', ZERO, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ])
    assert.match(v6.responses[2].errorMessage, /can not both be specified/)
    assert.deepEqual(b.ctx.metadata.topics().map((t) => t.name), ['t3'])
    // The deleted topic's logs are gone from the replica manager.
    assert.equal(b.ctx.replicaManager.getLog('t2', 0), undefined)
  } finally {
    await b.close()
  }
})

test('CreatePartitions only grows, checks assignments, and honours validateOnly', async () => {
  const b = await makeBroker()
  try {
    await call(b.ctx, createTopicsHandler, 7, {topics: [topic('grow', 1)], timeoutMs: 1000})
    const dry = await call(b.ctx, createPartitionsHandler, 3, {topics: [{name: 'grow', count: 3, assignments: null}], timeoutMs: 1000, validateOnly: true})
    assert.equal(dry.results[0].errorCode, 0)
    assert.equal(b.ctx.metadata.topic('grow')!.partitions.length, 1)
    const res = await call(b.ctx, createPartitionsHandler, 1, {topics: [{name: 'grow', count: 3, assignments: null}], timeoutMs: 1000, validateOnly: false})
    assert.equal(res.results[0].errorCode, 0)
    assert.equal(b.ctx.metadata.topic('grow')!.partitions.length, 3)
    assert.ok(b.ctx.replicaManager.getLog('grow', 2))
    const bad = await call(b.ctx, createPartitionsHandler, 2, {
      topics: [
        {name: 'grow', count: 3, assignments: null},
        {name: 'missing', count: 2, assignments: null},
        {name: 'grow2', count: 1, assignments: null},
      ],
      timeoutMs: 1000,
    })
    assert.deepEqual(bad.results.map((r: any) => [r.name, r.errorCode, r.errorMessage]), [
      ['grow', ErrorCode.INVALID_PARTITIONS, 'Topic already has 3 partitions.'],
      ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "The topic 'missing' does not exist."],
      ['grow2', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "The topic 'grow2' does not exist."],
    ])
    const lower = await call(b.ctx, createPartitionsHandler, 3, {topics: [{name: 'grow', count: 2, assignments: null}], timeoutMs: 1000})
    assert.equal(lower.results[0].errorCode, ErrorCode.INVALID_PARTITIONS)
    assert.match(lower.results[0].errorMessage, /currently has 3 partitions, which is higher than the requested 2/)
    const wrongCount = await call(b.ctx, createPartitionsHandler, 3, {topics: [{name: 'grow', count: 5, assignments: [{brokerIds: [0]}]}], timeoutMs: 1000})
    assert.equal(wrongCount.results[0].errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT)
    const twice = await call(b.ctx, createPartitionsHandler, 3, {topics: [{name: 'grow', count: 5, assignments: null}, {name: 'grow', count: 6, assignments: null}], timeoutMs: 1000})
    assert.deepEqual(twice.results.map((r: any) => r.errorCode), [ErrorCode.INVALID_REQUEST])
    const assigned = await call(b.ctx, createPartitionsHandler, 3, {topics: [{name: 'grow', count: 4, assignments: [{brokerIds: [0]}]}], timeoutMs: 1000})
    assert.equal(assigned.results[0].errorCode, 0)
    assert.equal(b.ctx.metadata.topic('grow')!.partitions.length, 4)
  } finally {
    await b.close()
  }
})
