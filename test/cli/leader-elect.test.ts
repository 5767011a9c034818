/** `samsa leader elect` and the replica marks of `topic describe`: pure logic with a fake admin, and the binary against one broker. */
import {after, before, describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {electionOutcome, partitionMarks} from '../../src/cli/partition-status.js'
import {runLeaderElection} from '../../src/cli/leader-elect.js'
import {handlerFor} from '../../src/broker/handlers/index.js'
import {ErrorCode} from '../../src/protocol/index.js'
import type {AdminClient} from '../../src/client/admin.js'
import {removeDataDir, startBrokerProcess, type BrokerProcess} from '../helpers/broker-process.js'
import {errorLines, samsa} from './helpers.js'

describe('partition marks and election outcomes', () => {
  it('marks offline, under-replicated and not-preferred-leader partitions', () => {
    assert.deepEqual(partitionMarks({leader: 0, replicas: [0, 1, 2], isr: [0, 1, 2]}), [])
    assert.deepEqual(partitionMarks({leader: 1, replicas: [0, 1, 2], isr: [1, 2]}), ['under-replicated', 'not-preferred-leader'])
    assert.deepEqual(partitionMarks({leader: -1, replicas: [0, 1], isr: []}), ['offline', 'under-replicated'])
  })

  it('names each ElectLeaders outcome', () => {
    assert.deepEqual(electionOutcome(ErrorCode.NONE, 'preferred', 0), {outcome: 'elected', ok: true})
    assert.deepEqual(electionOutcome(ErrorCode.ELECTION_NOT_NEEDED, 'preferred', 0), {outcome: 'already preferred', ok: true})
    const np = electionOutcome(ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, 'preferred', 2)
    assert.equal(np.ok, false)
    assert.match(np.outcome, /preferred replica 2 is not alive/)
    assert.match(electionOutcome(ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE, 'unclean', 0).outcome, /no live replica/)
    assert.match(electionOutcome(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'preferred', 0, 'nope').outcome, /CLUSTER_AUTHORIZATION_FAILED: nope/)
  })

  it('reports leaders before and after, waiting until Metadata shows the election', async () => {
    // Leader 1 before; the controller moves partition 0 to its preferred replica 0, visible on the 3rd Metadata read.
    let reads = 0
    const fake = {
      listTopics: async () => [{name: 't', topicId: 'x', partitions: 2, internal: false}],
      describeTopics: async () => {
        reads++
        return [{name: 't', topicId: 'x', internal: false, partitions: [
          {partition: 0, leader: reads >= 3 ? 0 : 1, leaderEpoch: 1, replicas: [0, 1], isr: [0, 1], offline: [], logStartOffset: null, logEndOffset: null},
          {partition: 1, leader: -1, leaderEpoch: 1, replicas: [1, 0], isr: [], offline: [1, 0], logStartOffset: null, logEndOffset: null},
        ]}]
      },
      electLeaders: async (type: string, parts: unknown) => {
        assert.equal(type, 'preferred')
        assert.equal(parts, null)
        return [
          {topic: 't', partition: 0, errorCode: 0, error: 'NONE', errorMessage: null},
          {topic: 't', partition: 1, errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, error: 'PREFERRED_LEADER_NOT_AVAILABLE', errorMessage: null},
        ]
      },
    } as unknown as AdminClient
    const rows = await runLeaderElection(fake, 'preferred', {all: true}, 2000)
    assert.ok(reads >= 3, 'polled until the new leader showed')
    assert.deepEqual(rows.map((r) => [r.partition, r.leaderBefore, r.leaderAfter, r.ok]), [[0, 1, 0, true], [1, -1, -1, false]])
    assert.equal(rows[0].outcome, 'elected')
  })
})

describe('leader elect and topic describe against a single node', () => {
  let broker: BrokerProcess
  let b: string[]
  before(async () => {
    broker = await startBrokerProcess()
    b = ['-b', broker.bootstrap]
    const r = await samsa(['topic', 'create', 'lt', '-p', '2', ...b])
    assert.equal(r.code, 0, r.stderr)
  })
  after(async () => {
    await broker.stop()
    removeDataDir(broker.dataDir)
  })

  it('topic describe marks nothing on healthy partitions and adds OFFLINE/STATUS columns', async () => {
    const doc = JSON.parse((await samsa(['topic', 'describe', 'lt', '--json', ...b])).stdout)
    assert.deepEqual(doc.topics[0].partitions.map((p: any) => [p.partition, p.marks, p.underReplicated, p.preferredLeader]),
      [[0, [], false, true], [1, [], false, true]])
    const plain = await samsa(['topic', 'describe', 'lt', ...b])
    const rows = plain.stdout.trim().split('\n').map((l) => l.split('\t'))
    assert.deepEqual(rows[0], ['TOPIC', 'PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'LOG START', 'LOG END', 'OFFLINE', 'STATUS'])
    assert.deepEqual(rows[1], ['lt', '0', '0', '0', '0', '0', '0', '-', 'ok'])
    const only = JSON.parse((await samsa(['topic', 'describe', 'lt', '--under-replicated', '--json', ...b])).stdout)
    assert.deepEqual(only.topics[0].partitions, [])
  })

  it('leader elect renders what ElectLeaders answers', async () => {
    const r = await samsa(['leader', 'elect', '--topic', 'lt', '--json', ...b])
    if (handlerFor(43)) {
      // One node: every partition is led by its only (preferred) replica already.
      assert.equal(r.code, 0, r.stderr)
      const doc = JSON.parse(r.stdout)
      assert.deepEqual(doc.partitions.map((p: any) => [p.partition, p.leaderBefore, p.leaderAfter, p.error, p.outcome]),
        [[0, 0, 0, 'ELECTION_NOT_NEEDED', 'already preferred'], [1, 0, 0, 'ELECTION_NOT_NEEDED', 'already preferred']])
      const one = await samsa(['leader', 'elect', '--topic', 'lt', '--partition', '1', ...b])
      assert.equal(one.code, 0, one.stderr)
      assert.deepEqual(one.stdout.trim().split('\n').slice(1).map((l) => l.split('\t')), [['lt', '1', '0', '0', '0', '0', 'already preferred']])
    } else {
      // Until the broker has an ElectLeaders handler, the admin says so in one line.
      assert.equal(r.code, 1)
      assert.match(errorLines(r.stderr)[0], /does not support ElectLeaders.*UNSUPPORTED_VERSION/)
    }
  })

  it('leader elect usage errors exit 2', async () => {
    for (const args of [[], ['--all', '--topic', 'lt'], ['--partition', '1'], ['--all', '--type', 'random']]) {
      const r = await samsa(['leader', 'elect', ...args, ...b])
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
      assert.equal(errorLines(r.stderr).length, 1, r.stderr)
    }
  })
})
