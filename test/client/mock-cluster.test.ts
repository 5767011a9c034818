/**
 * samsa's client against librdkafka's mock cluster, a broker implementation nobody here wrote:
 * version negotiation, metadata, per-broker connections, pipelining, and the admin fallbacks.
 * Skipped with a visible notice when the mock cannot start (python3-confluent-kafka missing).
 */
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {Connection} from '../../src/client/connection.js'
import {Cluster, parseBootstrap} from '../../src/client/cluster.js'
import {AdminClient} from '../../src/client/admin.js'
import {supportedVersions} from '../../src/protocol/index.js'
import {startMockCluster, type MockCluster} from './helpers.js'

let mock: MockCluster | undefined
let skip: string | false = false

before(async () => {
  const started = await startMockCluster(3)
  if ('skip' in started) {
    skip = `SKIPPED: ${started.skip}`
    process.stderr.write(`\n*** mock-cluster tests ${skip} ***\n\n`)
  } else {
    mock = started
  }
})

after(async () => {
  await mock?.stop()
})

test('negotiates versions with the mock broker (ApiVersions v3 fallback included)', async (t) => {
  if (skip) return t.skip(skip)
  const [addr] = parseBootstrap(mock!.bootstrap)
  const conn = await Connection.connect({...addr})
  try {
    const theirs = conn.brokerRange(3)!
    assert.ok(theirs, 'mock advertises Metadata')
    assert.equal(conn.versionFor(3), Math.min(theirs.max, supportedVersions(3)!.max))
    const md = await conn.send(3, {topics: null})
    assert.equal(md.brokers.length, 3)
  } finally {
    conn.close()
  }
})

test('keeps 200 pipelined requests in flight on one connection', async (t) => {
  if (skip) return t.skip(skip)
  const [addr] = parseBootstrap(mock!.bootstrap)
  const conn = await Connection.connect({...addr})
  try {
    const answers = await Promise.all(Array.from({length: 200}, () => conn.send(3, {topics: null})))
    assert.equal(answers.length, 200)
    for (const a of answers) assert.equal(a.brokers.length, 3)
  } finally {
    conn.close()
  }
})

test('Cluster caches metadata and connects to every broker by node id', async (t) => {
  if (skip) return t.skip(skip)
  const cluster = new Cluster({bootstrap: mock!.bootstrap})
  try {
    const md = await cluster.refreshMetadata(['mock-topic'])
    assert.equal(md.brokers.size, 3)
    assert.ok(md.clusterId)
    // The mock creates unknown topics on a Metadata request; the leader must be one of the brokers.
    const leader = await cluster.leaderFor('mock-topic', 0)
    assert.ok(md.brokers.has(leader))
    for (const id of md.brokers.keys()) {
      const conn = await cluster.connectionTo(id)
      assert.equal(conn.port, md.brokers.get(id)!.port)
      assert.equal(await cluster.connectionTo(id), conn, 'one connection per broker')
    }
  } finally {
    await cluster.close()
  }
})

test('AdminClient describes the mock cluster, through Metadata when DescribeCluster is missing', async (t) => {
  if (skip) return t.skip(skip)
  const admin = new AdminClient({bootstrap: mock!.bootstrap})
  try {
    const conn = await admin.cluster.anyConnection()
    const info = await admin.describeCluster()
    assert.equal(info.source, conn.supports(60) ? 'DescribeCluster' : 'Metadata')
    assert.equal(info.brokers.length, 3)
    assert.deepEqual(info.brokers.map((b) => b.nodeId), [...info.brokers.map((b) => b.nodeId)].sort((a, b) => a - b))
    const [topic] = await admin.describeTopics(['described'], {offsets: false})
    assert.equal(topic.name, 'described')
    assert.ok(topic.partitions.length > 0)
    for (const p of topic.partitions) assert.ok(p.replicas.includes(p.leader))
  } finally {
    await admin.close()
  }
})
