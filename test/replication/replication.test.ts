// Replication across three in-process brokers over a shared fake metadata image: acks=all, byte-identical
// replicas, follower high watermarks, min.insync.replicas, ISR shrink/expand.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {ErrorCode} from '../../src/protocol/index.js'
import {RawClient, batchOf, produceBody, within} from '../broker/core-harness.js'
import {TestCluster, waitFor} from './cluster-harness.js'

test('acks=all to the leader lands byte-identical on all three replicas and followers learn the high watermark', async () => {
  const c = await TestCluster.start(3)
  const client = await RawClient.connect(c.broker(0).port)
  try {
    c.fake.createTopic('rep', [[0, 1, 2]])
    for (let i = 0; i < 5; i++) {
      const res = await within(client.request(0, 9, produceBody('rep', 0, batchOf([`a${i}`, `b${i}`]), -1)), 5000, 'acks=all produce')
      const p = res.responses[0].partitionResponses[0]
      assert.equal(p.errorCode, ErrorCode.NONE, p.errorMessage)
      assert.equal(p.baseOffset, BigInt(i * 2))
      // acks=all answered: the leader's high watermark covers the batch
      assert.ok(c.log(0, 'rep', 0).highWatermark >= BigInt(i * 2 + 2))
    }
    await waitFor(() => [0, 1, 2].every((id) => c.log(id, 'rep', 0).logEndOffset === 10n), 5000, 'followers catch up')
    await waitFor(() => [1, 2].every((id) => c.log(id, 'rep', 0).highWatermark === 10n), 5000, 'follower high watermarks')
    const leaderBytes = c.segmentBytes(0, 'rep', 0)
    assert.ok(leaderBytes.length > 0)
    assert.ok(leaderBytes.equals(c.segmentBytes(1, 'rep', 0)), 'replica 1 differs from the leader')
    assert.ok(leaderBytes.equals(c.segmentBytes(2, 'rep', 0)), 'replica 2 differs from the leader')
    for (const id of [0, 1, 2]) assert.deepEqual(c.log(id, 'rep', 0).leaderEpochCache.epochEntries, [{epoch: 0, startOffset: 0n}])
    assert.deepEqual(c.fake.topic('rep')!.partitions[0].isr, [0, 1, 2])
  } finally {
    client.close()
    await c.destroy()
  }
})

test('requests to a follower get NOT_LEADER_OR_FOLLOWER; Fetch v12 names the current leader; stale epochs are fenced', async () => {
  const c = await TestCluster.start(3)
  const follower = await RawClient.connect(c.broker(1).port)
  const leader = await RawClient.connect(c.broker(0).port)
  try {
    c.fake.createTopic('nl', [[0, 1, 2]])
    c.fake.changePartition('nl', 0, {leader: 0}) // same leader: only the partition epoch moves
    const produced = await follower.request(0, 9, produceBody('nl', 0, batchOf(['x']), 1))
    assert.equal(produced.responses[0].partitionResponses[0].errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER)
    const fetchReq = (epoch: number) => ({
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{topic: 'nl', partitions: [{partition: 0, currentLeaderEpoch: epoch, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20}]}],
      forgottenTopicsData: [], rackId: '',
    })
    const fetched = await follower.request(1, 12, fetchReq(-1))
    const fp = fetched.responses[0].partitions[0]
    assert.equal(fp.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER)
    assert.deepEqual(fp.currentLeader, {leaderId: 0, leaderEpoch: 0})
    const lo = await follower.request(2, 7, {replicaId: -1, isolationLevel: 0, topics: [{name: 'nl', partitions: [{partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n}]}]})
    assert.equal(lo.topics[0].partitions[0].errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER)
    // A leader change bumps the epoch: the old epoch is fenced, a future one unknown.
    c.fake.changePartition('nl', 0, {leader: 1})
    await waitFor(() => c.context(1).replicaManager.partition('nl', 0)!.isLeader, 2000, 'node 1 leads')
    const newLeader = await follower.request(1, 12, fetchReq(0))
    assert.equal(newLeader.responses[0].partitions[0].errorCode, ErrorCode.FENCED_LEADER_EPOCH)
    const future = await follower.request(1, 12, fetchReq(5))
    assert.equal(future.responses[0].partitions[0].errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH)
    const ok = await follower.request(1, 12, fetchReq(1))
    assert.equal(ok.responses[0].partitions[0].errorCode, ErrorCode.NONE)
    const old = await leader.request(0, 9, produceBody('nl', 0, batchOf(['y']), 1))
    assert.equal(old.responses[0].partitionResponses[0].errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER)
    // Offline partition
    c.fake.changePartition('nl', 0, {leader: -1})
    const offline = await follower.request(0, 9, produceBody('nl', 0, batchOf(['z']), 1))
    assert.equal(offline.responses[0].partitionResponses[0].errorCode, ErrorCode.LEADER_NOT_AVAILABLE)
  } finally {
    follower.close()
    leader.close()
    await c.destroy()
  }
})

