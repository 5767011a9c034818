import {test} from 'node:test'
import assert from 'node:assert/strict'
import {resolve} from 'node:path'
import {ErrorCode} from '../../src/protocol/index.js'
import {encodeRecordBatch} from '../../src/records/index.js'
import {createTopicsHandler} from '../../src/broker/handlers/19-create-topics.js'
import {deleteRecordsHandler} from '../../src/broker/handlers/21-delete-records.js'
import {describeLogDirsHandler} from '../../src/broker/handlers/35-describe-log-dirs.js'
import {describeClusterHandler, CLUSTER_AUTHORIZED_OPERATIONS} from '../../src/broker/handlers/60-describe-cluster.js'
import type {BrokerContext} from '../../src/broker/context.js'
import {makeBroker, call} from './admin-harness.js'

async function createTopic(ctx: BrokerContext, name: string, partitions: number, configs: Record<string, string> = {}) {
  const res = await call(ctx, createTopicsHandler, 7, {
    topics: [{name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: Object.entries(configs).map(([k, v]) => ({name: k, value: v}))}],
    timeoutMs: 1000,
  })
  assert.equal(res.topics[0].errorCode, 0, res.topics[0].errorMessage)
}

/** Appends `n` one-record batches to a partition. */
function fill(ctx: BrokerContext, topic: string, partition: number, n: number) {
  const log = ctx.replicaManager.getLog(topic, partition)!
  for (let i = 0; i < n; i++) log.append(encodeRecordBatch({records: [{value: Buffer.from(`v${i}`)}]}))
}

test('DeleteRecords moves the log start offset; -1 means the high watermark; beyond it is out of range', async () => {
  const b = await makeBroker()
  try {
    await createTopic(b.ctx, 'dr', 2)
    await createTopic(b.ctx, 'compacted', 1, {'cleanup.policy': 'compact'})
    fill(b.ctx, 'dr', 0, 10)
    fill(b.ctx, 'dr', 1, 4)
    const req = (partitions: {partitionIndex: number; offset: bigint}[], name = 'dr') => ({topics: [{name, partitions}], timeoutMs: 1000})
    const res = await call(b.ctx, deleteRecordsHandler, 2, req([{partitionIndex: 0, offset: 5n}, {partitionIndex: 1, offset: -1n}]))
    assert.deepEqual(res.topics[0].partitions, [
      {partitionIndex: 0, lowWatermark: 5n, errorCode: 0},
      {partitionIndex: 1, lowWatermark: 4n, errorCode: 0},
    ])
    assert.equal(b.ctx.replicaManager.getLog('dr', 0)!.logStartOffset, 5n)
    // Asking for less than the current start changes nothing and reports the start.
    const back = await call(b.ctx, deleteRecordsHandler, 0, req([{partitionIndex: 0, offset: 2n}]))
    assert.deepEqual(back.topics[0].partitions[0], {partitionIndex: 0, lowWatermark: 5n, errorCode: 0})
    const errs = await call(b.ctx, deleteRecordsHandler, 1, req([{partitionIndex: 0, offset: 11n}, {partitionIndex: 0, offset: -2n}, {partitionIndex: 7, offset: 0n}]))
    assert.deepEqual(errs.topics[0].partitions.map((p: any) => [p.errorCode, p.lowWatermark]), [
      [ErrorCode.OFFSET_OUT_OF_RANGE, -1n], [ErrorCode.OFFSET_OUT_OF_RANGE, -1n], [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1n],
    ])
    const other = await call(b.ctx, deleteRecordsHandler, 2, {topics: [
      {name: 'ghost', partitions: [{partitionIndex: 0, offset: 0n}]},
      {name: 'compacted', partitions: [{partitionIndex: 0, offset: 0n}]},
    ], timeoutMs: 1000})
    assert.deepEqual(other.topics.map((t: any) => t.partitions[0].errorCode), [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.POLICY_VIOLATION])
  } finally {
    await b.close()
  }
})

test('DescribeLogDirs lists hosted partitions with sizes in the one log dir', async () => {
  const b = await makeBroker()
  try {
    await createTopic(b.ctx, 'ld', 2)
    await createTopic(b.ctx, 'other', 1)
    fill(b.ctx, 'ld', 1, 3)
    const size1 = BigInt(b.ctx.replicaManager.getLog('ld', 1)!.size)
    assert.ok(size1 > 0n)
    const all = await call(b.ctx, describeLogDirsHandler, 4, {topics: null})
    assert.equal(all.errorCode, 0)
    assert.equal(all.results.length, 1)
    const dir = all.results[0]
    assert.equal(dir.logDir, resolve(b.ctx.dataDir))
    assert.ok(dir.totalBytes > 0n && dir.usableBytes > 0n && dir.usableBytes <= dir.totalBytes)
    const ld = dir.topics.find((t: any) => t.name === 'ld')
    assert.deepEqual(ld.partitions, [
      {partitionIndex: 0, partitionSize: 0n, offsetLag: 0n, isFutureKey: false},
      {partitionIndex: 1, partitionSize: size1, offsetLag: 0n, isFutureKey: false},
    ])
    assert.ok(dir.topics.some((t: any) => t.name === 'other'))
    assert.ok(!dir.topics.some((t: any) => t.name.startsWith('__cluster_metadata')))

    const some = await call(b.ctx, describeLogDirsHandler, 1, {topics: [{topic: 'ld', partitions: [1, 9]}, {topic: 'ghost', partitions: [0]}]})
    assert.deepEqual(some.results[0].topics, [{name: 'ld', partitions: [{partitionIndex: 1, partitionSize: size1, offsetLag: 0n, isFutureKey: false}]}])
    assert.equal(some.results[0].totalBytes, -1n, 'v1 has no totalBytes (decoded default)')
  } finally {
    await b.close()
  }
})

test('DescribeCluster answers with the cluster id, this node as controller and broker', async () => {
  const b = await makeBroker({'broker.rack': 'r1'})
  try {
    const v0 = await call(b.ctx, describeClusterHandler, 0, {includeClusterAuthorizedOperations: false})
    assert.equal(v0.errorCode, 0)
    assert.equal(v0.clusterId, b.ctx.clusterId)
    assert.equal(v0.controllerId, 0)
    assert.deepEqual(v0.brokers, [{brokerId: 0, host: '127.0.0.1', port: b.ctx.port, rack: 'r1'}])
    assert.equal(v0.clusterAuthorizedOperations, -2147483648)
    const v1 = await call(b.ctx, describeClusterHandler, 1, {includeClusterAuthorizedOperations: true, endpointType: 1})
    assert.equal(v1.endpointType, 1)
    assert.equal(v1.clusterAuthorizedOperations, CLUSTER_AUTHORIZED_OPERATIONS)
    assert.ok(v1.clusterAuthorizedOperations & (1 << 8), 'DESCRIBE allowed')
    const ctl = await call(b.ctx, describeClusterHandler, 1, {includeClusterAuthorizedOperations: false, endpointType: 2})
    assert.equal(ctl.errorCode, ErrorCode.MISMATCHED_ENDPOINT_TYPE)
    assert.deepEqual(ctl.brokers, [])
  } finally {
    await b.close()
  }
})
