// Three KafkaRaftClients over real sockets: election, replication and commit on every node, failover
// when the leader dies, catch-up of a restarted node, and truncation of a divergent uncommitted tail.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {TestQuorum, waitFor} from '../helpers/raft-cluster.js'
import {ErrorCode, KafkaError} from '../../src/protocol/index.js'

const values = (...s: string[]) => s.map((v) => Buffer.from(v))

test('three voters elect one leader, commit on every node, fail over and catch up', async () => {
  const q = new TestQuorum(3)
  try {
    await q.start()
    const first = await q.waitForLeader()
    const epoch1 = first.client!.leaderAndEpoch().epoch
    assert.ok(epoch1 >= 1)
    await waitFor(() => first.listener.leaderEpochs.includes(epoch1), 2000, 'onBecomeLeader on the leader')
    for (const n of q.nodes) if (n !== first) assert.deepEqual(n.listener.leaderEpochs, [], 'only the leader hears onBecomeLeader')

    const offsets: bigint[] = []
    for (let i = 0; i < 5; i++) offsets.push(await first.client!.appendAndCommit(values(`a${i}`, `b${i}`)))
    assert.deepEqual(offsets, [...offsets].sort((x, y) => (x < y ? -1 : 1)), 'offsets grow')
    const expected = [0, 1, 2, 3, 4].flatMap((i) => [`a${i}`, `b${i}`])
    await waitFor(() => q.nodes.every((n) => n.listener.values().length === expected.length), 3000, 'commits on all nodes')
    for (const n of q.nodes) {
      assert.deepEqual(n.listener.values(), expected, `node ${n.id} delivered the same values`)
      assert.deepEqual(n.listener.batches.map((b) => b.lastOffset), offsets, `node ${n.id} delivered the same batches`)
      assert.ok(n.listener.batches.every((b) => b.epoch === epoch1))
    }
    // A follower refuses writes.
    const follower = q.nodes.find((n) => n !== first)!
    await assert.rejects(follower.client!.appendAndCommit(values('x')), (e: unknown) => e instanceof KafkaError && e.code === ErrorCode.NOT_CONTROLLER)
    // The leader's quorum view.
    await waitFor(() => first.client!.describeQuorum().voters.every((v) => v.logEndOffset === first.client!.logEndOffset), 2000, 'voters caught up')
    const dq = first.client!.describeQuorum()
    assert.equal(dq.leaderId, first.id)
    assert.equal(dq.highWatermark, first.client!.logEndOffset)
    assert.equal(dq.voters.length, 3)
    const wire: any = follower.client!.handleDescribeQuorum({topics: [{topicName: '__cluster_metadata', partitions: [{partitionIndex: 0}]}]})
    assert.equal(wire.topics[0].partitions[0].errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER)
    const lw: any = first.client!.handleDescribeQuorum({topics: [{topicName: '__cluster_metadata', partitions: [{partitionIndex: 0}]}]})
    assert.equal(lw.topics[0].partitions[0].errorCode, 0)
    assert.equal(lw.topics[0].partitions[0].currentVoters.length, 3)

    // Kill the leader: a new one within a couple of seconds, and writes continue.
    const started = Date.now()
    await q.kill(first.id)
    const second = await q.waitForLeader(3000, first.id)
    assert.ok(Date.now() - started < 3000)
    const epoch2 = second.client!.leaderAndEpoch().epoch
    assert.ok(epoch2 > epoch1)
    await second.client!.appendAndCommit(values('c0'))
    await second.client!.appendAndCommit(values('c1'))
    const all = [...expected, 'c0', 'c1']
    const live = q.nodes.filter((n) => n.client)
    await waitFor(() => live.every((n) => n.listener.values().length === all.length), 3000, 'commits after failover')
    for (const n of live) assert.deepEqual(n.listener.values(), all)

    // The old leader restarts on its data dir and catches up as a follower (replaying from offset 0).
    await q.restart(first.id)
    let caughtUp = false
    void first.client!.caughtUp().then(() => (caughtUp = true))
    await waitFor(() => caughtUp, 5000, 'caughtUp() on the restarted node')
    assert.deepEqual(first.listener.values(), all, 'caught up means everything committed was delivered')
    assert.deepEqual(first.listener.values(), all)
    await q.waitForLeader(3000)
    assert.equal(q.leader()!.id, second.id, 'the restarted node did not disrupt the leader')
    assert.equal(first.client!.state, 'follower')
  } finally {
    await q.destroy()
  }
})

test('a follower with a divergent uncommitted tail truncates it', async () => {
  const q = new TestQuorum(3)
  try {
    await q.start()
    const old = await q.waitForLeader()
    await old.client!.appendAndCommit(values('committed'))
    await waitFor(() => q.nodes.every((n) => n.listener.values().length === 1), 3000, 'first commit everywhere')
    const others = q.nodes.filter((n) => n !== old)
    for (const n of others) await q.kill(n.id)
    // Alone, the leader appends entries that can never commit.
    const lost = old.client!.appendAndCommit(values('lost-1', 'lost-2'))
    const lostResult = lost.then(() => 'committed', (e) => e)
    assert.equal(old.client!.committedOffset < old.client!.logEndOffset, true, 'the tail is uncommitted')
    await q.kill(old.id)
    const err = await lostResult
    assert.ok(err instanceof KafkaError && err.code === ErrorCode.NOT_CONTROLLER, `uncommitted append rejected (${err})`)

    for (const n of others) await q.restart(n.id)
    const fresh = await q.waitForLeader(5000)
    assert.notEqual(fresh.id, old.id)
    await fresh.client!.appendAndCommit(values('new-1'))
    await fresh.client!.appendAndCommit(values('new-2'))

    await q.restart(old.id)
    const want = ['committed', 'new-1', 'new-2']
    await waitFor(() => q.nodes.every((n) => n.listener.values().length === want.length), 5000, 'all nodes agree after truncation')
    for (const n of q.nodes) assert.deepEqual(n.listener.values(), want, `node ${n.id}`)
    assert.ok(old.logs.some((l) => l.includes('truncates')), 'the old leader truncated')
    await waitFor(() => old.client!.logEndOffset === fresh.client!.logEndOffset, 3000, 'same log end')
  } finally {
    await q.destroy()
  }
})
