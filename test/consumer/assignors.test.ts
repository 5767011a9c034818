// Assignors and the ConsumerProtocol bytes: range, roundrobin and cooperative-sticky on known
// inputs, stickiness when members come and go, and subscription/assignment bytes as kafkajs writes
// and reads them (a peer nobody here wrote).
import {test} from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import {
  CooperativeStickyAssignor, RangeAssignor, RoundRobinAssignor, assignorsFor,
  decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription, type MemberSubscription, type TopicPartition,
} from '../../src/consumer/index.js'

const {AssignerProtocol} = kafkajs

function member(memberId: string, topics: string[], owned: TopicPartition[] = [], generationId = -1): MemberSubscription {
  return {memberId, groupInstanceId: null, topics, ownedPartitions: owned, generationId}
}

/** Assignment as "t:p" strings per member, for readable comparisons. */
function flat(result: Map<string, TopicPartition[]>): Record<string, string[]> {
  return Object.fromEntries([...result].map(([m, tps]) => [m, tps.map((tp) => `${tp.topic}:${tp.partition}`).sort()]))
}

function assertComplete(result: Map<string, TopicPartition[]>, counts: Map<string, number>): void {
  const all = [...result.values()].flat().map((tp) => `${tp.topic}:${tp.partition}`)
  assert.equal(new Set(all).size, all.length, 'no partition assigned twice')
  const expected = [...counts].flatMap(([t, n]) => Array.from({length: n}, (_, p) => `${t}:${p}`))
  assert.deepEqual(all.sort(), expected.sort(), 'every partition assigned')
}

test('range: consecutive ranges per topic, first members get the extra partition', () => {
  const counts = new Map([['a', 5], ['b', 2]])
  const result = new RangeAssignor().assign(counts, [member('m2', ['a', 'b']), member('m1', ['a', 'b'])])
  assert.deepEqual(flat(result), {m1: ['a:0', 'a:1', 'a:2', 'b:0'], m2: ['a:3', 'a:4', 'b:1']})
  // Only subscribers of a topic share it.
  const partial = new RangeAssignor().assign(counts, [member('m1', ['a']), member('m2', ['a', 'b'])])
  assert.deepEqual(flat(partial), {m1: ['a:0', 'a:1', 'a:2'], m2: ['a:3', 'a:4', 'b:0', 'b:1']})
})

test('roundrobin: partitions dealt in turn across topics, skipping non-subscribers', () => {
  const counts = new Map([['a', 3], ['b', 3]])
  const result = new RoundRobinAssignor().assign(counts, [member('m1', ['a', 'b']), member('m2', ['a', 'b'])])
  assert.deepEqual(flat(result), {m1: ['a:0', 'a:2', 'b:1'], m2: ['a:1', 'b:0', 'b:2']})
  const uneven = new RoundRobinAssignor().assign(counts, [member('m1', ['a']), member('m2', ['a', 'b']), member('m3', ['b'])])
  assertComplete(uneven, counts)
  assert.ok(flat(uneven).m1.every((x) => x.startsWith('a:')))
  assert.ok(flat(uneven).m3.every((x) => x.startsWith('b:')))
})

