// Group APIs on the wire, as old and new clients speak them: JoinGroup v4's MEMBER_ID_REQUIRED
// dance; kafka-python's v0/v1/v2 flow (FindCoordinator v0, JoinGroup, SyncGroup, Heartbeat,
// OffsetCommit v2, OffsetFetch v1, LeaveGroup) including a rebalance when a second member joins;
// and the admin side (DescribeGroups, ListGroups, DeleteGroups, OffsetDelete, OffsetFetch v8).
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {useTestBroker, startTestBroker, RawClient, autoCreate, type TestBroker} from './core-harness.js'

let tb: TestBroker
useTestBroker((started) => {
  tb = started
}, {'group.initial.rebalance.delay.ms': '100', 'offsets.topic.num.partitions': '4'})

const FIND = 10, JOIN = 11, HEARTBEAT = 12, LEAVE = 13, SYNC = 14, DESCRIBE = 15, LIST = 16, COMMIT = 8, FETCH = 9, DELETE_GROUPS = 42, OFFSET_DELETE = 47
const protocols = [{name: 'range', metadata: Buffer.from('meta')}]

function join(version: number, groupId: string, memberId: string, extra: object = {}): object {
  return {groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 5000, memberId, groupInstanceId: null, protocolType: 'consumer', protocols, ...extra}
}

test('JoinGroup v4 without a member id gets MEMBER_ID_REQUIRED, then joins with it', async () => {
  const c = await RawClient.connect(tb.broker.port)
  try {
    const first = await c.request(JOIN, 4, join(4, 'g-v4', ''))
    assert.equal(first.errorCode, 79)
    assert.match(first.memberId, /^core-test-[0-9a-f-]{36}$/)
    const second = await c.request(JOIN, 4, join(4, 'g-v4', first.memberId))
    assert.equal(second.errorCode, 0)
    assert.equal(second.generationId, 1)
    assert.equal(second.leader, first.memberId)
    assert.equal(second.protocolName, 'range')
    assert.deepEqual(second.members.map((m: any) => [m.memberId, m.metadata.toString()]), [[first.memberId, 'meta']])
    // v7 also names the protocol type.
    const again = await c.request(JOIN, 7, join(7, 'g-v4', first.memberId))
    assert.equal(again.errorCode, 0)
    assert.equal(again.protocolType, 'consumer')
  } finally {
    c.close()
  }
})

