// Group mode with samsa consumers against samsa's broker (in-process): two members split a topic
// (range and cooperative-sticky), one leaves and the other continues from the committed offsets
// with nothing lost or repeated; static members keep their place across a restart; regex
// subscriptions pick up new topics.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import {Consumer, decodeAssignment, type AssignmentStrategyName, type ConsumerRecord, type TopicPartition} from '../../src/consumer/index.js'
import {useTestBroker, type TestBroker} from '../broker/core-harness.js'
import {GROUP_PROPS, createTopic, waitFor} from './helpers.js'

let tb: TestBroker
let bootstrap: string
let kafka: kafkajs.Kafka

useTestBroker((started) => {
  tb = started
  bootstrap = tb.bootstrap
  kafka = new kafkajs.Kafka({clientId: 'group-test', brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING})
}, GROUP_PROPS)

async function produce(topic: string, count: number, prefix: string): Promise<void> {
  const producer = kafka.producer()
  await producer.connect()
  try {
    await producer.send({topic, messages: Array.from({length: count}, (_, i) => ({key: `${prefix}-${i}`, value: `${prefix}-${i}`}))})
  } finally {
    await producer.disconnect()
  }
}

/** Members' assignments as the coordinator reports them (DescribeGroups through kafkajs). */
async function describe(groupId: string): Promise<{state: string; members: TopicPartition[][]}> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const g = (await admin.describeGroups([groupId])).groups[0]
    return {state: g.state, members: g.members.map((m) => decodeAssignment(m.memberAssignment).partitions)}
  } finally {
    await admin.disconnect()
  }
}

/** A consumer polling in the background, keeping every record it got. */
function runner(consumer: Consumer) {
  const got: ConsumerRecord[] = []
  let stop = false
  const done = (async () => {
    while (!stop) got.push(...await consumer.poll(100))
  })()
  return {got, stop: async () => {
    stop = true
    await done
  }}
}

for (const strategy of ['range', 'cooperative-sticky'] as AssignmentStrategyName[]) {
  test(`${strategy}: two members split the partitions; one leaves, the other resumes from its commits`, {timeout: 60_000}, async () => {
    const topic = `split-${strategy}`
    const groupId = `g-${strategy}`
    await createTopic(bootstrap, topic, 4)
    await produce(topic, 200, 'a')
    const config = {bootstrap, groupId, autoOffsetReset: 'earliest' as const, heartbeatIntervalMs: 200, sessionTimeoutMs: 10_000,
      partitionAssignmentStrategy: [strategy], autoCommitIntervalMs: 200}
    const c1 = new Consumer(config)
    const c2 = new Consumer(config)
    const events: string[] = []
    c1.subscribe([topic], {
      onPartitionsAssigned: (tps) => void events.push(`assigned ${tps.length}`),
      onPartitionsRevoked: (tps) => void events.push(`revoked ${tps.length}`),
    })
    c2.subscribe([topic])
    const r1 = runner(c1)
    const r2 = runner(c2)
    await waitFor(() => r1.got.length + r2.got.length >= 200 && c1.assignment().length === 2 && c2.assignment().length === 2, 30_000, 'both members consuming')
    const d = await describe(groupId)
    assert.equal(d.state, 'Stable')
    assert.deepEqual(d.members.flat().map((tp) => tp.partition).sort(), [0, 1, 2, 3], 'every partition owned exactly once')
    assert.ok(r1.got.length > 0 && r2.got.length > 0, 'both members got records')

    // c2 leaves (final commit + LeaveGroup); new records arrive; c1 takes over from c2's commits.
    await r2.stop()
    const c2Partitions = c2.assignment()
    events.length = 0
    await c2.close()
    await produce(topic, 100, 'b')
    await waitFor(() => c1.assignment().length === 4, 20_000, 'c1 to own all partitions')
    await waitFor(() => r1.got.length + r2.got.length >= 300, 20_000, 'every record consumed')
    await r1.stop()
    const all = [...r1.got, ...r2.got].map((r) => `${r.partition}:${r.offset}`)
    assert.equal(new Set(all).size, 300, 'nothing lost')
    assert.equal(all.length, 300, 'nothing consumed twice: c1 started where c2 committed')
    for (const tp of c2Partitions) assert.ok(r1.got.some((r) => r.partition === tp.partition), `c1 read partition ${tp.partition} after the takeover`)
    // Eager: c1 gives up everything and gets all 4 back; cooperative: it keeps its 2 and gains c2's 2.
    assert.deepEqual(events, strategy === 'range' ? ['revoked 2', 'assigned 4'] : ['assigned 2'])
    await c1.commitSync()
    const committed = await c1.committed(c1.assignment())
    assert.equal([...committed.values()].reduce((a, b) => a! + b!, 0n), 300n)
    await c1.close()
  })
}

test('static member: close does not leave; a restart with the same group.instance.id resumes', {timeout: 60_000}, async () => {
  const topic = 'static'
  const groupId = 'g-static'
  await createTopic(bootstrap, topic, 2)
  await produce(topic, 20, 's')
  const config = {bootstrap, groupId, groupInstanceId: 'instance-1', autoOffsetReset: 'earliest' as const, heartbeatIntervalMs: 200, sessionTimeoutMs: 30_000}
  const first = new Consumer(config)
  first.subscribe([topic])
  const r = runner(first)
  await waitFor(() => r.got.length >= 20, 20_000, '20 records')
  await r.stop()
  await first.close()
  const d = await describe(groupId)
  assert.equal(d.members.length, 1, 'the static member is still in the group after close')
  await produce(topic, 10, 't')
  const second = new Consumer(config)
  second.subscribe([topic])
  const r2 = runner(second)
  await waitFor(() => r2.got.length >= 10, 20_000, 'the 10 new records')
  await r2.stop()
  assert.deepEqual(r2.got.map((x) => x.key!.toString()).sort(), Array.from({length: 10}, (_, i) => `t-${i}`).sort())
  assert.equal((await describe(groupId)).members.length, 1)
  await second.close()
})

test('regex subscription picks up a topic created later', {timeout: 60_000}, async () => {
  await createTopic(bootstrap, 're-one', 1)
  await produce('re-one', 5, 'one')
  const consumer = new Consumer({bootstrap, groupId: 'g-regex', autoOffsetReset: 'earliest', metadataMaxAgeMs: 300, heartbeatIntervalMs: 200})
  consumer.subscribe(/re-.*/)
  const r = runner(consumer)
  try {
    await waitFor(() => r.got.length >= 5, 20_000, 'records of re-one')
    await createTopic(bootstrap, 're-two', 2)
    await createTopic(bootstrap, 'not-re-three', 1)
    await produce('re-two', 6, 'two')
    await produce('not-re-three', 3, 'three')
    await waitFor(() => r.got.length >= 11, 20_000, 'records of re-two')
    assert.deepEqual(consumer.assignment().map((tp) => `${tp.topic}:${tp.partition}`), ['re-one:0', 're-two:0', 're-two:1'])
    assert.ok(r.got.every((x) => x.topic.startsWith('re-')))
  } finally {
    await r.stop()
    await consumer.close()
  }
})
