import {test} from 'node:test'
import assert from 'node:assert/strict'
import {
  BROKER_CONFIGS, ConfigSource, TOPIC_CONFIGS, brokerConfigDef, brokerSynonymsOf, effectiveTopicConfig, resolveTopicConfig,
  validateBrokerConfig, validateTopicConfig,
} from '../../src/broker/config-defs.js'
import {logConfigFromProps} from '../../src/storage/log-config.js'

test('every default passes its own validator and every broker synonym is a known broker config', () => {
  for (const d of [...TOPIC_CONFIGS, ...BROKER_CONFIGS]) {
    if (d.default !== null) assert.equal(d.validate?.(d.default), undefined, `${d.name}=${d.default}`)
    assert.ok(d.doc.length > 0 && !d.doc.includes('\n'), d.name)
  }
  for (const d of TOPIC_CONFIGS) {
    for (const s of brokerSynonymsOf(d.name)) assert.ok(brokerConfigDef(s.name), `${d.name} <- ${s.name}`)
  }
})

test('numeric validation: type, range, and Kafka-style messages', () => {
  assert.equal(validateTopicConfig('retention.ms', '-1'), undefined)
  assert.equal(validateTopicConfig('retention.ms', '9223372036854775807'), undefined)
  assert.equal(validateTopicConfig('retention.ms', '-2'), 'Invalid value -2 for configuration retention.ms: Value must be at least -1')
  assert.match(validateTopicConfig('retention.ms', 'abc')!, /Not a number of type LONG/)
  assert.match(validateTopicConfig('retention.ms', '9223372036854775808')!, /Not a number of type LONG/)
  assert.match(validateTopicConfig('segment.bytes', '2147483648')!, /Not a number of type INT/)
  assert.match(validateTopicConfig('segment.bytes', '13')!, /at least 14/)
  assert.equal(validateTopicConfig('segment.bytes', ' 1048576 '), undefined)
  assert.match(validateTopicConfig('min.insync.replicas', '0')!, /at least 1/)
  assert.equal(validateTopicConfig('min.cleanable.dirty.ratio', '0.25'), undefined)
  assert.match(validateTopicConfig('min.cleanable.dirty.ratio', '1.5')!, /no more than 1/)
  assert.match(validateTopicConfig('min.cleanable.dirty.ratio', 'x')!, /DOUBLE/)
})

