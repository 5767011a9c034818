// Vote handling of one voter (no network needed): one vote per epoch, persisted across a restart,
// only for candidates whose log is at least as up to date, and refusals for foreign clusters and
// non-voters.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {KafkaRaftClient} from '../../src/controller/raft/kafka-raft-client.js'
import {ErrorCode} from '../../src/protocol/index.js'

const voters = new Map([0, 1, 2].map((id) => [id, {host: '127.0.0.1', port: 1}]))

function voter(dataDir: string): KafkaRaftClient {
  // A long election timeout keeps the voter from standing itself during the test.
  const c = new KafkaRaftClient({nodeId: 0, clusterId: 'vc', voters, dataDir, electionTimeoutMs: 60_000, fetchTimeoutMs: 60_000})
  c.start()
  return c
}

function vote(c: KafkaRaftClient, candidateId: number, epoch: number, lastOffsetEpoch = 0, lastOffset = 0n, clusterId: string | null = 'vc'): any {
  const resp: any = c.handleVote({clusterId, topics: [{topicName: '__cluster_metadata', partitions: [{partitionIndex: 0,
    candidateEpoch: epoch, candidateId, lastOffsetEpoch, lastOffset}]}]})
  return resp.topics[0]?.partitions[0] ?? resp
}

test('one vote per epoch, kept across a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-vote-'))
  try {
    const c1 = voter(dir)
    assert.equal(vote(c1, 1, 5).voteGranted, true)
    assert.equal(vote(c1, 1, 5).voteGranted, true, 'the same candidate may ask again')
    assert.equal(vote(c1, 2, 5).voteGranted, false, 'no second vote in epoch 5')
    assert.equal(c1.leaderAndEpoch().epoch, 5)
    c1.close()

    const c2 = voter(dir)
    assert.equal(c2.leaderAndEpoch().epoch, 5)
    assert.equal(vote(c2, 2, 5).voteGranted, false, 'the vote survived the restart')
    assert.equal(vote(c2, 1, 5).voteGranted, true)
    const stale = vote(c2, 2, 4)
    assert.equal(stale.voteGranted, false)
    assert.equal(stale.errorCode, ErrorCode.FENCED_LEADER_EPOCH)
    assert.equal(stale.leaderEpoch, 5)
    assert.equal(vote(c2, 2, 6).voteGranted, true, 'a new epoch, a new vote')
    c2.close()
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})

test('votes go only to logs at least as up to date; foreign clusters and non-voters are refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-vote-'))
  try {
    // Give the voter a log: lead a single-voter quorum on the same dir first (epoch 1, one batch).
    const solo = new KafkaRaftClient({nodeId: 0, clusterId: 'vc', voters: new Map([[0, {host: '127.0.0.1', port: 1}]]), dataDir: dir})
    solo.start()
    await solo.appendAndCommit([Buffer.from('x')])
    const end = solo.logEndOffset
    solo.close()

    const c = voter(dir)
    assert.equal(vote(c, 1, 3, 0, 10n).voteGranted, false, 'older last epoch, however long')
    assert.equal(vote(c, 2, 4, 1, end - 1n).voteGranted, false, 'same epoch, shorter log')
    assert.equal(vote(c, 2, 5, 1, end).voteGranted, true, 'same epoch, same end')
    assert.equal(vote(c, 1, 6, 2, 0n).voteGranted, true, 'newer last epoch')
    const foreign: any = vote(c, 1, 9, 9, 100n, 'other-cluster')
    assert.equal(foreign.errorCode, ErrorCode.INCONSISTENT_CLUSTER_ID)
    assert.equal(c.leaderAndEpoch().epoch, 6, 'a foreign request changes nothing')
    const outsider = vote(c, 7, 9, 9, 100n)
    assert.equal(outsider.voteGranted, false)
    assert.equal(outsider.errorCode, ErrorCode.INCONSISTENT_VOTER_SET)
    const fetch: any = c.handleFetch({clusterId: 'other', replicaId: 1, maxWaitMs: 0, topics: []})
    assert.equal(fetch.errorCode, ErrorCode.INCONSISTENT_CLUSTER_ID)
    const notLeader: any = c.handleFetch({clusterId: 'vc', replicaId: 1, maxWaitMs: 0, maxBytes: 1000,
      topics: [{topic: '__cluster_metadata', partitions: [{partition: 0, fetchOffset: 0n, currentLeaderEpoch: 6, lastFetchedEpoch: -1, partitionMaxBytes: 1000}]}]})
    assert.equal(notLeader.responses[0].partitions[0].errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER)
    const junk: any = c.handleVote({topics: 'nonsense'})
    assert.equal(junk.topics[0].partitions[0].voteGranted, false)
    c.close()
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})
