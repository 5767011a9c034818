// The group coordinator's state machine on a fake clock and an in-memory store: the initial
// rebalance delay (and its extension), session expiry, the rebalance timeout, pending-sync expiry,
// static members, offset retention, replay of stored records, and the __consumer_offsets formats.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {FakeClock} from '../../src/broker/group/clock.js'
import {groupConfigFromProps} from '../../src/broker/group/config.js'
import {GroupCoordinator, type JoinGroupParams} from '../../src/broker/group/coordinator.js'
import {partitionForGroup, javaStringHashCode, type GroupStore, type StoreRecord} from '../../src/broker/group/offsets-topic.js'
import {decodeOffsetsTopicRecord, groupMetadataKey, offsetCommitKey, offsetCommitValue} from '../../src/broker/group/records.js'
import type {JoinResult} from '../../src/broker/group/member.js'

class MemoryStore implements GroupStore {
  records: StoreRecord[] = []
  async ensure(): Promise<void> {}
  append(_groupId: string, records: StoreRecord[]): void {
    this.records.push(...records)
  }
  replay(apply: (key: Buffer, value: Buffer | null) => void): void {
    for (const r of this.records) apply(r.key, r.value)
  }
}

function setup(props: Record<string, string> = {}, store = new MemoryStore(), clock = new FakeClock()) {
  const config = groupConfigFromProps({'group.initial.rebalance.delay.ms': '3000', ...props})
  const coord = new GroupCoordinator(store, config, clock)
  coord.startup()
  return {coord, clock, store}
}

const proto = (meta = 'm') => [{name: 'range', metadata: Buffer.from(meta)}]

function params(memberId: string, extra: Partial<JoinGroupParams> = {}): JoinGroupParams {
  return {groupId: 'g', memberId, groupInstanceId: null, requireKnownMemberId: false, clientId: 'c', clientHost: '/h',
    rebalanceTimeoutMs: 10_000, sessionTimeoutMs: 6000, protocolType: 'consumer', protocols: proto(), ...extra}
}

/** Lets pending promise callbacks run (joinGroup awaits the store first). */
const settle = () => new Promise((r) => setImmediate(r))

/** Tracks a join's promise so a test can ask whether it has been answered. */
function track(p: Promise<JoinResult>): {done: () => JoinResult | undefined; promise: Promise<JoinResult>} {
  let result: JoinResult | undefined
  p.then((r) => (result = r))
  return {done: () => result, promise: p}
}

/** Joins two dynamic members and syncs them into a Stable generation 1. */
async function stableOfTwo(coord: GroupCoordinator, clock: FakeClock) {
  const a = track(coord.joinGroup(params('')))
  const b = track(coord.joinGroup(params('')))
  await settle()
  // b joined during the initial delay, so the delay runs twice.
  clock.advance(6000)
  await settle()
  const [ja, jb] = [a.done()!, b.done()!]
  const leader = ja.members.length > 0 ? ja : jb
  const follower = leader === ja ? jb : ja
  const fs = coord.syncGroup({groupId: 'g', generationId: 1, memberId: follower.memberId, groupInstanceId: null, assignments: []})
  const ls = await coord.syncGroup({groupId: 'g', generationId: 1, memberId: leader.memberId, groupInstanceId: null,
    assignments: [{memberId: leader.memberId, assignment: Buffer.from('L')}, {memberId: follower.memberId, assignment: Buffer.from('F')}]})
  assert.equal(ls.assignment.toString(), 'L')
  assert.equal((await fs).assignment.toString(), 'F')
  assert.equal(coord.group('g')!.state, 'Stable')
  return {leader: leader.memberId, follower: follower.memberId}
}

test('the initial delay waits for more members and is extended while they keep coming', async () => {
  const {coord, clock} = setup()
  const a = track(coord.joinGroup(params('')))
  await settle()
  clock.advance(2000)
  const b = track(coord.joinGroup(params('')))
  await settle()
  clock.advance(1000)
  await settle()
  assert.equal(a.done(), undefined, 'a newcomer during the delay extends it')
  clock.advance(3000)
  await settle()
  const [ra, rb] = [a.done()!, b.done()!]
  assert.deepEqual([ra.errorCode, rb.errorCode, ra.generationId, rb.generationId], [0, 0, 1, 1])
  assert.equal(ra.leader, ra.memberId)
  assert.equal(ra.members.length, 2)
  assert.equal(rb.members.length, 0)
  assert.equal(coord.group('g')!.state, 'CompletingRebalance')
})

