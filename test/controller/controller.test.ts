import {test} from 'node:test'
import assert from 'node:assert/strict'
import {ErrorCode, KafkaError} from '../../src/protocol/index.js'
import {startCluster, until, TestCluster} from './controller-harness.js'

const codeOf = async (p: Promise<unknown>): Promise<number> => {
  try {
    await p
    return ErrorCode.NONE
  } catch (err) {
    if (err instanceof KafkaError) return err.code
    throw err
  }
}

test('replicas of an RF3 topic are spread over three brokers, and every node replays the same image', async () => {
  const c = await startCluster(3)
  try {
    // Created on a node that is not the controller: forwarded in an Envelope.
    const t = await c.node(1).cm.metadata.createTopic('spread', 3, 3, {})
    assert.equal(t.partitions.length, 3)
    for (const p of t.partitions) {
      assert.equal(new Set(p.replicas).size, 3)
      assert.deepEqual([...p.isr].sort(), [0, 1, 2])
      assert.equal(p.leader, p.replicas[0])
    }
    assert.deepEqual(t.partitions.map((p) => p.leader).sort(), [0, 1, 2])
    for (const id of [0, 2]) assert.deepEqual(c.node(id).cm.metadata.topic('spread')!.partitions, t.partitions)
    assert.equal(await codeOf(c.node(2).cm.metadata.createTopic('too-many', 1, 4, {})), ErrorCode.INVALID_REPLICATION_FACTOR)
    assert.equal(await codeOf(c.node(2).cm.metadata.createTopic('spread', 1, 1, {})), ErrorCode.TOPIC_ALREADY_EXISTS)
    assert.equal(c.node(2).cm.metadata.controllerId(), 0)
  } finally {
    c.close()
  }
})

test('a broker registers fenced and is unfenced once caught up; a silent broker is fenced and loses leadership', async () => {
  const c = await startCluster(3)
  try {
    const brokers = c.node(0).cm.metadata.brokers()
    assert.deepEqual(brokers.map((b) => [b.id, b.fenced, b.port]), [[0, false, 9000], [1, false, 9001], [2, false, 9002]])
    await c.node(0).cm.metadata.createTopic('fail', 3, 3, {})
    await c.node(0).cm.metadata.createTopic('single', -1, -1, {}, {assignments: [[2]]})
    c.kill(2)
    const m = c.node(0).cm.metadata
    await until(() => m.brokers().find((b) => b.id === 2)!.fenced, 3000, 'broker 2 fenced')
    for (const p of m.topic('fail')!.partitions) {
      assert.ok(!p.isr.includes(2), `isr ${p.isr}`)
      assert.notEqual(p.leader, 2)
      assert.notEqual(p.leader, -1)
    }
    // Its only replica is gone: offline, ISR kept so it can come back.
    const single = m.topic('single')!.partitions[0]
    assert.equal(single.leader, -1)
    assert.deepEqual(single.isr, [2])
    // Node 1 replayed the same.
    assert.deepEqual(c.node(1).cm.metadata.topic('fail')!.partitions, m.topic('fail')!.partitions)

    // The node returns: new registration epoch, unfenced after catching up, leads its offline partition again.
    const oldEpoch = brokers.find((b) => b.id === 2)!.epoch
    c.start(2)
    assert.ok(await c.node(2).cm.lifecycle.awaitUnfenced(3000))
    assert.ok(m.brokers().find((b) => b.id === 2)!.epoch > oldEpoch)
    const back = m.topic('single')!.partitions[0]
    assert.equal(back.leader, 2)
    assert.equal(back.leaderEpoch, single.leaderEpoch + 1)
    // It rejoins ISRs only through its leaders' AlterPartition.
    assert.ok(m.topic('fail')!.partitions.every((p) => !p.isr.includes(2)))
  } finally {
    c.close()
  }
})

test('unclean election only with the setting or on demand', async () => {
  const c = await startCluster(3)
  try {
    const m = c.node(0).cm.metadata
    await m.createTopic('clean', -1, -1, {}, {assignments: [[2, 1]]})
    await m.createTopic('dirty', -1, -1, {'unclean.leader.election.enable': 'true'}, {assignments: [[2, 1]]})
    for (const name of ['clean', 'dirty']) {
      const p = m.topic(name)!.partitions[0]
      const shrunk = await m.alterPartition(name, 0, {leaderId: 2, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, newIsr: [2]})
      assert.deepEqual(shrunk.isr, [2])
    }
    c.kill(2)
    await until(() => m.brokers().find((b) => b.id === 2)!.fenced, 3000, 'broker 2 fenced')
    assert.equal(m.topic('clean')!.partitions[0].leader, -1)
    assert.deepEqual(m.topic('dirty')!.partitions[0].isr, [1])
    assert.equal(m.topic('dirty')!.partitions[0].leader, 1)
    // Preferred cannot help (2 is down); unclean can.
    const [pref] = await c.node(1).cm.metadata.electLeaders('preferred', [{topic: 'clean', partition: 0}])
    assert.equal(pref.errorCode, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE)
    const [r] = await c.node(1).cm.metadata.electLeaders('unclean', [{topic: 'clean', partition: 0}])
    assert.equal(r.errorCode, ErrorCode.NONE)
    assert.equal(r.leaderBefore, -1)
    assert.equal(r.leaderAfter, 1)
    assert.deepEqual(m.topic('clean')!.partitions[0].isr, [1])
    const [again] = await m.electLeaders('unclean', [{topic: 'clean', partition: 0}])
    assert.equal(again.errorCode, ErrorCode.ELECTION_NOT_NEEDED)
  } finally {
    c.close()
  }
})