test('cooperative-sticky: balanced, and members keep what they owned when one joins or leaves', () => {
  const counts = new Map([['t', 12]])
  const sticky = new CooperativeStickyAssignor()
  const first = sticky.assign(counts, ['m1', 'm2', 'm3'].map((m) => member(m, ['t'])))
  assertComplete(first, counts)
  for (const tps of first.values()) assert.equal(tps.length, 4)

  // A fourth member joins: each old member keeps 3 of its 4 and gives exactly one away.
  const owned = (m: string) => first.get(m)!
  const second = sticky.assign(counts, [member('m1', ['t'], owned('m1'), 1), member('m2', ['t'], owned('m2'), 1),
    member('m3', ['t'], owned('m3'), 1), member('m4', ['t'])])
  assertComplete(second, counts)
  for (const m of ['m1', 'm2', 'm3']) {
    assert.equal(second.get(m)!.length, 3)
    const before = new Set(flat(first)[m])
    assert.ok(flat(second)[m].every((x) => before.has(x)), `${m} only lost partitions, gained none`)
  }
  assert.equal(second.get('m4')!.length, 3)

  // m2 leaves: m1, m3 and m4 keep everything and share m2's partitions.
  const third = sticky.assign(counts, [member('m1', ['t'], second.get('m1')!, 2), member('m3', ['t'], second.get('m3')!, 2),
    member('m4', ['t'], second.get('m4')!, 2)])
  assertComplete(third, counts)
  for (const m of ['m1', 'm3', 'm4']) {
    assert.equal(third.get(m)!.length, 4)
    const now = new Set(flat(third)[m])
    assert.ok(flat(second)[m].every((x) => now.has(x)), `${m} kept all it owned`)
  }

  // A double claim (stale member) goes to the newer generation.
  const claimed = sticky.assign(new Map([['t', 2]]), [member('old', ['t'], [{topic: 't', partition: 0}], 1),
    member('new', ['t'], [{topic: 't', partition: 0}], 2)])
  assert.deepEqual(flat(claimed), {new: ['t:0'], old: ['t:1']})
})

test('cooperative-sticky balances uneven subscriptions', () => {
  const counts = new Map([['a', 4], ['b', 4]])
  const result = new CooperativeStickyAssignor().assign(counts, [member('m1', ['a', 'b'], [
    {topic: 'a', partition: 0}, {topic: 'a', partition: 1}, {topic: 'a', partition: 2}, {topic: 'a', partition: 3},
    {topic: 'b', partition: 0}, {topic: 'b', partition: 1}]), member('m2', ['b'])])
  assertComplete(result, counts)
  assert.equal(result.get('m1')!.length, 4)
  assert.equal(result.get('m2')!.length, 4)
})

test('assignorsFor offers kafkajs\'s RoundRobinAssigner name after roundrobin', () => {
  assert.deepEqual(assignorsFor(['range', 'roundrobin']).map((a) => a.name), ['range', 'roundrobin', 'RoundRobinAssigner'])
  assert.deepEqual(assignorsFor(['cooperative-sticky']).map((a) => a.rebalanceProtocol), ['COOPERATIVE'])
})

test('consumer protocol: samsa and kafkajs read each other\'s subscription and assignment bytes', () => {
  const owned = [{topic: 'x', partition: 2}, {topic: 'a', partition: 1}]
  const bytes = encodeSubscription({topics: ['x', 'a'], userData: Buffer.from('ud'), ownedPartitions: owned, generationId: 7, rackId: 'r1'})
  const back = decodeSubscription(bytes)
  assert.deepEqual(back, {version: 3, topics: ['a', 'x'], userData: Buffer.from('ud'), ownedPartitions: [{topic: 'a', partition: 1}, {topic: 'x', partition: 2}], generationId: 7, rackId: 'r1'})
  // kafkajs reads the v0 prefix of samsa's v3 subscription.
  const kj = AssignerProtocol.MemberMetadata.decode(bytes)!
  assert.deepEqual(kj.topics, ['a', 'x'])
  assert.equal(kj.version, 3)
  // And samsa reads what kafkajs writes.
  const fromKj = decodeSubscription(AssignerProtocol.MemberMetadata.encode({version: 1, topics: ['orders'], userData: Buffer.alloc(0)}))
  assert.deepEqual(fromKj.topics, ['orders'])
  assert.deepEqual(fromKj.ownedPartitions, [])

  const assignment = encodeAssignment({partitions: [{topic: 't', partition: 3}, {topic: 't', partition: 1}], userData: null}, 1)
  assert.deepEqual(AssignerProtocol.MemberAssignment.decode(assignment)!.assignment, {t: [1, 3]})
  const kjAssignment = AssignerProtocol.MemberAssignment.encode({version: 0, assignment: {u: [0, 2]}, userData: Buffer.alloc(0)})
  assert.deepEqual(decodeAssignment(kjAssignment).partitions, [{topic: 'u', partition: 0}, {topic: 'u', partition: 2}])
  assert.deepEqual(decodeAssignment(Buffer.alloc(0)).partitions, [])
})