test('enumerated, list and boolean validation', () => {
  assert.equal(validateTopicConfig('cleanup.policy', 'compact,delete'), undefined)
  assert.equal(validateTopicConfig('cleanup.policy', 'compact'), undefined)
  assert.match(validateTopicConfig('cleanup.policy', 'compact,shred')!, /String must be one of: compact, delete/)
  for (const c of ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer']) assert.equal(validateTopicConfig('compression.type', c), undefined)
  assert.match(validateTopicConfig('compression.type', 'brotli')!, /compression.type.*one of/)
  assert.equal(validateTopicConfig('message.timestamp.type', 'LogAppendTime'), undefined)
  assert.match(validateTopicConfig('message.timestamp.type', 'logappendtime')!, /CreateTime, LogAppendTime/)
  assert.equal(validateTopicConfig('preallocate', 'TRUE'), undefined)
  assert.match(validateTopicConfig('preallocate', 'yes')!, /either true or false/)
  assert.equal(validateTopicConfig('no.such.config', '1'), 'Unknown topic config name: no.such.config')
  assert.equal(validateTopicConfig('remote.storage.enable', 'false'), undefined)
  assert.match(validateTopicConfig('remote.storage.enable', 'true')!, /Tiered Storage functionality is disabled/)
})

test('broker config validation refuses read-only and unknown keys', () => {
  assert.equal(validateBrokerConfig('log.retention.ms', '1000'), undefined)
  assert.match(validateBrokerConfig('log.retention.ms', '-5')!, /at least -1/)
  assert.match(validateBrokerConfig('node.id', '3')!, /Cannot update these configs dynamically: node.id/)
  assert.match(validateBrokerConfig('bogus', '1')!, /Unknown broker config name: bogus/)
})

test('effectiveTopicConfig: override, then broker synonyms by precedence with unit conversion, then default', () => {
  const dflt = effectiveTopicConfig({}, {})
  assert.equal(dflt['retention.ms'], '604800000')
  assert.equal(dflt['segment.bytes'], '1073741824')
  assert.equal(dflt['cleanup.policy'], 'delete')
  assert.equal(dflt['max.message.bytes'], '1048588')
  assert.equal(Object.keys(dflt).length, TOPIC_CONFIGS.length)

  assert.equal(effectiveTopicConfig({}, {'log.retention.hours': '1'})['retention.ms'], '3600000')
  assert.equal(effectiveTopicConfig({}, {'log.retention.hours': '1', 'log.retention.minutes': '2'})['retention.ms'], '120000')
  assert.equal(effectiveTopicConfig({}, {'log.retention.hours': '1', 'log.retention.ms': '5'})['retention.ms'], '5')
  assert.equal(effectiveTopicConfig({}, {'log.retention.hours': '-1'})['retention.ms'], '-1')
  assert.equal(effectiveTopicConfig({'retention.ms': '7'}, {'log.retention.ms': '5'})['retention.ms'], '7')
  assert.equal(effectiveTopicConfig({}, {'log.roll.hours': '2'})['segment.ms'], '7200000')
  assert.equal(effectiveTopicConfig({}, {'message.max.bytes': '2000'})['max.message.bytes'], '2000')
  assert.equal(effectiveTopicConfig({}, {'log.segment.bytes': '4096'})['segment.bytes'], '4096')
  assert.equal(effectiveTopicConfig({}, {'min.insync.replicas': '2'})['min.insync.replicas'], '2')
})

test('effective configs are accepted by storage and reach LogConfig', () => {
  const eff = effectiveTopicConfig({'segment.bytes': '1024', 'message.timestamp.type': 'LogAppendTime'}, {'log.retention.hours': '2', 'log.roll.ms': '999'})
  const lc = logConfigFromProps(eff)
  assert.equal(lc.segmentBytes, 1024)
  assert.equal(lc.retentionMs, 7200000)
  assert.equal(lc.segmentMs, 999)
  assert.equal(lc.messageTimestampType, 'LogAppendTime')
})

test('resolveTopicConfig reports source and synonyms highest first', () => {
  const staticProps = {'log.retention.hours': '24', 'log.retention.ms': '1000'}
  const dynamic = {'log.retention.ms': '2000'}
  const withOverride = resolveTopicConfig('retention.ms', {'retention.ms': '3000'}, staticProps, dynamic)
  assert.equal(withOverride.value, '3000')
  assert.equal(withOverride.source, ConfigSource.DYNAMIC_TOPIC_CONFIG)
  assert.deepEqual(withOverride.synonyms.map((s) => [s.name, s.value, s.source]), [
    ['retention.ms', '3000', ConfigSource.DYNAMIC_TOPIC_CONFIG],
    ['log.retention.ms', '2000', ConfigSource.DYNAMIC_BROKER_CONFIG],
    ['log.retention.ms', '1000', ConfigSource.STATIC_BROKER_CONFIG],
    ['log.retention.hours', '24', ConfigSource.STATIC_BROKER_CONFIG],
    ['log.retention.hours', '168', ConfigSource.DEFAULT_CONFIG],
  ])
  const fromHours = resolveTopicConfig('retention.ms', {}, {'log.retention.hours': '24'}, {})
  assert.equal(fromHours.value, String(24 * 3600000))
  assert.equal(fromHours.source, ConfigSource.STATIC_BROKER_CONFIG)
  // A static value equal to Kafka's default counts as the default.
  const plain = resolveTopicConfig('retention.ms', {}, {'log.retention.hours': '168'}, {})
  assert.equal(plain.value, '604800000')
  assert.equal(plain.source, ConfigSource.DEFAULT_CONFIG)
  const noSynonym = resolveTopicConfig('remote.storage.enable', {}, {}, {})
  assert.deepEqual([noSynonym.value, noSynonym.source, noSynonym.synonyms.length], ['false', ConfigSource.DEFAULT_CONFIG, 0])
})