test('controlled shutdown moves leadership and ISR seats away before the broker stops', async () => {
  const c = await startCluster(3)
  try {
    const m = c.node(0).cm.metadata
    await m.createTopic('cs', 6, 3, {})
    assert.ok(m.topic('cs')!.partitions.some((p) => p.leader === 1))
    await c.node(1).cm.lifecycle.controlledShutdown(3000)
    const b1 = m.brokers().find((b) => b.id === 1)!
    assert.equal(b1.inControlledShutdown, true)
    for (const p of m.topic('cs')!.partitions) {
      assert.notEqual(p.leader, 1)
      assert.ok(!p.isr.includes(1))
    }
    // A broker shutting down cannot be handed new partitions.
    const t = await m.createTopic('after', 2, 2, {})
    assert.ok(t.partitions.every((p) => !p.replicas.includes(1)))
  } finally {
    c.close()
  }
})

test('AlterPartition is validated against leader epoch, partition epoch and eligible replicas', async () => {
  const c = await startCluster(3)
  try {
    // The partition leader (node 0) asks; node 1 is the controller, so the request is forwarded.
    c.quorum.setLeader(1)
    const m = c.node(0).cm.metadata
    await c.node(2).cm.metadata.createTopic('isr', -1, -1, {}, {assignments: [[0, 1, 2]]})
    const p = m.topic('isr')!.partitions[0]
    const ok = await m.alterPartition('isr', 0, {leaderId: 0, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, newIsr: [0, 1]})
    assert.deepEqual(ok.isr, [0, 1])
    assert.equal(ok.partitionEpoch, p.partitionEpoch + 1)
    assert.equal(ok.leaderEpoch, p.leaderEpoch)
    assert.equal(await codeOf(m.alterPartition('isr', 0, {leaderId: 0, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, newIsr: [0]})),
      ErrorCode.INVALID_UPDATE_VERSION)
    assert.equal(await codeOf(m.alterPartition('isr', 0, {leaderId: 0, leaderEpoch: p.leaderEpoch - 1, partitionEpoch: ok.partitionEpoch, newIsr: [0]})),
      ErrorCode.FENCED_LEADER_EPOCH)
    c.kill(2)
    await until(() => c.node(0).cm.metadata.brokers().find((b) => b.id === 2)!.fenced, 3000, 'broker 2 fenced')
    const cur = c.node(0).cm.metadata.topic('isr')!.partitions[0]
    assert.equal(await codeOf(c.node(1).cm.metadata.alterPartition('isr', 0,
      {leaderId: 1, leaderEpoch: cur.leaderEpoch, partitionEpoch: cur.partitionEpoch, newIsr: [0, 1]})), ErrorCode.NOT_LEADER_OR_FOLLOWER)
    assert.equal(await codeOf(m.alterPartition('isr', 0,
      {leaderId: 0, leaderEpoch: cur.leaderEpoch, partitionEpoch: cur.partitionEpoch, newIsr: [0, 1, 2]})), ErrorCode.INELIGIBLE_REPLICA)
  } finally {
    c.close()
  }
})