test('min.insync.replicas=2 with both followers down: ISR shrinks, acks=all gets NOT_ENOUGH_REPLICAS, acks=1 works; ISR expands after catch-up', async () => {
  const c = await TestCluster.start(3)
  const client = await RawClient.connect(c.broker(0).port)
  try {
    c.fake.createTopic('mi', [[0, 1, 2]], {'min.insync.replicas': '2'})
    const first = await client.request(0, 9, produceBody('mi', 0, batchOf(['one']), -1))
    assert.equal(first.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE)
    await c.stopNode(1)
    await c.stopNode(2)
    // replica.lag.time.max.ms is 800 here: the leader drops both followers through AlterPartition.
    await waitFor(() => c.fake.topic('mi')!.partitions[0].isr.join() === '0', 5000, 'ISR shrink to [0]')
    assert.ok(c.fake.alterRequests.some((r) => r.ok && r.newIsr.join() === '0'))
    const refused = await client.request(0, 9, produceBody('mi', 0, batchOf(['two']), -1))
    assert.equal(refused.responses[0].partitionResponses[0].errorCode, ErrorCode.NOT_ENOUGH_REPLICAS)
    const logEnd = c.log(0, 'mi', 0).logEndOffset
    assert.equal(logEnd, 1n, 'a refused acks=all batch is not appended')
    const acks1 = await client.request(0, 9, produceBody('mi', 0, batchOf(['three', 'four']), 1))
    assert.equal(acks1.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE)
    assert.equal(acks1.responses[0].partitionResponses[0].baseOffset, 1n)
    // With the ISR being the leader alone, its high watermark is its log end.
    assert.equal(c.log(0, 'mi', 0).highWatermark, 3n)
    // Node 1 returns, catches up and is added back; acks=all works again.
    await c.startNode(1)
    await waitFor(() => c.fake.topic('mi')!.partitions[0].isr.includes(1), 5000, 'ISR expand with 1')
    assert.equal(c.log(1, 'mi', 0).logEndOffset, 3n)
    const again = await within(client.request(0, 9, produceBody('mi', 0, batchOf(['five']), -1)), 5000, 'acks=all after expand')
    assert.equal(again.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE)
    await waitFor(() => c.log(1, 'mi', 0).logEndOffset === 4n, 3000, 'follower 1 has the new batch')
    assert.ok(c.segmentBytes(0, 'mi', 0).equals(c.segmentBytes(1, 'mi', 0)))
  } finally {
    client.close()
    await c.destroy()
  }
})

test('acks=all waiting while the ISR shrinks below min.insync.replicas gets NOT_ENOUGH_REPLICAS_AFTER_APPEND, the batch stays written', async () => {
  // 2 s of lag allowed: stopping the followers and sending must fit in it on a loaded machine.
  const c = await TestCluster.start(3, {'replica.lag.time.max.ms': '2000'})
  const client = await RawClient.connect(c.broker(0).port)
  try {
    c.fake.createTopic('after', [[0, 1, 2]], {'min.insync.replicas': '2'})
    const first = await within(client.request(0, 9, produceBody('after', 0, batchOf(['one']), -1)), 5000, 'first acks=all')
    assert.equal(first.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE)
    await c.stopNode(1)
    await c.stopNode(2)
    // The followers were caught up a moment ago, so the batch is accepted; only the leader has it, and
    // the high watermark reaches it once replica.lag.time.max.ms drops both from the ISR.
    const body = {...(produceBody('after', 0, batchOf(['two']), -1) as any), timeoutMs: 10_000}
    const res = await within(client.request(0, 9, body), 8000, 'acks=all across the ISR shrink')
    const p = res.responses[0].partitionResponses[0]
    assert.equal(p.errorCode, ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, p.errorMessage)
    assert.deepEqual(c.fake.topic('after')!.partitions[0].isr, [0])
    assert.equal(c.log(0, 'after', 0).logEndOffset, 2n, 'the batch is in the log')
    assert.equal(c.log(0, 'after', 0).highWatermark, 2n)
  } finally {
    client.close()
    await c.destroy()
  }
})

test('acks=all times out with REQUEST_TIMED_OUT while an ISR follower does not replicate', async () => {
  const c = await TestCluster.start(2, {'replica.lag.time.max.ms': '30000'})
  const client = await RawClient.connect(c.broker(0).port)
  try {
    c.fake.createTopic('to', [[0, 1]])
    await c.stopNode(1)
    const body = {...(produceBody('to', 0, batchOf(['late']), -1) as any), timeoutMs: 300}
    const started = Date.now()
    const res = await within(client.request(0, 9, body), 5000, 'timed out produce')
    assert.equal(res.responses[0].partitionResponses[0].errorCode, ErrorCode.REQUEST_TIMED_OUT)
    assert.ok(Date.now() - started >= 250)
    assert.equal(c.log(0, 'to', 0).highWatermark, 0n, 'nothing is committed without the ISR')
  } finally {
    client.close()
    await c.destroy()
  }
})