test('kafka-python style v0/v1/v2 flow: join, sync, heartbeat, commit, fetch, rebalance, leave', async () => {
  await autoCreate(await RawClient.connect(tb.broker.port), 'py-topic')
  const a = await RawClient.connect(tb.broker.port)
  const b = await RawClient.connect(tb.broker.port)
  try {
    const coordinator = await a.request(FIND, 0, {key: 'py-group'})
    assert.deepEqual([coordinator.errorCode, coordinator.nodeId, coordinator.port], [0, 0, tb.broker.port])

    const j1 = await a.request(JOIN, 2, join(2, 'py-group', ''))
    assert.equal(j1.errorCode, 0)
    assert.equal(j1.generationId, 1)
    assert.equal(j1.leader, j1.memberId)
    const s1 = await a.request(SYNC, 1, {groupId: 'py-group', generationId: 1, memberId: j1.memberId, assignments: [{memberId: j1.memberId, assignment: Buffer.from('all')}]})
    assert.deepEqual([s1.errorCode, s1.assignment.toString()], [0, 'all'])
    assert.equal((await a.request(HEARTBEAT, 1, {groupId: 'py-group', generationId: 1, memberId: j1.memberId})).errorCode, 0)
    assert.equal((await a.request(HEARTBEAT, 0, {groupId: 'py-group', generationId: 7, memberId: j1.memberId})).errorCode, 22)
    assert.equal((await a.request(HEARTBEAT, 0, {groupId: 'py-group', generationId: 1, memberId: 'nobody'})).errorCode, 25)

    const commit = await a.request(COMMIT, 2, {groupId: 'py-group', generationId: 1, memberId: j1.memberId, retentionTimeMs: -1n,
      topics: [{name: 'py-topic', partitions: [{partitionIndex: 0, committedOffset: 42n, committedMetadata: 'm'}, {partitionIndex: 9, committedOffset: 1n, committedMetadata: null}]}]})
    assert.deepEqual(commit.topics[0].partitions.map((p: any) => [p.partitionIndex, p.errorCode]), [[0, 0], [9, 3]])
    const stale = await a.request(COMMIT, 2, {groupId: 'py-group', generationId: 0, memberId: j1.memberId, retentionTimeMs: -1n,
      topics: [{name: 'py-topic', partitions: [{partitionIndex: 0, committedOffset: 1n, committedMetadata: ''}]}]})
    assert.equal(stale.topics[0].partitions[0].errorCode, 22)
    const fetched = await a.request(FETCH, 1, {groupId: 'py-group', topics: [{name: 'py-topic', partitionIndexes: [0]}, {name: 'other', partitionIndexes: [3]}]})
    assert.deepEqual(fetched.topics.map((t: any) => [t.name, t.partitions[0].committedOffset, t.partitions[0].metadata, t.partitions[0].errorCode]),
      [['py-topic', 42n, 'm', 0], ['other', -1n, '', 0]])

    // A second member joins: the join waits until the first member rejoins (told by its heartbeat).
    const bJoin = b.request(JOIN, 2, join(2, 'py-group', ''))
    await new Promise((r) => setTimeout(r, 100))
    assert.equal((await a.request(HEARTBEAT, 1, {groupId: 'py-group', generationId: 1, memberId: j1.memberId})).errorCode, 27)
    const described = await a.request(DESCRIBE, 0, {groups: ['py-group']})
    assert.equal(described.groups[0].groupState, 'PreparingRebalance')
    const [j2a, j2b] = await Promise.all([a.request(JOIN, 2, join(2, 'py-group', j1.memberId)), bJoin])
    assert.deepEqual([j2a.errorCode, j2b.errorCode, j2a.generationId, j2b.generationId], [0, 0, 2, 2])
    assert.equal(j2a.leader, j1.memberId)
    assert.equal(j2a.members.length, 2)
    assert.equal(j2b.members.length, 0)
    // The follower's sync waits for the leader's.
    const bSync = b.request(SYNC, 0, {groupId: 'py-group', generationId: 2, memberId: j2b.memberId, assignments: []})
    await new Promise((r) => setTimeout(r, 50))
    const aSync = await a.request(SYNC, 0, {groupId: 'py-group', generationId: 2, memberId: j1.memberId,
      assignments: [{memberId: j1.memberId, assignment: Buffer.from('A')}, {memberId: j2b.memberId, assignment: Buffer.from('B')}]})
    assert.deepEqual([aSync.errorCode, aSync.assignment.toString()], [0, 'A'])
    const bs = await bSync
    assert.deepEqual([bs.errorCode, bs.assignment.toString()], [0, 'B'])

    const desc = await a.request(DESCRIBE, 5, {groups: ['py-group', 'nope'], includeAuthorizedOperations: true})
    assert.deepEqual([desc.groups[0].groupState, desc.groups[0].protocolType, desc.groups[0].protocolData], ['Stable', 'consumer', 'range'])
    assert.deepEqual(desc.groups[0].members.map((m: any) => m.memberAssignment.toString()).sort(), ['A', 'B'])
    assert.equal(desc.groups[0].members[0].clientHost, '/127.0.0.1')
    assert.equal(desc.groups[1].groupState, 'Dead')
    const listed = await a.request(LIST, 4, {statesFilter: ['stable']})
    assert.ok(listed.groups.some((g: any) => g.groupId === 'py-group' && g.groupState === 'Stable'))
    assert.equal((await a.request(DELETE_GROUPS, 0, {groupsNames: ['py-group']})).results[0].errorCode, 68)

    // Leaving: b goes (v0), a's next heartbeat says rebalance; a rejoins alone.
    assert.equal((await b.request(LEAVE, 0, {groupId: 'py-group', memberId: j2b.memberId})).errorCode, 0)
    assert.equal((await b.request(HEARTBEAT, 0, {groupId: 'py-group', generationId: 2, memberId: j2b.memberId})).errorCode, 25)
    assert.equal((await a.request(HEARTBEAT, 1, {groupId: 'py-group', generationId: 2, memberId: j1.memberId})).errorCode, 27)
    const j3 = await a.request(JOIN, 2, join(2, 'py-group', j1.memberId))
    assert.deepEqual([j3.errorCode, j3.generationId, j3.members.length], [0, 3, 1])
    const leave = await a.request(LEAVE, 3, {groupId: 'py-group', members: [{memberId: j1.memberId, groupInstanceId: null}, {memberId: 'ghost', groupInstanceId: null}]})
    assert.deepEqual(leave.members.map((m: any) => m.errorCode), [0, 25])
    const empty = await a.request(DESCRIBE, 0, {groups: ['py-group']})
    assert.equal(empty.groups[0].groupState, 'Empty')

    // Empty: simple commits (generation -1) are allowed again; OffsetDelete and DeleteGroups work.
    const simple = await a.request(COMMIT, 2, {groupId: 'py-group', generationId: -1, memberId: '', retentionTimeMs: -1n,
      topics: [{name: 'py-topic', partitions: [{partitionIndex: 0, committedOffset: 50n, committedMetadata: ''}]}]})
    assert.equal(simple.topics[0].partitions[0].errorCode, 0)
    const v8 = await a.request(FETCH, 8, {groups: [{groupId: 'py-group', topics: null}, {groupId: 'unknown-group', topics: null}], requireStable: false})
    assert.deepEqual(v8.groups.map((g: any) => [g.groupId, g.errorCode, g.topics.map((t: any) => [t.name, t.partitions.map((p: any) => p.committedOffset)])]),
      [['py-group', 0, [['py-topic', [50n]]]], ['unknown-group', 0, []]])
    const od = await a.request(OFFSET_DELETE, 0, {groupId: 'py-group', topics: [{name: 'py-topic', partitions: [{partitionIndex: 0}]}, {name: 'zzz', partitions: [{partitionIndex: 0}]}]})
    assert.deepEqual([od.errorCode, od.topics.map((t: any) => t.partitions[0].errorCode)], [0, [0, 3]])
    const after = await a.request(FETCH, 3, {groupId: 'py-group', topics: null})
    assert.deepEqual(after.topics, [])
    assert.equal((await a.request(DELETE_GROUPS, 2, {groupsNames: ['py-group']})).results[0].errorCode, 0)
    assert.equal((await a.request(DELETE_GROUPS, 1, {groupsNames: ['py-group']})).results[0].errorCode, 69)
  } finally {
    a.close()
    b.close()
  }
})

