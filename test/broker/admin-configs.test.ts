import {test} from 'node:test'
import assert from 'node:assert/strict'
import {ErrorCode} from '../../src/protocol/index.js'
import {createTopicsHandler} from '../../src/broker/handlers/19-create-topics.js'
import {describeConfigsHandler} from '../../src/broker/handlers/32-describe-configs.js'
import {alterConfigsHandler} from '../../src/broker/handlers/33-alter-configs.js'
import {incrementalAlterConfigsHandler} from '../../src/broker/handlers/44-incremental-alter-configs.js'
import {ConfigSource, TOPIC_CONFIGS} from '../../src/broker/config-defs.js'
import type {ReplicaManager} from '../../src/broker/replica-manager.js'
import type {BrokerContext} from '../../src/broker/context.js'
import {makeBroker, call} from './admin-harness.js'

const TOPIC = 2
const BROKER = 4

async function createTopic(ctx: BrokerContext, name: string, configs: Record<string, string> = {}) {
  const res = await call(ctx, createTopicsHandler, 7, {
    topics: [{name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: Object.entries(configs).map(([k, v]) => ({name: k, value: v}))}],
    timeoutMs: 1000,
  })
  assert.equal(res.topics[0].errorCode, 0, res.topics[0].errorMessage)
}

/** DescribeConfigs of one resource at v4 with synonyms and docs; returns name -> entry. */
async function describe(ctx: BrokerContext, resourceType: number, resourceName: string, keys: string[] | null = null, version = 4) {
  const res = await call(ctx, describeConfigsHandler, version, {
    resources: [{resourceType, resourceName, configurationKeys: keys}], includeSynonyms: true, includeDocumentation: true,
  })
  const r = res.results[0]
  return {result: r, byName: new Map<string, any>(r.configs.map((c: any) => [c.name, c]))}
}

