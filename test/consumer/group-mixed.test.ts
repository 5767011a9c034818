// Must show 1: one group on one topic with a samsa consumer, a kafkajs 2.2.4 consumer and a
// `kcat -G` member (librdkafka). Partitions are split among all three, no partition is ever owned
// by two members of a stable generation (sampled throughout), members leave and the samsa
// consumer takes over from the committed offsets, and every record is consumed.
// Also: offsets committed by kafkajs are what samsa's committed() returns.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import {Consumer, decodeAssignment, type ConsumerRecord} from '../../src/consumer/index.js'
import {useTestBroker, type TestBroker} from '../broker/core-harness.js'
import {haveKcat} from '../helpers/broker-process.js'
import {GROUP_PROPS, createTopic, startKcat, waitFor, type KcatProcess} from './helpers.js'

const skip = haveKcat() ? false : 'kcat is not installed (apt-get install -y kcat): mixed group test skipped'
let tb: TestBroker
let bootstrap: string
let kafka: kafkajs.Kafka

useTestBroker((started) => {
  tb = started
  bootstrap = tb.bootstrap
  kafka = new kafkajs.Kafka({clientId: 'mixed', brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING})
}, GROUP_PROPS)

async function produce(topic: string, from: number, count: number): Promise<void> {
  const producer = kafka.producer()
  await producer.connect()
  try {
    await producer.send({topic, messages: Array.from({length: count}, (_, i) => ({key: `k${from + i}`, value: `v${from + i}`}))})
  } finally {
    await producer.disconnect()
  }
}

/** kafkajs's round robin under the protocol name Java, librdkafka and samsa use. */
const roundRobinNamedLikeKafka: kafkajs.PartitionAssigner = (args) => ({...kafkajs.PartitionAssigners.roundRobin(args), name: 'roundrobin'})