test('join errors: session timeout bounds, protocol mismatch, empty group id; coordinator lookups', async () => {
  const c = await RawClient.connect(tb.broker.port)
  try {
    assert.equal((await c.request(JOIN, 1, join(1, 'g-err', '', {sessionTimeoutMs: 1000}))).errorCode, 26)
    assert.equal((await c.request(JOIN, 1, join(1, '', ''))).errorCode, 24)
    assert.equal((await c.request(JOIN, 1, join(1, 'g-err', 'made-up'))).errorCode, 25)
    const ok = await c.request(JOIN, 1, join(1, 'g-err', ''))
    assert.equal(ok.errorCode, 0)
    const other = await RawClient.connect(tb.broker.port)
    try {
      const bad = await other.request(JOIN, 1, join(1, 'g-err', '', {protocolType: 'connect'}))
      assert.equal(bad.errorCode, 23)
      const noCommon = await other.request(JOIN, 1, join(1, 'g-err', '', {protocols: [{name: 'roundrobin', metadata: Buffer.alloc(0)}]}))
      assert.equal(noCommon.errorCode, 23)
    } finally {
      other.close()
    }
    const batch = await c.request(FIND, 4, {keyType: 0, coordinatorKeys: ['x', 'y']})
    assert.deepEqual(batch.coordinators.map((k: any) => [k.key, k.errorCode, k.nodeId, k.port]), [['x', 0, 0, tb.broker.port], ['y', 0, 0, tb.broker.port]])
    const txn = await c.request(FIND, 3, {key: 'tx', keyType: 1})
    assert.equal(txn.errorCode, 15)
    const meta = await c.request(3, 12, {topics: null, allowAutoTopicCreation: false})
    const internal = meta.topics.find((t: any) => t.name === '__consumer_offsets')
    assert.equal(internal?.isInternal, true)
    assert.equal(internal.partitions.length, 4)
  } finally {
    c.close()
  }
})

test('closing the broker answers a parked JoinGroup with NOT_COORDINATOR', async () => {
  const own = await startTestBroker({'group.initial.rebalance.delay.ms': '60000', 'offsets.topic.num.partitions': '1'})
  try {
    const c = await RawClient.connect(own.broker.port)
    const f = c.frame(JOIN, 1, join(1, 'parked', ''))
    c.write(f.bytes)
    await new Promise((r) => setTimeout(r, 100))
    const started = Date.now()
    await own.close()
    const r = await f.response
    assert.equal(r.body.errorCode, 16)
    assert.ok(Date.now() - started < 3000, 'close did not wait for the parked join')
    c.close()
  } finally {
    await own.destroy()
  }
})
