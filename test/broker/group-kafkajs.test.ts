// kafkajs 2.2.4 consumer groups against an in-process broker: two consumers split a 4-partition
// topic, consume everything, commit; one leaves and the other takes all partitions; the committed
// offsets are visible through the admin API and survive a broker restart on the same data dir.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import {startTestBroker, type TestBroker} from './core-harness.js'

const {Kafka, logLevel, AssignerProtocol} = kafkajs

const PROPS = {'group.initial.rebalance.delay.ms': '200', 'offsets.topic.num.partitions': '5'}

/** Polls `check` every 50 ms until it returns true; fails after `ms`. */
async function waitFor(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`)
}

function kafkaFor(tb: TestBroker, clientId: string) {
  return new Kafka({clientId, brokers: [tb.bootstrap], logLevel: logLevel.NOTHING, retry: {retries: 5, initialRetryTime: 100}})
}

/** Assigned partitions per member of a described group (decoded consumer protocol assignments). */
async function assignments(admin: kafkajs.Admin, groupId: string): Promise<{state: string; members: number[][]}> {
  const {groups} = await admin.describeGroups([groupId])
  const g = groups[0]
  const members = g.members.map((m) => {
    const a = AssignerProtocol.MemberAssignment.decode(m.memberAssignment)
    return Object.values(a?.assignment ?? {}).flat().sort((x, y) => x - y)
  })
  return {state: g.state, members}
}

test('kafkajs: two consumers share a topic, rebalance on leave, offsets survive a restart', {timeout: 90_000}, async () => {
  let tb = await startTestBroker(PROPS)
  const topic = 'orders'
  const groupId = 'g-kafkajs'
  try {
    const kafka = kafkaFor(tb, 'group-test')
    const admin = kafka.admin()
    const producer = kafka.producer()
    await admin.connect()
    await producer.connect()
    await admin.createTopics({topics: [{topic, numPartitions: 4}]})
    const messages = Array.from({length: 40}, (_, i) => ({key: `k${i}`, value: `v${i}`, partition: i % 4}))
    await producer.send({topic, messages})
    await producer.disconnect()

    const seen = new Set<string>()
    const consumers = ['a', 'b'].map((name) => {
      const c = kafkaFor(tb, `consumer-${name}`).consumer({groupId, heartbeatInterval: 200, sessionTimeout: 10_000, rebalanceTimeout: 10_000, maxWaitTimeInMs: 100})
      return {name, c}
    })
    for (const {c} of consumers) {
      await c.connect()
      await c.subscribe({topic, fromBeginning: true})
      await c.run({eachMessage: async ({message}) => {
        seen.add(message.value!.toString())
      }})
    }
    await waitFor(() => seen.size === 40, 30_000, 'all 40 records consumed')
    // Both members end up in one stable generation with disjoint assignments covering every partition.
    await waitFor(async () => {
      const a = await assignments(admin, groupId)
      return a.state === 'Stable' && a.members.length === 2 && a.members.every((m) => m.length > 0)
    }, 30_000, 'a stable group of two members')
    const two = await assignments(admin, groupId)
    assert.deepEqual(two.members.flat().sort(), [0, 1, 2, 3])
    assert.equal(two.members[0].length + two.members[1].length, 4)

    // kafkajs commits after each batch: every partition's committed offset reaches its end (10).
    await waitFor(async () => {
      const res = await admin.fetchOffsets({groupId, topics: [topic]})
      return res[0].partitions.every((p) => p.offset === '10')
    }, 20_000, 'committed offsets at 10 on all partitions')

    // One leaves: the other gets everything.
    await consumers[1].c.disconnect()
    await waitFor(async () => {
      const a = await assignments(admin, groupId)
      return a.state === 'Stable' && a.members.length === 1 && a.members[0].length === 4
    }, 30_000, 'the remaining consumer owning all 4 partitions')
    await consumers[0].c.disconnect()
    await waitFor(async () => (await assignments(admin, groupId)).state === 'Empty', 10_000, 'the group to become empty')
    await admin.disconnect()

    // Restart on the same data dir: offsets (and the empty group) come back from __consumer_offsets.
    await tb.close()
    tb = await startTestBroker(PROPS, tb.dataDir)
    const admin2 = kafkaFor(tb, 'group-test-2').admin()
    await admin2.connect()
    try {
      const res = await admin2.fetchOffsets({groupId, topics: [topic]})
      assert.deepEqual(res[0].partitions.map((p) => [p.partition, p.offset]).sort(), [[0, '10'], [1, '10'], [2, '10'], [3, '10']])
      const groups = await admin2.listGroups()
      assert.ok(groups.groups.some((g) => g.groupId === groupId && g.protocolType === 'consumer'), JSON.stringify(groups))
      const topics = await admin2.fetchTopicMetadata({topics: ['__consumer_offsets']})
      assert.equal(topics.topics[0].partitions.length, 5)
    } finally {
      await admin2.disconnect()
    }
  } finally {
    await tb.destroy()
  }
})
