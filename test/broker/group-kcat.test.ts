// librdkafka (kcat) against an in-process broker: the balanced consumer (-G) reads a topic and
// commits its offsets; and, now that the group APIs are advertised, `-z lz4` really writes LZ4
// batches (librdkafka silently drops LZ4 on brokers it thinks are too old).
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {openSync, readSync, closeSync} from 'node:fs'
import {join} from 'node:path'
import {readBatchHeader, CompressionType, HEADER_SIZE} from '../../src/records/index.js'
import {haveKcat} from '../helpers/broker-process.js'
import {useTestBroker, RawClient, type TestBroker} from './core-harness.js'
import {runKcat, type KcatResult} from '../helpers/kcat.js'

const noKcat = haveKcat() ? false : 'kcat is not installed: librdkafka checks skipped'

let tb: TestBroker
let bootstrap: string
useTestBroker((started) => {
  tb = started
  bootstrap = tb.bootstrap
}, {'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '3'})

const kcat = (args: string[], input?: string, timeoutMs?: number): Promise<KcatResult> => runKcat(bootstrap, args, input, timeoutMs)

test('kcat -P -z lz4 writes LZ4-compressed batches', {skip: noKcat}, async () => {
  const lines = Array.from({length: 100}, (_, i) => `lz4 record ${i} ${'x'.repeat(50)}`)
  const p = await kcat(['-P', '-t', 'lz4t', '-p', '0', '-z', 'lz4', '-X', 'linger.ms=50'], lines.join('\n') + '\n')
  assert.equal(p.code, 0, p.stderr)
  const fd = openSync(join(tb.dataDir, 'lz4t-0', '00000000000000000000.log'), 'r')
  try {
    const header = Buffer.alloc(HEADER_SIZE)
    assert.equal(readSync(fd, header, 0, HEADER_SIZE, 0), HEADER_SIZE)
    assert.equal(readBatchHeader(header, 0).compression, CompressionType.Lz4)
  } finally {
    closeSync(fd)
  }
  const c = await kcat(['-C', '-t', 'lz4t', '-p', '0', '-o', 'beginning', '-e', '-f', '%s\n'])
  assert.equal(c.code, 0, c.stderr)
  assert.deepEqual(c.stdout.trim().split('\n'), lines)
})

test('kcat -G balanced consumer reads every record and commits its offsets', {skip: noKcat}, async () => {
  const topic = 'kcat-group'
  const lines = Array.from({length: 30}, (_, i) => `g${i}`)
  const c0 = await RawClient.connect(tb.broker.port)
  try {
    const created = await c0.request(19, 4, {topics: [{name: topic, numPartitions: 2, replicationFactor: 1, assignments: [], configs: []}], timeoutMs: 5000, validateOnly: false})
    assert.equal(created.topics[0].errorCode, 0)
  } finally {
    c0.close()
  }
  const p = await kcat(['-P', '-t', topic, '-K', ':'], lines.map((l, i) => `${i % 2}${i}:${l}`).join('\n') + '\n')
  assert.equal(p.code, 0, p.stderr)
  // -e: exit once every assigned partition reached its end; auto commit stores offsets on close.
  const c = await kcat(['-G', 'kcat-grp', '-o', 'beginning', '-e', '-f', '%s\n', '-X', 'session.timeout.ms=6000', topic])
  assert.equal(c.code, 0, c.stderr)
  assert.deepEqual(c.stdout.trim().split('\n').sort(), [...lines].sort())

  const client = await RawClient.connect(tb.broker.port)
  try {
    const fetched = await client.request(9, 1, {groupId: 'kcat-grp', topics: [{name: topic, partitionIndexes: [0, 1]}]})
    const offsets = fetched.topics[0].partitions.map((x: any) => [x.partitionIndex, x.errorCode, x.committedOffset])
    const ends = await client.request(2, 1, {replicaId: -1, topics: [{name: topic, partitions: [{partitionIndex: 0, timestamp: -1n}, {partitionIndex: 1, timestamp: -1n}]}]})
    const expected = ends.topics[0].partitions.map((x: any) => [x.partitionIndex, 0, x.offset])
    assert.deepEqual(offsets, expected)
    assert.equal(expected[0][2] + expected[1][2], 30n)
  } finally {
    client.close()
  }
})
