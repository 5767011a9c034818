/**
 * The group coordinator follows the leadership of __consumer_offsets partitions: it loads a
 * partition's groups when this node becomes leader, drops them (parked requests answer
 * NOT_COORDINATOR) when leadership moves, and FindCoordinator names the partition's leader.
 * Driven by a fake MetadataManager; the logs are real.
 */
import {after, before, describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {BrokerContext} from '../../src/broker/context.js'
import {createGroupCoordinator, GroupCoordinator, OFFSETS_TOPIC, partitionForGroup} from '../../src/broker/group/index.js'
import {findCoordinatorHandler} from '../../src/broker/handlers/10-find-coordinator.js'
import {ErrorCode} from '../../src/protocol/index.js'
import {brokerImage, FakeMetadata, fakeReplicaManager} from './group-failover-fake.js'

const PARTITIONS = 4
const SELF = 0
const OTHER = 1

/** Two group ids living in different offsets partitions. */
function twoGroups(): [string, string] {
  const a = 'group-a'
  for (let i = 0; i < 100; i++) {
    const b = `group-b${i}`
    if (partitionForGroup(b, PARTITIONS) !== partitionForGroup(a, PARTITIONS)) return [a, b]
  }
  throw new Error('no second group found')
}

async function find(ctx: BrokerContext, key: string): Promise<any> {
  return findCoordinatorHandler.handle(ctx, {key, keyType: 0}, {header: {apiVersion: 3}} as any)
}

function commit(coord: GroupCoordinator, groupId: string, offset: bigint): Promise<number[]> {
  return coord.commitOffsets({groupId, memberId: '', groupInstanceId: null, generationId: -1, retentionTimeMs: -1,
    offsets: [{topic: 'orders', partition: 0, offset, leaderEpoch: 3, metadata: 'm'}]})
}

function committed(coord: GroupCoordinator, groupId: string): {errorCode: number; offset?: bigint} {
  const r = coord.fetchOffsets(groupId, [{name: 'orders', partitionIndexes: [0]}])
  return {errorCode: r.errorCode, offset: r.topics[0]?.partitions[0]?.committedOffset}
}

describe('group coordinator following __consumer_offsets leadership', () => {
  let dir: string
  let metadata: FakeMetadata
  let replicas: ReturnType<typeof fakeReplicaManager>
  let ctx: BrokerContext
  let coord: GroupCoordinator
  const [g1, g2] = twoGroups()
  const p1 = partitionForGroup(g1, PARTITIONS)

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'samsa-group-failover-'))
    metadata = new FakeMetadata([brokerImage(SELF, 9092), brokerImage(OTHER, 9093)], SELF)
    replicas = fakeReplicaManager(dir)
    ctx = {
      nodeId: SELF, clusterId: 'c', host: '127.0.0.1', port: 9092, dataDir: dir, logger: () => {},
      props: {'offsets.topic.num.partitions': String(PARTITIONS), 'offsets.topic.replication.factor': '3', 'group.initial.rebalance.delay.ms': '60000'},
      metadata, replicaManager: replicas, logManager: undefined as any,
    }
    coord = createGroupCoordinator(ctx)
    ctx.groupCoordinator = coord
    coord.startup()
  })
  after(() => {
    coord.shutdown()
    replicas.close()
    rmSync(dir, {recursive: true, force: true})
  })

  it('creates the offsets topic on first use, replication factor capped by the registered brokers', async () => {
    const r = await find(ctx, g1)
    assert.equal(r.errorCode, ErrorCode.NONE)
    assert.deepEqual([r.nodeId, r.host, r.port], [SELF, '127.0.0.1', 9092])
    assert.deepEqual(metadata.created, [{name: OFFSETS_TOPIC, partitions: PARTITIONS, replicationFactor: 2}])
    assert.deepEqual(await commit(coord, g1, 42n), [ErrorCode.NONE])
    assert.deepEqual(await commit(coord, g2, 7n), [ErrorCode.NONE])
    assert.deepEqual(committed(coord, g1), {errorCode: ErrorCode.NONE, offset: 42n})
  })

  it('leadership moving away unloads the partition: NOT_COORDINATOR, parked joins answered, FindCoordinator names the new leader', async () => {
    // A join parked in the initial rebalance delay.
    const parked = coord.joinGroup({groupId: g1, memberId: '', groupInstanceId: null, requireKnownMemberId: false, clientId: 'c',
      clientHost: '/h', rebalanceTimeoutMs: 10000, sessionTimeoutMs: 10000, protocolType: 'consumer', protocols: [{name: 'range', metadata: Buffer.from('m')}]})
    await new Promise((r) => setImmediate(r))
    metadata.setLeader(OFFSETS_TOPIC, p1, OTHER)
    const answer = await Promise.race([parked, new Promise<null>((r) => setTimeout(() => r(null), 2000))])
    assert.equal(answer?.errorCode, ErrorCode.NOT_COORDINATOR)
    assert.equal(committed(coord, g1).errorCode, ErrorCode.NOT_COORDINATOR)
    assert.equal(coord.heartbeat(g1, 1, {memberId: 'm', groupInstanceId: null}), ErrorCode.NOT_COORDINATOR)
    assert.deepEqual(await commit(coord, g1, 50n), [ErrorCode.NOT_COORDINATOR])
    assert.equal(coord.describeGroup(g1).errorCode, ErrorCode.NOT_COORDINATOR)
    assert.equal(coord.group(g1), undefined, 'the group is no longer held here')
    const r = await find(ctx, g1)
    assert.deepEqual([r.errorCode, r.nodeId, r.host, r.port], [ErrorCode.NONE, OTHER, '127.0.0.1', 9093])
    // Another partition's group is untouched.
    assert.deepEqual(committed(coord, g2), {errorCode: ErrorCode.NONE, offset: 7n})
  })

  it('a partition without a leader has no coordinator', async () => {
    metadata.setLeader(OFFSETS_TOPIC, p1, -1)
    const r = await find(ctx, g1)
    assert.equal(r.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE)
    assert.equal(r.nodeId, -1)
    // FindCoordinator v4 answers per key.
    const v4 = await findCoordinatorHandler.handle(ctx, {keyType: 0, coordinatorKeys: [g1, g2]}, {header: {apiVersion: 4}} as any) as any
    assert.deepEqual(v4.coordinators.map((c: any) => [c.key, c.errorCode, c.nodeId]),
      [[g1, ErrorCode.COORDINATOR_NOT_AVAILABLE, -1], [g2, ErrorCode.NONE, SELF]])
  })

  it('leadership coming back reloads the groups and offsets from the log', async () => {
    metadata.setLeader(OFFSETS_TOPIC, p1, SELF)
    assert.deepEqual(committed(coord, g1), {errorCode: ErrorCode.NONE, offset: 42n})
    assert.deepEqual(await commit(coord, g1, 43n), [ErrorCode.NONE])
    assert.deepEqual(committed(coord, g1), {errorCode: ErrorCode.NONE, offset: 43n})
    const r = await find(ctx, g1)
    assert.deepEqual([r.errorCode, r.nodeId], [ErrorCode.NONE, SELF])
  })

  it('a fenced leader is not offered as coordinator', async () => {
    metadata.setLeader(OFFSETS_TOPIC, p1, OTHER)
    metadata.brokerList[1] = {...metadata.brokerList[1], fenced: true}
    assert.equal((await find(ctx, g1)).errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE)
    metadata.brokerList[1] = {...metadata.brokerList[1], fenced: false}
    metadata.setLeader(OFFSETS_TOPIC, p1, SELF)
  })

  it('a coordinator started on a node that leads only some partitions loads only those', () => {
    const other = createGroupCoordinator({...ctx, nodeId: OTHER, groupCoordinator: undefined})
    metadata.setLeader(OFFSETS_TOPIC, partitionForGroup(g2, PARTITIONS), OTHER)
    other.startup()
    try {
      assert.deepEqual(committed(other, g2), {errorCode: ErrorCode.NONE, offset: 7n})
      assert.equal(committed(other, g1).errorCode, ErrorCode.NOT_COORDINATOR)
      assert.equal(committed(coord, g2).errorCode, ErrorCode.NOT_COORDINATOR)
    } finally {
      other.shutdown()
    }
  })
})