test('a member whose session expires is removed and the group rebalances', async () => {
  const {coord, clock} = setup()
  const {leader, follower} = await stableOfTwo(coord, clock)
  // Only the leader heartbeats.
  for (let t = 0; t < 2; t++) {
    clock.advance(2500)
    assert.equal(coord.heartbeat('g', 1, {memberId: leader, groupInstanceId: null}), 0)
  }
  assert.equal(coord.group('g')!.has(follower), true)
  clock.advance(1500)
  assert.equal(coord.group('g')!.has(follower), false)
  assert.equal(coord.heartbeat('g', 1, {memberId: leader, groupInstanceId: null}), 27)
  const rejoin = await coord.joinGroup(params(leader))
  assert.deepEqual([rejoin.errorCode, rejoin.generationId, rejoin.members.length], [0, 2, 1])
  assert.equal(coord.heartbeat('g', 1, {memberId: follower, groupInstanceId: null}), 25)
})

test('the rebalance timeout drops members that do not rejoin', async () => {
  const {coord, clock} = setup()
  const {leader, follower} = await stableOfTwo(coord, clock)
  const j = track(coord.joinGroup(params(leader, {protocols: proto('changed')})))
  await settle()
  assert.equal(j.done(), undefined)
  // The follower keeps heartbeating but never rejoins.
  for (let t = 0; t < 4; t++) {
    clock.advance(2000)
    assert.equal(coord.heartbeat('g', 1, {memberId: follower, groupInstanceId: null}), 27)
  }
  clock.advance(2500)
  await settle()
  assert.deepEqual([j.done()?.errorCode, j.done()?.generationId, j.done()?.members.length], [0, 2, 1])
  assert.equal(coord.heartbeat('g', 2, {memberId: follower, groupInstanceId: null}), 25)
})

test('members that never sync are removed after the rebalance timeout', async () => {
  const {coord, clock} = setup()
  const a = track(coord.joinGroup(params('')))
  const b = track(coord.joinGroup(params('')))
  await settle()
  clock.advance(6000)
  await settle()
  const leader = a.done()!.members.length > 0 ? a.done()! : b.done()!
  const ls = await coord.syncGroup({groupId: 'g', generationId: 1, memberId: leader.memberId, groupInstanceId: null, assignments: []})
  assert.equal(ls.errorCode, 0)
  for (let t = 0; t < 5; t++) {
    clock.advance(2100)
    coord.heartbeat('g', 1, {memberId: leader.memberId, groupInstanceId: null})
  }
  assert.equal(coord.group('g')!.size, 1)
  assert.equal(coord.group('g')!.state, 'PreparingRebalance')
})

test('a restarted static member takes over its place without a rebalance; the old id is fenced', async () => {
  const {coord, clock} = setup({'group.initial.rebalance.delay.ms': '0'})
  const first = track(coord.joinGroup(params('', {groupInstanceId: 'i1'})))
  await settle()
  clock.advance(0)
  await settle()
  const j = first.done()!
  assert.equal(j.errorCode, 0)
  await coord.syncGroup({groupId: 'g', generationId: 1, memberId: j.memberId, groupInstanceId: 'i1', assignments: [{memberId: j.memberId, assignment: Buffer.from('S')}]})
  const again = await coord.joinGroup(params('', {groupInstanceId: 'i1'}))
  assert.equal(again.errorCode, 0)
  assert.notEqual(again.memberId, j.memberId)
  assert.equal(again.generationId, 1)
  assert.equal(coord.group('g')!.state, 'Stable')
  assert.equal(coord.heartbeat('g', 1, {memberId: j.memberId, groupInstanceId: 'i1'}), 82)
  const s = await coord.syncGroup({groupId: 'g', generationId: 1, memberId: again.memberId, groupInstanceId: 'i1', assignments: []})
  assert.equal(s.assignment.toString(), 'S')
})

