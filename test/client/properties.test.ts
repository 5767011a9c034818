/** The property parsers of the producer and the consumer: Kafka names in, typed configs out, errors naming the property. */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {ConsumerConfigError, consumerConfigFromProperties} from '../../src/consumer/index.js'
import {ProducerConfigError, producerConfigFromProperties} from '../../src/producer/index.js'

test('consumer properties: numbers, booleans, librdkafka spellings, unknown names ignored', () => {
  const c = consumerConfigFromProperties({
    'bootstrap.servers': 'h:1', 'group.id': 'g', 'fetch.min.bytes': ' 1024 ', 'enable.auto.commit': 'FALSE',
    'auto.offset.reset': 'smallest', 'isolation.level': 'read_committed', 'no.such.property': 'x',
    'partition.assignment.strategy': 'org.apache.kafka.clients.consumer.RoundRobinAssignor, cooperative-sticky',
  })
  assert.equal(c.bootstrap, 'h:1')
  assert.equal(c.fetchMinBytes, 1024)
  assert.equal(c.enableAutoCommit, false)
  assert.equal(c.autoOffsetReset, 'earliest')
  assert.equal(c.isolationLevel, 'read_committed')
  assert.deepEqual(c.partitionAssignmentStrategy, ['roundrobin', 'cooperative-sticky'])
})

test('consumer properties: a bad value names the property; bootstrap.servers is required', () => {
  assert.throws(() => consumerConfigFromProperties({'bootstrap.servers': 'h:1', 'fetch.min.bytes': '1k'}),
    (e: Error) => e instanceof ConsumerConfigError && /fetch\.min\.bytes/.test(e.message))
  assert.throws(() => consumerConfigFromProperties({'bootstrap.servers': 'h:1', 'auto.offset.reset': 'oldest'}),
    /invalid value "oldest" for auto.offset.reset: expected earliest, latest or none/)
  assert.throws(() => consumerConfigFromProperties({'check.crcs': 'yes', 'bootstrap.servers': 'h:1'}), /check\.crcs: expected true or false/)
  assert.throws(() => consumerConfigFromProperties({}), /bootstrap.servers is required/)
})

test('producer properties: acks, codecs and idempotence rules', () => {
  const p = producerConfigFromProperties({'bootstrap.servers': 'h:1', acks: 'all', 'compression.type': 'ZSTD', 'linger.ms': '20'}, {clientId: 'x'})
  assert.equal(p.acks, -1)
  assert.equal(p.compressionType, 'zstd')
  assert.equal(p.lingerMs, 20)
  assert.equal(p.clientId, 'x')
  assert.throws(() => producerConfigFromProperties({'bootstrap.servers': 'h:1', 'compression.type': 'brotli'}),
    (e: Error) => e instanceof ProducerConfigError && /expected none, gzip, snappy, lz4 or zstd/.test(e.message))
  assert.throws(() => producerConfigFromProperties({'bootstrap.servers': 'h:1', acks: '1', 'enable.idempotence': 'true'}),
    /enable.idempotence=true needs: acks must be all/)
})