test('samsa, kafkajs and kcat -G share one group: disjoint ownership, takeover from commits, nothing lost', {skip, timeout: 120_000}, async () => {
  const topic = 'mixed'
  const groupId = 'mixed-group'
  const TOTAL_FIRST = 600
  await createTopic(bootstrap, topic, 6)

  // Sample the coordinator's view all along: in a Stable generation no partition has two owners.
  const admin = kafka.admin()
  await admin.connect()
  let sampling = true
  let samples = 0
  const violations: string[] = []
  const memberCounts = new Set<number>()
  const sampler = (async () => {
    while (sampling) {
      const g = (await admin.describeGroups([groupId])).groups[0]
      if (g.state === 'Stable') {
        samples++
        memberCounts.add(g.members.length)
        const owners = new Map<number, string>()
        for (const m of g.members) {
          for (const tp of decodeAssignment(m.memberAssignment).partitions) {
            if (owners.has(tp.partition)) violations.push(`partition ${tp.partition} owned by ${owners.get(tp.partition)} and ${m.clientId}`)
            owners.set(tp.partition, m.clientId)
          }
        }
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  })()

  const samsaGot: ConsumerRecord[] = []
  const samsa = new Consumer({bootstrap, groupId, clientId: 'samsa-member', autoOffsetReset: 'earliest', partitionAssignmentStrategy: ['roundrobin'],
    heartbeatIntervalMs: 300, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 20_000, autoCommitIntervalMs: 300})
  // Where samsa starts on each partition after its latest rebalance: the committed offset then.
  let generation = 0
  const startAt = new Map<number, bigint | null>()
  samsa.subscribe([topic], {
    onPartitionsAssigned: async (tps) => {
      generation++
      startAt.clear()
      const committed = await samsa.committed(tps)
      for (const tp of tps) startAt.set(tp.partition, committed.get(`${tp.topic}-${tp.partition}`) ?? null)
    },
  })
  const generationOf = new Map<ConsumerRecord, number>()
  let stopSamsa = false
  const samsaLoop = (async () => {
    while (!stopSamsa) {
      const records = await samsa.poll(100)
      for (const r of records) {
        samsaGot.push(r)
        generationOf.set(r, generation)
      }
    }
  })()

  const kjGot: string[] = []
  const kj = kafka.consumer({groupId, partitionAssigners: [roundRobinNamedLikeKafka], heartbeatInterval: 300, sessionTimeout: 10_000, rebalanceTimeout: 20_000, maxWaitTimeInMs: 100})
  await kj.connect()
  await kj.subscribe({topic, fromBeginning: true})
  await kj.run({eachMessage: async ({partition, message}) => {
    kjGot.push(`${partition}:${message.offset}`)
  }})

  let kc: KcatProcess | undefined
  try {
    kc = startKcat(bootstrap, ['-G', groupId, topic, '-f', '%p:%o\\n', '-X', 'partition.assignment.strategy=roundrobin',
      '-X', 'auto.offset.reset=earliest', '-X', 'session.timeout.ms=10000', '-X', 'auto.commit.interval.ms=300', '-X', 'fetch.wait.max.ms=100', '-q', '-u'])
    const kcGot = () => kc!.output().split('\n').filter((l) => l.length > 0)
    const consumedSet = () => new Set([...samsaGot.map((r) => `${r.partition}:${r.offset}`), ...kjGot, ...kcGot()])

    // All three members in one stable generation, each owning two of the six partitions.
    await waitFor(async () => {
      const g = (await admin.describeGroups([groupId])).groups[0]
      return g.state === 'Stable' && g.members.length === 3 && g.members.every((m) => decodeAssignment(m.memberAssignment).partitions.length === 2)
    }, 60_000, 'three members with two partitions each')
    await produce(topic, 0, TOTAL_FIRST)
    await waitFor(() => consumedSet().size >= TOTAL_FIRST, 60_000, `all ${TOTAL_FIRST} records consumed by the three members`)
    assert.ok(kcGot().length > 0 && kjGot.length > 0 && samsaGot.length > 0, 'every member consumed some records')

    // kcat leaves (SIGTERM: commit + LeaveGroup), then kafkajs; then more records arrive.
    await kc.stop()
    await kj.disconnect()
    await waitFor(() => samsa.assignment().length === 6, 60_000, 'samsa to own all six partitions')
    await produce(topic, TOTAL_FIRST, 120)
    await waitFor(() => consumedSet().size >= TOTAL_FIRST + 120, 60_000, 'every record, old and new, consumed')
    const all = consumedSet()
    for (let p = 0; p < 6; p++) {
      const ends = await samsa.endOffsets([{topic, partition: p}])
      for (let o = 0n; o < ends.get(`${topic}-${p}`)!; o++) assert.ok(all.has(`${p}:${o}`), `record ${p}:${o} was consumed`)
    }
    // After the takeover samsa started each partition at the offset committed by its previous owner.
    let checked = 0
    for (const [p, committed] of startAt) {
      const first = samsaGot.find((r) => r.partition === p && generationOf.get(r) === generation)
      if (!first || committed === null) continue
      assert.equal(first.offset, committed, `partition ${p} resumed at its committed offset`)
      checked++
    }
    assert.ok(checked >= 4, `resume points checked on ${checked} partitions`)
    assert.deepEqual(violations, [], 'no partition owned by two members of one stable generation')
    assert.ok(samples >= 2, `the group was sampled (${samples} stable samples)`)
    assert.ok(memberCounts.has(3), 'a stable generation with all three members was seen')
  } finally {
    sampling = false
    await sampler.catch(() => undefined)
    stopSamsa = true
    await samsaLoop.catch(() => undefined)
    await samsa.close()
    await kc?.stop()
    await kj.disconnect().catch(() => undefined)
    await admin.disconnect()
  }
})

test('offsets committed by kafkajs are what samsa\'s committed() returns', {timeout: 60_000}, async () => {
  const topic = 'kj-commits'
  const groupId = 'kj-commit-group'
  await createTopic(bootstrap, topic, 3)
  const admin = kafka.admin()
  await admin.connect()
  try {
    await admin.setOffsets({groupId, topic, partitions: [{partition: 0, offset: '5'}, {partition: 2, offset: '17'}]})
  } finally {
    await admin.disconnect()
  }
  const consumer = new Consumer({bootstrap, groupId})
  try {
    const tps = [0, 1, 2].map((partition) => ({topic, partition}))
    assert.deepEqual([...await consumer.committed(tps)], [['kj-commits-0', 5n], ['kj-commits-1', null], ['kj-commits-2', 17n]])
  } finally {
    await consumer.close()
  }
})