test('offsets of a group without members expire after offsets.retention.minutes, with tombstones', async () => {
  const {coord, clock, store} = setup({'offsets.retention.minutes': '1', 'offsets.retention.check.interval.ms': '10000'})
  const errors = await coord.commitOffsets({groupId: 's', memberId: '', groupInstanceId: null, generationId: -1, retentionTimeMs: -1,
    offsets: [{topic: 't', partition: 0, offset: 5n, leaderEpoch: -1, metadata: null}]})
  assert.deepEqual(errors, [0])
  assert.equal(coord.fetchOffsets('s', null).topics[0].partitions[0].committedOffset, 5n)
  clock.advance(50_000)
  assert.equal(coord.fetchOffsets('s', null).topics.length, 1)
  clock.advance(20_000)
  assert.equal(coord.fetchOffsets('s', null).topics.length, 0)
  assert.equal(coord.group('s'), undefined)
  const last = store.records.slice(-2).map((r) => decodeOffsetsTopicRecord(r.key, r.value))
  assert.deepEqual(last.map((r) => [r?.kind, r?.value]), [['offset', null], ['group', null]])
})

test('a new coordinator replays groups and offsets; unreturned members expire', async () => {
  const store = new MemoryStore()
  const first = setup({}, store)
  const {leader} = await stableOfTwo(first.coord, first.clock)
  const commit = await first.coord.commitOffsets({groupId: 'g', memberId: leader, groupInstanceId: null, generationId: 1, retentionTimeMs: -1,
    offsets: [{topic: 't', partition: 1, offset: 77n, leaderEpoch: 3, metadata: 'meta'}]})
  assert.deepEqual(commit, [0])
  first.coord.shutdown()

  const clock = new FakeClock(5_000_000)
  const second = setup({}, store, clock)
  const g = second.coord.group('g')!
  assert.deepEqual([g.state, g.generationId, g.size, g.protocolName], ['Stable', 1, 2, 'range'])
  assert.deepEqual(second.coord.fetchOffsets('g', [{name: 't', partitionIndexes: [1, 2]}]).topics[0].partitions.map((p) => [p.committedOffset, p.committedLeaderEpoch, p.metadata]),
    [[77n, 3, 'meta'], [-1n, -1, '']])
  assert.equal(second.coord.heartbeat('g', 1, {memberId: leader, groupInstanceId: null}), 0)
  clock.advance(7000)
  // Nobody came back: both sessions ran out, the group rebalanced to Empty (generation 2).
  assert.deepEqual([g.state, g.generationId, g.size], ['Empty', 2, 0])
  const desc = second.coord.describeGroup('g')
  assert.equal(desc.groupState, 'Empty')
  second.coord.shutdown()
})

test('__consumer_offsets formats and the group partition follow Kafka', () => {
  assert.equal(javaStringHashCode(''), 0)
  assert.equal(javaStringHashCode('hello'), 99162322)
  // Java's String.hashCode of this word is Integer.MIN_VALUE; Kafka's Utils.abs maps it to 0.
  assert.equal(javaStringHashCode('polygenelubricants'), -2147483648)
  assert.equal(partitionForGroup('polygenelubricants', 50), 0)
  assert.equal(partitionForGroup('hello', 50), 99162322 % 50)
  // Key: int16 version 1, group, topic, partition.
  const key = offsetCommitKey('g', 't', 7)
  assert.deepEqual([...key], [0, 1, 0, 1, 0x67, 0, 1, 0x74, 0, 0, 0, 7])
  assert.deepEqual([...groupMetadataKey('g')], [0, 2, 0, 1, 0x67])
  const value = offsetCommitValue({offset: 9n, leaderEpoch: 2, metadata: 'x', commitTimestamp: 1000n, expireTimestamp: -1n})
  assert.equal(value.readInt16BE(0), 3)
  assert.equal(value.length, 2 + 8 + 4 + 2 + 1 + 8)
  const decoded = decodeOffsetsTopicRecord(key, value)
  assert.deepEqual(decoded, {kind: 'offset', group: 'g', topic: 't', partition: 7,
    value: {offset: 9n, leaderEpoch: 2, metadata: 'x', commitTimestamp: 1000n, expireTimestamp: -1n}})
  const withExpiry = offsetCommitValue({offset: 9n, leaderEpoch: -1, metadata: '', commitTimestamp: 1000n, expireTimestamp: 5000n})
  assert.equal(withExpiry.readInt16BE(0), 1)
})
