// logConfigFromProps: Kafka topic config names, broker defaults and their precedence; checkpoint text format.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {DEFAULT_LOG_CONFIG, NEVER, logConfigFromProps, logConfigToProps} from '../../src/storage/log-config.js'
import {formatOffsetCheckpoint, parseOffsetCheckpoint} from '../../src/storage/checkpoint.js'

test("defaults are Kafka's", () => {
  const c = logConfigFromProps({})
  assert.deepEqual(c, {...DEFAULT_LOG_CONFIG})
  assert.equal(c.segmentBytes, 1073741824)
  assert.equal(c.retentionMs, 604800000)
  assert.equal(c.flushMessages, NEVER)
})

test('topic names override broker names; hours and minutes convert; Long.MAX_VALUE means never', () => {
  const broker = logConfigFromProps({'log.segment.bytes': '1000', 'log.retention.hours': '2', 'log.roll.hours': '1',
    'log.retention.bytes': '5000', 'message.max.bytes': '2000', 'log.message.timestamp.type': 'LogAppendTime',
    'log.flush.interval.messages': '9223372036854775807', 'log.index.interval.bytes': '100', 'log.index.size.max.bytes': '800'})
  assert.equal(broker.segmentBytes, 1000)
  assert.equal(broker.retentionMs, 7200000)
  assert.equal(broker.segmentMs, 3600000)
  assert.equal(broker.retentionBytes, 5000)
  assert.equal(broker.maxMessageBytes, 2000)
  assert.equal(broker.messageTimestampType, 'LogAppendTime')
  assert.equal(broker.flushMessages, NEVER)
  assert.equal(broker.indexIntervalBytes, 100)
  assert.equal(broker.segmentIndexBytes, 800)
  assert.equal(logConfigFromProps({'log.retention.ms': '5', 'log.retention.minutes': '1', 'log.retention.hours': '1'}).retentionMs, 5)
  assert.equal(logConfigFromProps({'log.retention.minutes': '1', 'log.retention.hours': '1'}).retentionMs, 60000)
  assert.equal(logConfigFromProps({'log.retention.hours': '-1'}).retentionMs, -1)
  const topic = logConfigFromProps({'segment.bytes': '4096', 'retention.ms': '-1', 'segment.ms': '10', 'cleanup.policy': 'compact, delete',
    'flush.messages': '1', 'flush.ms': '100', 'max.message.bytes': '10', 'message.timestamp.type': 'CreateTime'}, broker)
  assert.equal(topic.segmentBytes, 4096)
  assert.equal(topic.retentionMs, -1)
  assert.equal(topic.segmentMs, 10)
  assert.equal(topic.retentionBytes, 5000, 'inherited from the broker config')
  assert.equal(topic.cleanupPolicy, 'compact,delete')
  assert.equal(topic.flushMessages, 1)
  assert.equal(topic.flushMs, 100)
  assert.equal(topic.messageTimestampType, 'CreateTime')
  assert.equal(logConfigToProps(topic)['segment.bytes'], '4096')
  assert.equal(logConfigToProps(DEFAULT_LOG_CONFIG)['flush.ms'], '9223372036854775807')
})

test('invalid values are rejected', () => {
  assert.throws(() => logConfigFromProps({'segment.bytes': 'big'}), /segment\.bytes/)
  assert.throws(() => logConfigFromProps({'segment.bytes': '10'}), /at least 14/)
  assert.throws(() => logConfigFromProps({'message.timestamp.type': 'Now'}), /message\.timestamp\.type/)
  assert.throws(() => logConfigFromProps({'cleanup.policy': 'shred'}), /cleanup\.policy/)
})

test('checkpoint text: version, count, "topic partition offset" lines; malformed files throw', () => {
  const text = formatOffsetCheckpoint([{topic: 'a-b', partition: 3, offset: 42n}, {topic: 'c', partition: 0, offset: 9007199254740993n}])
  assert.equal(text, '0\n2\na-b 3 42\nc 0 9007199254740993\n')
  assert.deepEqual(parseOffsetCheckpoint(text), [{topic: 'a-b', partition: 3, offset: 42n}, {topic: 'c', partition: 0, offset: 9007199254740993n}])
  assert.deepEqual(parseOffsetCheckpoint('0\n0\n'), [])
  assert.throws(() => parseOffsetCheckpoint('1\n0\n'), /version/)
  assert.throws(() => parseOffsetCheckpoint('0\n2\na 0 1\n'), /expected 2/)
  assert.throws(() => parseOffsetCheckpoint('0\n1\na x 1\n'), /malformed/)
})
