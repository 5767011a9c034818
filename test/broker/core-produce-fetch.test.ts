// Metadata auto-creation, Produce (v3/v9, acks 0/1/-1, validation errors, v0-2 refusal), Fetch
// (v4/v12 round trip, out of range, unknown topic, sessions) and ListOffsets against one broker.
import {test, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {decodeRecordBatches} from '../../src/records/index.js'
import {startTestBroker, RawClient, batchOf, produceBody, fetchBody, autoCreate, type TestBroker} from './core-harness.js'

let tb: TestBroker
let c: RawClient
before(async () => {
  tb = await startTestBroker({'message.max.bytes': '2000'})
  c = await RawClient.connect(tb.broker.port)
})
after(async () => {
  c.close()
  await tb.destroy()
})

const values = (records: Buffer | null) => decodeRecordBatches(records ?? Buffer.alloc(0)).flatMap((b) => b.records.map((r) => [r.offset, r.value!.toString()]))

test('Metadata auto-creates an unknown topic with num.partitions and a real topic id', async () => {
  const t = await autoCreate(c, 'auto-created')
  assert.equal(t.errorCode, 0)
  assert.match(t.topicId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  assert.notEqual(t.topicId, '00000000-0000-0000-0000-000000000000')
  assert.deepEqual(t.partitions.map((p: any) => [p.partitionIndex, p.leaderId, p.replicaNodes, p.isrNodes]), [[0, 0, [0], [0]]])
  const again = await autoCreate(c, 'auto-created')
  assert.equal(again.topicId, t.topicId)
  // v3 request: no allowAutoTopicCreation field, unknown topics are still created; v4 with false: not created.
  const off = await c.request(3, 4, {topics: [{name: 'not-created'}], allowAutoTopicCreation: false})
  assert.equal(off.topics[0].errorCode, 3)
  const bad = await c.request(3, 4, {topics: [{name: 'bad/name'}], allowAutoTopicCreation: true})
  assert.equal(bad.topics[0].errorCode, 17, 'INVALID_TOPIC_EXCEPTION')
  const all = await c.request(3, 1, {topics: null})
  assert.ok(all.topics.some((x: any) => x.name === 'auto-created'))
  assert.ok(!all.topics.some((x: any) => x.name === 'not-created'))
  const byId = await c.request(3, 12, {topics: [{topicId: t.topicId, name: null}]})
  assert.equal(byId.topics[0].name, 'auto-created')
})

test('produce v3 and v9 then fetch v4 and v12 return the same records at the assigned offsets', async () => {
  await autoCreate(c, 'round-trip')
  const p3 = await c.request(0, 3, produceBody('round-trip', 0, batchOf(['a', 'b', 'c'])))
  assert.equal(p3.responses[0].partitionResponses[0].errorCode, 0)
  assert.equal(p3.responses[0].partitionResponses[0].baseOffset, 0n)
  const p9 = await c.request(0, 9, produceBody('round-trip', 0, batchOf(['d', 'e']), 1))
  const r9 = p9.responses[0].partitionResponses[0]
  assert.deepEqual([r9.errorCode, r9.baseOffset, r9.logAppendTimeMs, r9.logStartOffset], [0, 3n, -1n, 0n])

  for (const v of [4, 12]) {
    const f = await c.request(1, v, fetchBody('round-trip', 0, 0n))
    assert.equal(f.errorCode, 0)
    assert.equal(f.sessionId, 0)
    const p = f.responses[0].partitions[0]
    assert.deepEqual([p.errorCode, p.highWatermark, p.lastStableOffset], [0, 5n, 5n])
    assert.deepEqual(values(p.records), [[0n, 'a'], [1n, 'b'], [2n, 'c'], [3n, 'd'], [4n, 'e']])
  }
  // From the middle of a batch: the whole batch comes back (clients skip what they did not ask for).
  const mid = await c.request(1, 11, fetchBody('round-trip', 0, 4n))
  assert.deepEqual(values(mid.responses[0].partitions[0].records), [[3n, 'd'], [4n, 'e']])
  const atEnd = await c.request(1, 11, fetchBody('round-trip', 0, 5n))
  assert.equal(atEnd.responses[0].partitions[0].records?.length ?? 0, 0)
  const beyond = await c.request(1, 11, fetchBody('round-trip', 0, 6n))
  assert.equal(beyond.responses[0].partitions[0].errorCode, 1, 'OFFSET_OUT_OF_RANGE')
  const unknown = await c.request(1, 11, fetchBody('no-such-topic', 0, 0n))
  assert.equal(unknown.responses[0].partitions[0].errorCode, 3)
  const session = await c.request(1, 11, {...fetchBody('round-trip', 0, 0n), sessionId: 123, sessionEpoch: 1})
  assert.equal(session.errorCode, 70, 'FETCH_SESSION_ID_NOT_FOUND')
})

test('acks=0 gets no response, yet the records are written; an acks=0 failure closes the connection', async () => {
  await autoCreate(c, 'fire-and-forget')
  const quiet = c.frame(0, 7, produceBody('fire-and-forget', 0, batchOf(['x']), 0))
  c.write(quiet.bytes)
  // A request after it on the same connection is answered, and nothing came back for the acks=0 one.
  const f = await c.request(1, 11, fetchBody('fire-and-forget', 0, 0n))
  assert.deepEqual(values(f.responses[0].partitions[0].records), [[0n, 'x']])
  assert.ok(!c.order.includes(quiet.correlationId))

  const other = await RawClient.connect(tb.broker.port)
  other.write(other.frame(0, 7, produceBody('no-such-topic', 0, batchOf(['x']), 0)).bytes)
  await other.waitClosed()
})

test('a wrong CRC is CORRUPT_MESSAGE and nothing is written; a batch over max.message.bytes is MESSAGE_TOO_LARGE', async () => {
  await autoCreate(c, 'validated')
  const batch = batchOf(['payload'])
  batch[batch.length - 1] ^= 0xff
  const other = await RawClient.connect(tb.broker.port)
  try {
    const r = await c.request(0, 8, produceBody('validated', 0, batch))
    assert.equal(r.responses[0].partitionResponses[0].errorCode, 2)
    assert.equal(r.responses[0].partitionResponses[0].baseOffset, -1n)
    const big = await c.request(0, 8, produceBody('validated', 0, batchOf(['y'.repeat(3000)])))
    assert.equal(big.responses[0].partitionResponses[0].errorCode, 10)
    const two = await c.request(0, 8, produceBody('validated', 0, Buffer.concat([batchOf(['1']), batchOf(['2'])])))
    assert.equal(two.responses[0].partitionResponses[0].errorCode, 87, 'INVALID_RECORD for two batches')
    const empty = await c.request(0, 8, produceBody('validated', 0, null))
    assert.equal(empty.responses[0].partitionResponses[0].errorCode, 87)
    const noTopic = await c.request(0, 8, produceBody('never-created', 0, batchOf(['z'])))
    assert.equal(noTopic.responses[0].partitionResponses[0].errorCode, 3)
    assert.equal((await c.request(3, 1, {topics: [{name: 'never-created'}]})).topics[0].errorCode, 0,
      'Produce did not create it, Metadata does')
    const badAcks = await c.request(0, 8, produceBody('validated', 0, batchOf(['z']), 2))
    assert.equal(badAcks.responses[0].partitionResponses[0].errorCode, 21)
    const meanwhile = await other.request(3, 1, {topics: []})
    assert.equal(meanwhile.brokers.length, 1)
    assert.equal(tb.broker.context.replicaManager.getLog('validated', 0)!.logEndOffset, 0n, 'nothing was written')
  } finally {
    other.close()
  }
})

test('Produce v0-2 is advertised but answered with UNSUPPORTED_VERSION per partition', async () => {
  await autoCreate(c, 'legacy')
  for (const v of [0, 1, 2]) {
    // The v0-2 body (no transactionalId) is produce v3's body minus its first field.
    const f = c.frame(0, 3, produceBody('legacy', 0, Buffer.from('old message set')), v)
    const bytes = Buffer.concat([f.bytes.subarray(0, 4 + 8 + 2 + 9), f.bytes.subarray(4 + 8 + 2 + 9 + 2)])
    bytes.writeInt32BE(bytes.length - 4, 0)
    bytes.writeInt16BE(v, 6)
    c.write(bytes)
    const r = await f.response
    assert.equal(r.body.responses[0].name, 'legacy')
    assert.equal(r.body.responses[0].partitionResponses[0].errorCode, 35)
  }
  assert.equal(tb.broker.context.replicaManager.getLog('legacy', 0)!.logEndOffset, 0n)
})

test('LogAppendTime topics stamp the broker time and report it', async () => {
  await tb.broker.context.metadata.createTopic('append-time', 1, 1, {'message.timestamp.type': 'LogAppendTime'})
  const before = BigInt(Date.now())
  const r = await c.request(0, 9, produceBody('append-time', 0, batchOf(['t'], {timestamp: 1000n})))
  const p = r.responses[0].partitionResponses[0]
  assert.equal(p.errorCode, 0)
  assert.ok(p.logAppendTimeMs >= before && p.logAppendTimeMs <= BigInt(Date.now()))
  const f = await c.request(1, 12, fetchBody('append-time', 0, 0n))
  const [batch] = decodeRecordBatches(f.responses[0].partitions[0].records)
  assert.equal(batch.timestampType, 'LogAppendTime')
  assert.equal(batch.maxTimestamp, p.logAppendTimeMs)
})

test('ListOffsets: latest, earliest, max timestamp, by timestamp, v0 old-style offsets, unknown partition', async () => {
  await autoCreate(c, 'offsets')
  await c.request(0, 9, produceBody('offsets', 0, batchOf(['a', 'b'], {timestamp: 1000n})))
  await c.request(0, 9, produceBody('offsets', 0, batchOf(['c'], {timestamp: 5000n})))
  await c.request(0, 9, produceBody('offsets', 0, batchOf(['d'], {timestamp: 3000n})))
  const ask = (v: number, timestamp: bigint, partitionIndex = 0) => c.request(2, v, {
    replicaId: -1, isolationLevel: 0, topics: [{name: 'offsets', partitions: [{partitionIndex, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1}]}],
  }).then((b) => b.topics[0].partitions[0])
  assert.deepEqual(await ask(7, -1n).then((p) => [p.errorCode, p.offset, p.leaderEpoch]), [0, 4n, 0])
  assert.deepEqual(await ask(1, -2n).then((p) => [p.errorCode, p.offset]), [0, 0n])
  assert.deepEqual(await ask(7, -3n).then((p) => [p.offset, p.timestamp]), [2n, 5000n])
  assert.deepEqual(await ask(5, 2000n).then((p) => [p.offset, p.timestamp]), [2n, 5000n])
  assert.deepEqual(await ask(5, 6000n).then((p) => [p.errorCode, p.offset]), [0, -1n])
  assert.deepEqual(await ask(0, -1n).then((p) => p.oldStyleOffsets), [4n])
  assert.equal((await ask(7, -1n, 5)).errorCode, 3)
})