test('preferred election moves leadership back once the preferred replica is in the ISR', async () => {
  const c = await startCluster(2)
  try {
    const m = c.node(1).cm.metadata
    await m.createTopic('pref', -1, -1, {}, {assignments: [[1, 0]]})
    c.kill(1)
    await until(() => c.node(0).cm.metadata.topic('pref')!.partitions[0].leader === 0, 3000, 'failover to 0')
    const n1 = c.start(1)
    assert.ok(await n1.cm.lifecycle.awaitUnfenced(3000))
    const m0 = c.node(0).cm.metadata
    let [r] = await m0.electLeaders('preferred', [{topic: 'pref', partition: 0}])
    assert.equal(r.errorCode, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE)
    const p = m0.topic('pref')!.partitions[0]
    await m0.alterPartition('pref', 0, {leaderId: 0, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, newIsr: [0, 1]})
    ;[r] = await n1.cm.metadata.electLeaders('preferred', null)
    assert.equal(r.errorCode, ErrorCode.NONE)
    assert.equal(r.leaderBefore, 0)
    assert.equal(r.leaderAfter, 1)
    assert.equal(m0.topic('pref')!.partitions[0].leaderEpoch, p.leaderEpoch + 1)
    ;[r] = await m0.electLeaders('preferred', [{topic: 'pref', partition: 0}])
    assert.equal(r.errorCode, ErrorCode.ELECTION_NOT_NEEDED)
    const [missing] = await m0.electLeaders('preferred', [{topic: 'nope', partition: 0}])
    assert.equal(missing.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  } finally {
    c.close()
  }
})

test('the auto rebalance timer restores preferred leaders', async () => {
  const c = await startCluster(2, {'auto.leader.rebalance.enable': 'true', 'leader.imbalance.check.interval.seconds': '0.2'})
  try {
    const m0 = c.node(0).cm.metadata
    await m0.createTopic('auto', -1, -1, {}, {assignments: [[1, 0]]})
    c.kill(1)
    await until(() => m0.topic('auto')!.partitions[0].leader === 0, 3000, 'failover to 0')
    assert.ok(await c.start(1).cm.lifecycle.awaitUnfenced(3000))
    const p = m0.topic('auto')!.partitions[0]
    await m0.alterPartition('auto', 0, {leaderId: 0, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, newIsr: [0, 1]})
    await until(() => m0.topic('auto')!.partitions[0].leader === 1, 3000, 'preferred leader back')
  } finally {
    c.close()
  }
})

test('a new controller takes over writes; a non-controller refuses controller requests', async () => {
  const c = await startCluster(3)
  try {
    c.quorum.setLeader(2)
    await c.node(0).cm.metadata.createTopic('after-failover', 2, 3, {})
    await c.node(0).cm.metadata.alterTopicConfigs('after-failover', {'retention.ms': '1234'})
    assert.equal(c.node(1).cm.metadata.topic('after-failover')!.configs['retention.ms'], '1234')
    await c.node(1).cm.metadata.deleteTopic('after-failover')
    assert.equal(c.node(0).cm.metadata.topic('after-failover'), undefined)
    assert.equal(await codeOf(c.node(0).cm.controller.createTopic('x', 1, 1, {})), ErrorCode.NOT_CONTROLLER)
    // Leadership unknown, then back: a write waits for a controller and then succeeds.
    c.quorum.setLeader(-1)
    const pending = c.node(1).cm.metadata.createPartitions('spare', 1).catch((e) => e)
    setTimeout(() => c.quorum.setLeader(0), 150)
    assert.equal((await pending).code, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    // Producer ids from blocks are unique across nodes.
    const ids = new Set<bigint>()
    for (const id of [0, 1, 2]) for (let i = 0; i < 5; i++) ids.add(await c.node(id).cm.metadata.allocateProducerId())
    assert.equal(ids.size, 15)
  } finally {
    c.close()
  }
})

test('a restarted node replays the committed log into the same image', async () => {
  const c = await startCluster(2)
  try {
    await c.node(0).cm.metadata.createTopic('replayed', 4, 2, {'cleanup.policy': 'compact'})
    await c.node(0).cm.metadata.alterBrokerConfigs({'log.retention.ms': '5000'})
    const before = c.node(1).cm.metadata.topic('replayed')
    c.kill(1)
    const n1 = c.start(1)
    assert.deepEqual(n1.cm.metadata.topic('replayed'), before)
    assert.equal(n1.cm.metadata.brokers().length, 2)
    assert.equal(c.node(0).cm.metadata.brokerConfigOverrides()['log.retention.ms'], '5000')
    assert.equal(n1.cm.metadata.brokerConfigOverrides()['log.retention.ms'], undefined)
  } finally {
    c.close()
  }
})

test('a single voter serves its own broker like a single node', async () => {
  const c = new TestCluster()
  try {
    const n = c.start(0)
    c.quorum.setLeader(0)
    assert.ok(await n.cm.lifecycle.awaitUnfenced(3000))
    const t = await n.cm.metadata.createTopic('solo', 3, -1, {})
    assert.deepEqual(t.partitions.map((p) => [p.leader, p.replicas, p.isr]), [[0, [0], [0]], [0, [0], [0]], [0, [0], [0]]])
    assert.equal(await codeOf(n.cm.metadata.createTopic('solo2', 1, 2, {})), ErrorCode.INVALID_REPLICATION_FACTOR)
    const a = await n.cm.metadata.allocateProducerId()
    assert.equal(n.cm.metadata.generateProducerId(), a + 1n)
  } finally {
    c.close()
  }
})
