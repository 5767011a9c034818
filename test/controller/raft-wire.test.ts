// The Raft APIs on the wire: DescribeQuorum v1 through a NodeChannel, graceful resignation through
// EndQuorumEpoch, hostile bodies, and controller.quorum.voters parsing.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {TestQuorum, waitFor} from '../helpers/raft-cluster.js'
import {NodeChannel} from '../../src/controller/network/node-channel.js'
import {parseQuorumVoters, raftOptionsFromProps} from '../../src/controller/raft/index.js'
import {ErrorCode} from '../../src/protocol/index.js'

const describeBody = {topics: [{topicName: '__cluster_metadata', partitions: [{partitionIndex: 0}]}]}

test('DescribeQuorum over the wire, and a resigning leader hands over at once', async () => {
  const q = new TestQuorum(3, 'wire-cluster', {electionTimeoutMs: 1000, fetchTimeoutMs: 2000})
  const channels: NodeChannel[] = []
  try {
    await q.start()
    const leader = await q.waitForLeader(8000)
    await leader.client!.appendAndCommit([Buffer.from('x')])
    await waitFor(() => q.nodes.every((n) => n.listener.values().length === 1), 3000, 'commit everywhere')
    const ch = (port: number) => {
      const c = new NodeChannel({host: '127.0.0.1', port}, 'test')
      channels.push(c)
      return c
    }
    const resp = await ch(leader.port).send(55, describeBody, {timeoutMs: 2000})
    assert.equal(resp.errorCode, 0)
    const p = resp.topics[0].partitions[0]
    assert.equal(p.errorCode, 0)
    assert.equal(p.leaderId, leader.id)
    assert.equal(p.highWatermark, leader.client!.committedOffset)
    assert.deepEqual(p.currentVoters.map((v: any) => v.replicaId).sort(), [0, 1, 2])
    for (const v of p.currentVoters) {
      assert.equal(typeof v.logEndOffset, 'bigint')
      assert.ok(v.lastFetchTimestamp > 0n, 'every voter has fetched')
    }
    const follower = q.nodes.find((n) => n !== leader)!
    const fr = await ch(follower.port).send(55, describeBody, {timeoutMs: 2000})
    assert.equal(fr.topics[0].partitions[0].errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER)
    assert.equal(fr.topics[0].partitions[0].leaderId, leader.id, 'a follower still names the leader')
    const foreign = await ch(follower.port).send(52, {clusterId: 'someone-else', topics: []}, {timeoutMs: 2000})
    assert.equal(foreign.errorCode, ErrorCode.INCONSISTENT_CLUSTER_ID)

    // Graceful shutdown: EndQuorumEpoch lets a successor stand well before the 2 s fetch timeout.
    const t0 = Date.now()
    await leader.client!.shutdown()
    leader.client = null
    const next = await q.waitForLeader(3000, leader.id)
    assert.ok(Date.now() - t0 < 1500, `successor after ${Date.now() - t0} ms`)
    await next.client!.appendAndCommit([Buffer.from('y')])
    await waitFor(() => q.nodes.filter((n) => n.client).every((n) => n.listener.values().join() === 'x,y'), 3000, 'commit after handover')
  } finally {
    for (const c of channels) c.close()
    await q.destroy()
  }
})

test('controller.quorum.voters parsing and defaults', () => {
  const v = parseQuorumVoters('0@127.0.0.1:9092, 1@localhost:9093,2@[::1]:9094')
  assert.deepEqual([...v.entries()], [[0, {host: '127.0.0.1', port: 9092}], [1, {host: 'localhost', port: 9093}], [2, {host: '::1', port: 9094}]])
  assert.throws(() => parseQuorumVoters('0@h:1,0@h:2'), /listed twice/)
  assert.throws(() => parseQuorumVoters('zero@h:1'), /bad entry/)
  assert.throws(() => parseQuorumVoters('0@h:70000'), /bad entry/)
  const single = raftOptionsFromProps({nodeId: 3, clusterId: 'c', dataDir: '/tmp/x', host: 'h', port: 9, props: {}})
  assert.deepEqual([...single.voters.entries()], [[3, {host: 'h', port: 9}]])
  assert.equal(single.electionTimeoutMs, 1000)
  assert.equal(single.fetchTimeoutMs, 2000)
  const tuned = raftOptionsFromProps({nodeId: 0, clusterId: 'c', dataDir: '/tmp/x', host: 'h', port: 9,
    props: {'controller.quorum.voters': '0@a:1,1@b:2', 'controller.quorum.election.timeout.ms': '300'}})
  assert.equal(tuned.voters.size, 2)
  assert.equal(tuned.electionTimeoutMs, 300)
  assert.throws(() => raftOptionsFromProps({nodeId: 0, clusterId: 'c', dataDir: '/tmp/x', host: 'h', port: 9,
    props: {'controller.quorum.fetch.timeout.ms': 'soon'}}), /positive integer/)
})

test('broker handlers route the Raft APIs and metadata Fetch to the node\'s Raft client', async () => {
  const {handlerFor} = await import('../../src/broker/handlers/index.js')
  const {mkdtempSync, rmSync} = await import('node:fs')
  const {tmpdir} = await import('node:os')
  const {join} = await import('node:path')
  const {KafkaRaftClient} = await import('../../src/controller/raft/index.js')
  const dir = mkdtempSync(join(tmpdir(), 'samsa-raft-h-'))
  const raft = new KafkaRaftClient({nodeId: 0, clusterId: 'h', voters: new Map([[0, {host: '127.0.0.1', port: 1}]]), dataDir: dir})
  try {
    raft.start()
    await raft.caughtUp()
    const ctx = (apiKey: number, apiVersion: number) => ({header: {apiKey, apiVersion, correlationId: 1, clientId: 't'}, clientHost: 'h', connectionId: 1})
    for (const key of [52, 53, 54, 55]) assert.ok(handlerFor(key), `api ${key} is served`)
    const bare: any = await handlerFor(55)!.handle({} as any, describeBody, ctx(55, 1))
    assert.equal(bare.errorCode, ErrorCode.BROKER_NOT_AVAILABLE)
    const dq: any = await handlerFor(55)!.handle({raft} as any, describeBody, ctx(55, 1))
    assert.equal(dq.topics[0].partitions[0].leaderId, 0)
    const fetch: any = await handlerFor(1)!.handle({raft} as any, {clusterId: 'h', replicaId: -1, maxWaitMs: 0, maxBytes: 1 << 20, sessionId: 0, sessionEpoch: -1,
      topics: [{topic: '__cluster_metadata', partitions: [{partition: 0, fetchOffset: 0n, currentLeaderEpoch: -1, lastFetchedEpoch: -1, partitionMaxBytes: 1 << 20}]}]}, ctx(1, 12))
    const p = fetch.responses[0].partitions[0]
    assert.equal(p.errorCode, 0)
    assert.equal(p.highWatermark, raft.committedOffset)
    assert.ok(p.records.length > 0, 'the committed LeaderChange batch is readable')
  } finally {
    raft.close()
    rmSync(dir, {recursive: true, force: true})
  }
})