test('DescribeConfigs of a topic: values, sources, synonyms, types and docs', async () => {
  const b = await makeBroker({'log.retention.hours': '24', 'log.segment.bytes': '1048576'})
  try {
    await createTopic(b.ctx, 'cfg', {'cleanup.policy': 'compact'})
    const {result, byName} = await describe(b.ctx, TOPIC, 'cfg')
    assert.equal(result.errorCode, 0)
    assert.equal(result.configs.length, TOPIC_CONFIGS.length)
    const policy = byName.get('cleanup.policy')
    assert.equal(policy.value, 'compact')
    assert.equal(policy.configSource, ConfigSource.DYNAMIC_TOPIC_CONFIG)
    assert.equal(policy.configType, 7)
    assert.deepEqual(policy.synonyms.map((s: any) => [s.name, s.value, s.source]), [
      ['cleanup.policy', 'compact', ConfigSource.DYNAMIC_TOPIC_CONFIG],
      ['log.cleanup.policy', 'delete', ConfigSource.DEFAULT_CONFIG],
    ])
    const retention = byName.get('retention.ms')
    assert.equal(retention.value, String(24 * 3600000))
    assert.equal(retention.configSource, ConfigSource.STATIC_BROKER_CONFIG)
    assert.equal(retention.configType, 5)
    assert.equal(typeof retention.documentation, 'string')
    assert.equal(byName.get('segment.bytes').value, '1048576')
    assert.equal(byName.get('min.cleanable.dirty.ratio').configType, 6)
    assert.equal(byName.get('preallocate').configType, 1)
    assert.equal(byName.get('max.message.bytes').configSource, ConfigSource.DEFAULT_CONFIG)

    const some = await describe(b.ctx, TOPIC, 'cfg', ['retention.ms', 'no.such.key'])
    assert.deepEqual([...some.byName.keys()], ['retention.ms'])

    // v0: isDefault instead of sources; v1 without includeSynonyms gets no synonyms.
    const v0 = await describe(b.ctx, TOPIC, 'cfg', ['cleanup.policy', 'max.message.bytes'], 0)
    assert.equal(v0.byName.get('cleanup.policy').isDefault, false)
    assert.equal(v0.byName.get('max.message.bytes').isDefault, true)
    const v1 = await call(b.ctx, describeConfigsHandler, 1, {resources: [{resourceType: TOPIC, resourceName: 'cfg', configurationKeys: ['cleanup.policy']}], includeSynonyms: false})
    assert.deepEqual(v1.results[0].configs[0].synonyms, [])
    assert.equal(v1.results[0].configs[0].configSource, ConfigSource.DYNAMIC_TOPIC_CONFIG)

    const missing = await describe(b.ctx, TOPIC, 'nope')
    assert.equal(missing.result.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    assert.deepEqual(missing.result.configs, [])
  } finally {
    await b.close()
  }
})

test('DescribeConfigs of the broker: static, default, read-only; other ids and types rejected', async () => {
  const b = await makeBroker({'log.segment.bytes': '1048576', 'num.partitions': '1'})
  try {
    const {result, byName} = await describe(b.ctx, BROKER, '0')
    assert.equal(result.errorCode, 0)
    assert.deepEqual([byName.get('node.id').value, byName.get('node.id').readOnly, byName.get('node.id').configSource], ['0', true, ConfigSource.STATIC_BROKER_CONFIG])
    assert.deepEqual([byName.get('log.segment.bytes').value, byName.get('log.segment.bytes').configSource], ['1048576', ConfigSource.STATIC_BROKER_CONFIG])
    assert.deepEqual([byName.get('num.partitions').value, byName.get('num.partitions').configSource], ['1', ConfigSource.DEFAULT_CONFIG])
    assert.equal(byName.get('log.retention.hours').readOnly, false)
    assert.equal(byName.get('log.dirs').value, b.ctx.dataDir)
    const res = await call(b.ctx, describeConfigsHandler, 4, {
      resources: [{resourceType: BROKER, resourceName: '7', configurationKeys: null}, {resourceType: 8, resourceName: '0', configurationKeys: null}],
    })
    assert.deepEqual(res.results.map((r: any) => r.errorCode), [ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST])
  } finally {
    await b.close()
  }
})

test('AlterConfigs replaces the whole topic override set and reaches the log config', async () => {
  const b = await makeBroker()
  try {
    await createTopic(b.ctx, 'alt', {'retention.ms': '1000', 'cleanup.policy': 'compact'})
    const dry = await call(b.ctx, alterConfigsHandler, 1, {resources: [{resourceType: TOPIC, resourceName: 'alt', configs: [{name: 'segment.bytes', value: '2048'}]}], validateOnly: true})
    assert.equal(dry.responses[0].errorCode, 0)
    assert.deepEqual(b.ctx.metadata.topic('alt')!.configs, {'retention.ms': '1000', 'cleanup.policy': 'compact'})
    const res = await call(b.ctx, alterConfigsHandler, 2, {resources: [{resourceType: TOPIC, resourceName: 'alt', configs: [{name: 'segment.bytes', value: '2048'}]}], validateOnly: false})
    assert.deepEqual(res.responses[0], {errorCode: 0, errorMessage: null, resourceType: TOPIC, resourceName: 'alt'})
    assert.deepEqual(b.ctx.metadata.topic('alt')!.configs, {'segment.bytes': '2048'})
    const lc = (b.ctx.replicaManager as ReplicaManager).logConfig('alt')!
    assert.equal(lc.segmentBytes, 2048)
    assert.equal(lc.retentionMs, 604800000)

    const bad = await call(b.ctx, alterConfigsHandler, 0, {
      resources: [
        {resourceType: TOPIC, resourceName: 'alt', configs: [{name: 'message.timestamp.type', value: 'Now'}]},
        {resourceType: TOPIC, resourceName: 'ghost', configs: []},
        {resourceType: BROKER, resourceName: '0', configs: [{name: 'node.id', value: '4'}]},
      ],
      validateOnly: false,
    })
    assert.deepEqual(bad.responses.map((r: any) => r.errorCode), [ErrorCode.INVALID_CONFIG, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.INVALID_REQUEST])
    assert.match(bad.responses[0].errorMessage, /message.timestamp.type: String must be one of: CreateTime, LogAppendTime/)
    assert.deepEqual(b.ctx.metadata.topic('alt')!.configs, {'segment.bytes': '2048'})

    const dup = await call(b.ctx, alterConfigsHandler, 1, {
      resources: [{resourceType: TOPIC, resourceName: 'alt', configs: []}, {resourceType: TOPIC, resourceName: 'alt', configs: []}],
    })
    assert.deepEqual(dup.responses.map((r: any) => r.errorCode), [ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST])
    assert.deepEqual(b.ctx.metadata.topic('alt')!.configs, {'segment.bytes': '2048'})
  } finally {
    await b.close()
  }
})

test('AlterConfigs on the broker sets dynamic defaults that topics inherit', async () => {
  const b = await makeBroker()
  try {
    await createTopic(b.ctx, 'inherit')
    const res = await call(b.ctx, alterConfigsHandler, 1, {resources: [{resourceType: BROKER, resourceName: '0', configs: [{name: 'log.retention.ms', value: '5000'}]}]})
    assert.equal(res.responses[0].errorCode, 0, res.responses[0].errorMessage)
    const {byName} = await describe(b.ctx, TOPIC, 'inherit', ['retention.ms'])
    assert.equal(byName.get('retention.ms').value, '5000')
    assert.equal(byName.get('retention.ms').configSource, ConfigSource.DYNAMIC_BROKER_CONFIG)
    assert.equal((b.ctx.replicaManager as ReplicaManager).logConfig('inherit')!.retentionMs, 5000)
    const broker = await describe(b.ctx, BROKER, '0', ['log.retention.ms'])
    assert.equal(broker.byName.get('log.retention.ms').configSource, ConfigSource.DYNAMIC_BROKER_CONFIG)
    const dflt = await describe(b.ctx, BROKER, '')
    assert.deepEqual([...dflt.byName.keys()], ['log.retention.ms'])
    assert.equal(dflt.byName.get('log.retention.ms').configSource, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG)
    // Replacing with an empty set removes the dynamic override again.
    await call(b.ctx, alterConfigsHandler, 1, {resources: [{resourceType: BROKER, resourceName: '', configs: []}]})
    assert.deepEqual(b.ctx.metadata.brokerConfigOverrides(), {})
  } finally {
    await b.close()
  }
})

test('IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT', async () => {
  const b = await makeBroker()
  try {
    await createTopic(b.ctx, 'inc', {'retention.ms': '1000'})
    const op = async (configs: object[], resourceName = 'inc', validateOnly = false) =>
      (await call(b.ctx, incrementalAlterConfigsHandler, 1, {resources: [{resourceType: TOPIC, resourceName, configs}], validateOnly})).responses[0]

    assert.equal((await op([{name: 'segment.ms', configOperation: 0, value: '60000'}, {name: 'retention.ms', configOperation: 1, value: null}])).errorCode, 0)
    assert.deepEqual(b.ctx.metadata.topic('inc')!.configs, {'segment.ms': '60000'})
    assert.equal((await op([{name: 'cleanup.policy', configOperation: 2, value: 'compact'}])).errorCode, 0)
    assert.equal(b.ctx.metadata.topic('inc')!.configs['cleanup.policy'], 'delete,compact')
    assert.equal((await op([{name: 'cleanup.policy', configOperation: 2, value: 'compact'}])).errorCode, 0)
    assert.equal(b.ctx.metadata.topic('inc')!.configs['cleanup.policy'], 'delete,compact', 'append does not repeat items')
    assert.equal((await op([{name: 'cleanup.policy', configOperation: 3, value: 'delete'}])).errorCode, 0)
    assert.equal(b.ctx.metadata.topic('inc')!.configs['cleanup.policy'], 'compact')
    assert.equal((await op([{name: 'segment.ms', configOperation: 0, value: '5'}], 'inc', true)).errorCode, 0)
    assert.equal(b.ctx.metadata.topic('inc')!.configs['segment.ms'], '60000', 'validateOnly changes nothing')

    const appendLong = await op([{name: 'retention.ms', configOperation: 2, value: '5'}])
    assert.equal(appendLong.errorCode, ErrorCode.INVALID_CONFIG)
    assert.equal(appendLong.errorMessage, 'Config value append is not allowed for config key: retention.ms')
    assert.equal((await op([{name: 'retention.ms', configOperation: 9, value: '5'}])).errorCode, ErrorCode.INVALID_REQUEST)
    assert.equal((await op([{name: 'retention.ms', configOperation: 0, value: '5'}, {name: 'retention.ms', configOperation: 1, value: null}])).errorCode, ErrorCode.INVALID_REQUEST)
    assert.equal((await op([{name: 'segment.bytes', configOperation: 0, value: 'big'}])).errorCode, ErrorCode.INVALID_CONFIG)
    assert.equal((await op([{name: 'segment.bytes', configOperation: 0, value: '4096'}], 'ghost')).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)

    const brokerSet = await call(b.ctx, incrementalAlterConfigsHandler, 0, {
      resources: [{resourceType: BROKER, resourceName: '0', configs: [{name: 'log.segment.bytes', configOperation: 0, value: '8192'}]}],
    })
    assert.equal(brokerSet.responses[0].errorCode, 0)
    assert.deepEqual(b.ctx.metadata.brokerConfigOverrides(), {'log.segment.bytes': '8192'})
    assert.equal((b.ctx.replicaManager as ReplicaManager).logConfig('inc')!.segmentBytes, 8192)
  } finally {
    await b.close()
  }
})
