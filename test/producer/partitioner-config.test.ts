/**
 * Partitioner and configuration: murmur2 against Kafka's known values and kafkajs's implementation
 * (loaded from node_modules at test time), sticky partitioning, property parsing and the
 * idempotence rules of Kafka 3+.
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {createRequire} from 'node:module'
import {randomBytes} from 'node:crypto'
import {
  Partitioner, ProducerConfigError, murmur2, partitionForKey, producerConfigFromProperties, resolveProducerConfig,
} from '../../src/producer/index.js'
import {CompressionType} from '../../src/records/index.js'

const require = createRequire(import.meta.url)
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (k: Buffer | string) => number
const kafkajs = require('kafkajs') as {Partitioners: {DefaultPartitioner: () => (a: object) => number}}

test('murmur2 matches the values of Kafka\'s Java client', () => {
  // From Kafka's UtilsTest.testMurmur2.
  const cases: Array<[string, number]> = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ]
  for (const [key, expected] of cases) assert.equal(murmur2(Buffer.from(key)), expected, key)
})

test('murmur2 and the key partition agree with kafkajs for random keys of every tail length', () => {
  const partitioner = kafkajs.Partitioners.DefaultPartitioner()
  for (let i = 0; i < 2000; i++) {
    const key = randomBytes(i % 67)
    assert.equal(murmur2(key), kafkajsMurmur2(key) | 0, `key ${key.toString('hex')}`)
    const numPartitions = 1 + (i % 13)
    const partitionMetadata = Array.from({length: numPartitions}, (_, p) => ({partitionId: p, leader: 0}))
    assert.equal(partitionForKey(key, numPartitions), partitioner({topic: 't', partitionMetadata, message: {key}}))
  }
  // A sub-range hashes like the same bytes on their own.
  const buf = Buffer.from('xxhello-worldyy')
  assert.equal(murmur2(buf, 2, 13), murmur2(Buffer.from('hello-world')))
})

test('sticky partitioner stays on a partition for batch.size bytes, then moves to another', () => {
  let r = 0
  const seq = [0.1, 0.9, 0.5, 0.3]
  const p = new Partitioner(1000, () => seq[r++ % seq.length])
  const first = p.stickyPartition('t', 4)
  assert.equal(first, 0)
  for (let i = 0; i < 9; i++) {
    p.onKeylessAppend('t', 4, 100)
    assert.equal(p.stickyPartition('t', 4), first, `still sticky after ${(i + 1) * 100} bytes`)
  }
  p.onKeylessAppend('t', 4, 100)
  const second = p.stickyPartition('t', 4)
  assert.notEqual(second, first, 'switches after batch.size bytes')
  // Topics are independent, and one partition means no switching.
  assert.equal(p.stickyPartition('one', 1), 0)
  p.onKeylessAppend('one', 1, 5000)
  assert.equal(p.stickyPartition('one', 1), 0)
  // Over many switches every partition gets picked.
  const q = new Partitioner(1)
  const seen = new Set<number>()
  for (let i = 0; i < 200; i++) {
    seen.add(q.stickyPartition('t', 5))
    q.onKeylessAppend('t', 5, 1)
  }
  assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4])
})

test('producer properties parse Kafka names, ignore unknown ones and name bad values', () => {
  const c = producerConfigFromProperties({
    'bootstrap.servers': 'h:1', acks: 'all', 'linger.ms': '20', 'batch.size': '65536', 'compression.type': 'zstd',
    'enable.idempotence': 'false', 'max.in.flight.requests.per.connection': '3', 'some.unknown.thing': 'x',
  })
  assert.equal(c.bootstrap, 'h:1')
  assert.equal(c.acks, -1)
  assert.equal(c.lingerMs, 20)
  assert.equal(c.batchSize, 65536)
  assert.equal(c.compressionType, 'zstd')
  assert.equal(c.enableIdempotence, false)
  assert.equal(resolveProducerConfig(c).compression, CompressionType.Zstd)
  assert.throws(() => producerConfigFromProperties({acks: '2'}, {bootstrap: 'h:1'}), (e: Error) => e instanceof ProducerConfigError && /acks/.test(e.message))
  assert.throws(() => producerConfigFromProperties({'linger.ms': 'soon'}, {bootstrap: 'h:1'}), /linger\.ms/)
  assert.throws(() => producerConfigFromProperties({'compression.type': 'brotli'}, {bootstrap: 'h:1'}), /compression\.type/)
})

test('idempotence defaults on, quietly off with acks=1, and an error when explicit and contradictory', () => {
  assert.equal(resolveProducerConfig({bootstrap: 'h:1'}).idempotence, true)
  assert.equal(resolveProducerConfig({bootstrap: 'h:1', acks: 1}).idempotence, false)
  assert.equal(resolveProducerConfig({bootstrap: 'h:1', maxInFlightRequestsPerConnection: 6}).idempotence, false)
  assert.throws(() => resolveProducerConfig({bootstrap: 'h:1', acks: 1, enableIdempotence: true}),
    (e: Error) => e instanceof ProducerConfigError && /acks must be all/.test(e.message))
  assert.throws(() => resolveProducerConfig({bootstrap: 'h:1', retries: 0, enableIdempotence: true}), /retries/)
  assert.equal(resolveProducerConfig({bootstrap: 'h:1', enableIdempotence: false}).idempotence, false)
})
