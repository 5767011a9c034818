// cooperative-sticky (KIP-429) across implementations: a samsa consumer and a `kcat -G` member
// (librdkafka) in one group, both on the COOPERATIVE protocol. librdkafka's incremental assign
// follows samsa's assignment; partitions split between them; when kcat leaves, samsa takes over its
// partitions from the committed offsets; every record is consumed, none by two members.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import kafkajs from 'kafkajs'
import {Consumer, decodeAssignment} from '../../src/consumer/index.js'
import {useTestBroker, type TestBroker} from '../broker/core-harness.js'
import {haveKcat} from '../helpers/broker-process.js'
import {GROUP_PROPS, createTopic, startKcat, waitFor} from './helpers.js'

const skip = haveKcat() ? false : 'kcat is not installed (apt-get install -y kcat): cooperative interop test skipped'
let tb: TestBroker
let bootstrap: string

useTestBroker((started) => {
  tb = started
  bootstrap = tb.bootstrap
}, GROUP_PROPS)

test('samsa and librdkafka share a cooperative-sticky group: split, incremental takeover, nothing lost or doubled', {skip, timeout: 90_000}, async () => {
  const topic = 'coop'
  const groupId = 'coop-group'
  await createTopic(bootstrap, topic, 6)
  const kafka = new kafkajs.Kafka({clientId: 'coop', brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING})
  const producer = kafka.producer()
  await producer.connect()
  const produce = async (from: number, n: number) => {
    await producer.send({topic, messages: Array.from({length: n}, (_, i) => ({key: `k${from + i}`, value: `v${from + i}`}))})
  }
  const admin = kafka.admin()
  await admin.connect()

  const samsaGot: string[] = []
  const samsa = new Consumer({bootstrap, groupId, clientId: 'samsa-coop', autoOffsetReset: 'earliest',
    partitionAssignmentStrategy: ['cooperative-sticky'], heartbeatIntervalMs: 300, sessionTimeoutMs: 10_000, autoCommitIntervalMs: 200})
  samsa.subscribe([topic])
  let stop = false
  const loop = (async () => {
    while (!stop) for (const r of await samsa.poll(100)) samsaGot.push(r.value!.toString())
  })()
  const kcat = startKcat(bootstrap, ['-G', groupId, '-X', 'partition.assignment.strategy=cooperative-sticky', '-X', 'auto.offset.reset=earliest',
    '-X', 'auto.commit.interval.ms=200', '-u', '-f', '%s\n', topic])
  try {
    // Both members own partitions in one stable generation, each partition once.
    await waitFor(async () => {
      const g = (await admin.describeGroups([groupId])).groups[0]
      if (g.state !== 'Stable' || g.members.length !== 2) return false
      const owned = g.members.map((m) => decodeAssignment(m.memberAssignment).partitions.map((tp) => tp.partition))
      return owned.every((ps) => ps.length === 3) && new Set(owned.flat()).size === 6
    }, 30_000, 'a stable group of samsa and kcat with 3 partitions each')
    const protocol = (await admin.describeGroups([groupId])).groups[0].protocol
    assert.equal(protocol, 'cooperative-sticky')

    await produce(0, 300)
    const kcatValues = () => kcat.output().split('\n').filter((l) => l !== '')
    await waitFor(() => samsaGot.length + kcatValues().length >= 300, 20_000, 'the first 300 records read by the two members')
    assert.ok(samsaGot.length > 0 && kcatValues().length > 0, `both members read records (samsa ${samsaGot.length}, kcat ${kcatValues().length})`)
    // Let kcat's commit of what it read land, then it leaves; samsa takes over its partitions incrementally.
    await new Promise((r) => setTimeout(r, 600))
    await kcat.stop()
    await produce(300, 300)
    await waitFor(() => {
      const all = new Set([...samsaGot, ...kcatValues()])
      return all.size >= 600
    }, 30_000, 'all 600 records read')
    const all = [...samsaGot, ...kcatValues()]
    assert.equal(new Set(all).size, 600)
    for (let i = 0; i < 600; i++) assert.ok(all.includes(`v${i}`), `v${i} read`)
    // Records read after kcat left were read once: samsa starts from kcat's commits, not from the beginning.
    const doubled = all.length - new Set(all).size
    assert.ok(doubled <= 30, `at most a few records are read twice around the handover (${doubled})`)
    assert.match(kcat.stderr(), /COOPERATIVE|incremental/i, 'librdkafka ran the cooperative protocol')
  } finally {
    stop = true
    await loop
    await kcat.stop()
    await samsa.close()
    await admin.disconnect()
    await producer.disconnect()
  }
})
