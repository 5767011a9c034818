// Leader changes: the new leader continues under a new epoch, and a returning old leader with an
// unreplicated tail truncates to the new leader's epoch boundary (OffsetForLeaderEpoch) so logs never diverge.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {ErrorCode} from '../../src/protocol/index.js'
import {RawClient, batchOf, produceBody, within} from '../broker/core-harness.js'
import {TestCluster, waitFor} from './cluster-harness.js'

test('a returning old leader truncates its unreplicated tail to the new leader\'s epoch boundary and then matches it byte for byte', async () => {
  const c = await TestCluster.start(3)
  const clients: RawClient[] = []
  const connect = async (id: number) => {
    const cl = await RawClient.connect(c.broker(id).port)
    clients.push(cl)
    return cl
  }
  try {
    c.fake.createTopic('lc', [[0, 1, 2]])
    const c0 = await connect(0)
    for (const v of ['a', 'b']) {
      const r = await within(c0.request(0, 9, produceBody('lc', 0, batchOf([`${v}1`, `${v}2`]), -1)), 5000, 'acks=all')
      assert.equal(r.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE)
    }
    await waitFor(() => [1, 2].every((id) => c.log(id, 'lc', 0).logEndOffset === 4n), 5000, 'followers at 4')
    await c.stopNode(1)
    await c.stopNode(2)
    // The old leader takes a write nobody else gets (acks=1), then dies.
    const tail = await c0.request(0, 9, produceBody('lc', 0, batchOf(['TAILX1', 'TAILX2']), 1))
    assert.equal(tail.responses[0].partitionResponses[0].baseOffset, 4n)
    assert.equal(c.log(0, 'lc', 0).logEndOffset, 6n)
    await c.stopNode(0)

    await c.startNode(1)
    await c.startNode(2)
    c.fake.changePartition('lc', 0, {leader: 1, isr: [1, 2]})
    await waitFor(() => c.context(1).replicaManager.partition('lc', 0)?.isLeader === true, 3000, 'node 1 leads')
    assert.equal(c.context(1).replicaManager.partition('lc', 0)!.leaderEpoch, 1)
    const c1 = await connect(1)
    const fresh = await within(c1.request(0, 9, produceBody('lc', 0, batchOf(['new1']), -1)), 5000, 'acks=all on the new leader')
    assert.equal(fresh.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE)
    assert.equal(fresh.responses[0].partitionResponses[0].baseOffset, 4n)

    // OffsetForLeaderEpoch on the new leader: epoch 0 ends where epoch 1 starts.
    const ofle = await c1.request(23, 4, {replicaId: -1, topics: [{topic: 'lc', partitions: [{partition: 0, currentLeaderEpoch: 1, leaderEpoch: 0}]}]})
    assert.deepEqual(ofle.topics[0].partitions[0], {errorCode: 0, partition: 0, leaderEpoch: 0, endOffset: 4n})
    const latest = await c1.request(23, 4, {replicaId: -1, topics: [{topic: 'lc', partitions: [{partition: 0, currentLeaderEpoch: 1, leaderEpoch: 1}]}]})
    assert.equal(latest.topics[0].partitions[0].endOffset, 5n)
    const fenced = await c1.request(23, 4, {replicaId: -1, topics: [{topic: 'lc', partitions: [{partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0}]}]})
    assert.equal(fenced.topics[0].partitions[0].errorCode, ErrorCode.FENCED_LEADER_EPOCH)

    // Node 0 comes back as a follower of node 1.
    await c.startNode(0)
    await waitFor(() => [0, 1, 2].every((id) => c.log(id, 'lc', 0).logEndOffset === 5n), 5000, 'all replicas at 5')
    await waitFor(() => c.log(0, 'lc', 0).highWatermark === 5n, 5000, 'old leader learns the high watermark')
    const bytes = c.segmentBytes(1, 'lc', 0)
    assert.ok(bytes.equals(c.segmentBytes(0, 'lc', 0)), 'old leader diverges from the new leader')
    assert.ok(bytes.equals(c.segmentBytes(2, 'lc', 0)), 'replica 2 diverges from the new leader')
    assert.ok(!c.segmentBytes(0, 'lc', 0).includes(Buffer.from('TAILX1')), 'the unreplicated tail is gone')
    assert.ok(c.nodes[0].logs.some((l) => /truncating from 6 to 4/.test(l)), c.nodes[0].logs.join('\n'))
    for (const id of [0, 1, 2]) {
      assert.equal(readFileSync(join(c.partitionDir(id, 'lc', 0), 'leader-epoch-checkpoint'), 'utf8'), '0\n2\n0 0\n1 4\n')
    }
    // The old leader rejoins the ISR.
    await waitFor(() => c.fake.topic('lc')!.partitions[0].isr.includes(0), 5000, 'ISR expands with 0')
  } finally {
    for (const cl of clients) cl.close()
    await c.destroy()
  }
})

test('the high watermark survives a restart in replication-offset-checkpoint', async () => {
  const c = await TestCluster.start(2, {'replica.lag.time.max.ms': '30000'})
  try {
    c.fake.createTopic('hw', [[0, 1]])
    const cl = await RawClient.connect(c.broker(0).port)
    const r = await within(cl.request(0, 9, produceBody('hw', 0, batchOf(['x', 'y', 'z']), -1)), 5000, 'acks=all')
    assert.equal(r.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE)
    cl.close()
    await c.stopNode(1)
    // Without the follower the leader cannot commit this batch: its HW stays at 3.
    const cl2 = await RawClient.connect(c.broker(0).port)
    await cl2.request(0, 9, produceBody('hw', 0, batchOf(['w']), 1))
    cl2.close()
    assert.equal(c.log(0, 'hw', 0).highWatermark, 3n)
    assert.equal(c.log(0, 'hw', 0).logEndOffset, 4n)
    await c.stopNode(0)
    const text = readFileSync(join(c.nodes[0].dir, 'replication-offset-checkpoint'), 'utf8')
    assert.match(text, /^0\n\d+\n/)
    assert.ok(text.split('\n').includes('hw 0 3'), text)
    // Restarted as a follower of a leader that is gone, the HW is still 3 (not its log end 4).
    c.fake.changePartition('hw', 0, {leader: 1, isr: [1]})
    await c.startNode(0)
    assert.equal(c.log(0, 'hw', 0).highWatermark, 3n)
  } finally {
    await c.destroy()
  }
})
