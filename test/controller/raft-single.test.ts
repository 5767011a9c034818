// A single-voter quorum (no controller.quorum.voters): instant leadership, durable commits, replay of
// the committed history at restart, and replay of a data dir written before the quorum existed.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, existsSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {KafkaRaftClient} from '../../src/controller/raft/kafka-raft-client.js'
import {RecordingListener} from '../helpers/raft-cluster.js'
import {MetadataRecordType, decodeMetadataRecord, encodeMetadataRecord, type MetadataRecord} from '../../src/broker/metadata/records.js'
import {Log, defaultLogConfig} from '../../src/storage/index.js'
import {encodeRecordBatch} from '../../src/records/index.js'
import {ErrorCode, KafkaError} from '../../src/protocol/index.js'

/** Writes batches the way samsa's single-node controller did before the quorum: one batch per change, epoch 0, no quorum-state. */
function writePreQuorumMetadataLog(dataDir: string, batches: MetadataRecord[][]): void {
  const log = Log.open(join(dataDir, '__cluster_metadata-0'), defaultLogConfig({retentionMs: -1, retentionBytes: -1}), {producerSnapshots: false})
  for (const records of batches) {
    log.append(encodeRecordBatch({records: records.map((r) => ({value: encodeMetadataRecord(r), timestamp: 0n}))}))
  }
  log.flush()
  log.close()
}

function single(dataDir: string, listener: RecordingListener): KafkaRaftClient {
  const c = new KafkaRaftClient({nodeId: 0, clusterId: 'single', voters: new Map([[0, {host: '127.0.0.1', port: 1}]]), dataDir})
  c.register(listener)
  c.start()
  return c
}

test('a single voter leads at once, commits its own appends and replays them after a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-raft1-'))
  try {
    const l1 = new RecordingListener()
    const c1 = single(dir, l1)
    assert.equal(c1.isLeader(), true, 'leader synchronously after start')
    assert.equal(c1.leaderAndEpoch().leaderId, 0)
    const o1 = await c1.appendAndCommit([Buffer.from('one'), Buffer.from('two')])
    const o2 = await c1.appendAndCommit([Buffer.from('three')])
    assert.ok(o2 > o1)
    assert.deepEqual(l1.values(), ['one', 'two', 'three'])
    assert.deepEqual(l1.leaderEpochs, [1])
    assert.deepEqual(l1.changes.at(-1), {leaderId: 0, epoch: 1})
    const dq = c1.describeQuorum()
    assert.equal(dq.highWatermark, c1.logEndOffset)
    await c1.shutdown()
    await assert.rejects(c1.appendAndCommit([Buffer.from('late')]), (e: unknown) => e instanceof KafkaError && e.code === ErrorCode.NOT_CONTROLLER)
    const state = JSON.parse(readFileSync(join(dir, '__cluster_metadata-0', 'quorum-state'), 'utf8'))
    assert.equal(state.leaderEpoch, 1)
    assert.equal(state.leaderId, 0)

    const l2 = new RecordingListener()
    const c2 = single(dir, l2)
    assert.equal(c2.leaderAndEpoch().epoch, 2, 'a new epoch at each start')
    await c2.appendAndCommit([Buffer.from('four')])
    assert.deepEqual(l2.values(), ['one', 'two', 'three', 'four'])
    assert.deepEqual(l2.batches.slice(0, 2).map((b) => b.epoch), [1, 1])
    assert.equal(l2.batches[2].epoch, 2)
    // A listener registered late gets the history replayed first.
    const late = new RecordingListener()
    c2.register(late)
    assert.deepEqual(late.values(), l2.values())
    assert.deepEqual(late.leaderEpochs, [2])
    c2.close()
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})

test('a data dir written by the single-node MetadataLog replays as committed history', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-raft1-'))
  try {
    const topicId = '8b5e2f4c-2b4d-4a55-9c1e-0f3c4d5e6f70'
    const written: MetadataRecord[][] = [
      [{type: MetadataRecordType.Topic, data: {name: 'orders', topicId}}],
      [{type: MetadataRecordType.Config, data: {resourceType: 2, resourceName: 'orders', name: 'retention.ms', value: '1000'}},
        {type: MetadataRecordType.RemoveTopic, data: {topicId}}],
    ]
    writePreQuorumMetadataLog(dir, written)
    assert.ok(!existsSync(join(dir, '__cluster_metadata-0', 'quorum-state')))

    const l = new RecordingListener()
    const c = single(dir, l)
    assert.equal(l.batches.length, 0, 'nothing is delivered before the first entry of the epoch is durable')
    await c.caughtUp()
    assert.equal(l.batches.length, 2)
    assert.deepEqual(l.batches.map((b) => b.records.map((v) => decodeMetadataRecord(v))), written)
    assert.deepEqual(l.batches.map((b) => b.epoch), [0, 0])
    assert.deepEqual(l.leaderEpochs, [1])
    // New writes follow the old history.
    const last = await c.appendAndCommit([Buffer.from('next')])
    assert.ok(last > l.batches[1].lastOffset)
    c.close()
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})
