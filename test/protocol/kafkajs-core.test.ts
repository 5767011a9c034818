/**
 * Cross-checks the core APIs (ApiVersions, Metadata, Produce, Fetch, ListOffsets) against kafkajs's
 * own codecs, an implementation nobody here wrote: kafkajs-encoded requests must decode and
 * re-encode byte-identically with ours, and kafkajs must read back the values of our responses.
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {createRequire} from 'node:module'
import {encodeRequest, decodeRequestHeader, decodeRequestBody, encodeResponse, getApiSchema, inVersions} from '../../src/protocol/index.js'

const require = createRequire(import.meta.url)
const KJS = 'kafkajs/src/protocol/requests/'

/** kafkajs's request body bytes, framed with a header v1 so our decoder can read it. */
async function kafkajsRequest(module: string, version: number, args: unknown): Promise<{frame: Buffer; response: {decode(b: Buffer): Promise<any>}}> {
  const {request, response} = require(KJS + module + '/index.js').protocol({version})(args)
  const body: Buffer = (await request.encode()).buffer
  const header = Buffer.alloc(10)
  header.writeInt16BE(request.apiKey, 0)
  header.writeInt16BE(version, 2)
  header.writeInt32BE(77, 4)
  header.writeInt16BE(-1, 8) // null client id
  return {frame: Buffer.concat([header, body]), response}
}

/** Decodes kafkajs's request with our codec and checks that re-encoding gives the same bytes. */
function reencodes(apiKey: number, version: number, frame: Buffer): any {
  const {header, bodyOffset} = decodeRequestHeader(frame)
  assert.deepEqual(header, {apiKey, apiVersion: version, correlationId: 77, clientId: null})
  const body = decodeRequestBody(apiKey, version, frame, bodyOffset)
  const ours = encodeRequest(header, body).subarray(4)
  assert.deepEqual(ours, frame, `api ${apiKey} v${version}: request bytes differ from kafkajs's`)
  return body
}

/** Our response bytes after the correlation id (kafkajs decoders start there). */
const responseBody = (apiKey: number, version: number, body: object) => encodeResponse(apiKey, version, 5, body).subarray(8)

/** Versions both kafkajs and samsa implement. */
function sharedVersions(apiKey: number, module: string): number[] {
  const api = getApiSchema(apiKey)!
  return (require(KJS + module + '/index.js').versions as string[]).map(Number).filter((v) => inVersions(api.validVersions, v))
}

test('kafkajs ApiVersions v0-2: empty request; our response read back', async () => {
  const versions = sharedVersions(18, 'apiVersions')
  assert.deepEqual(versions, [0, 1, 2])
  for (const v of versions) {
    const {frame, response} = await kafkajsRequest('apiVersions', v, {})
    reencodes(18, v, frame)
    const got = await response.decode(responseBody(18, v, {
      errorCode: 0, apiKeys: [{apiKey: 0, minVersion: 0, maxVersion: 9}, {apiKey: 18, minVersion: 0, maxVersion: 3}], throttleTimeMs: 7,
    }))
    assert.deepEqual(got.apiVersions, [{apiKey: 0, minVersion: 0, maxVersion: 9}, {apiKey: 18, minVersion: 0, maxVersion: 3}])
    assert.equal(got.errorCode, 0)
    // kafkajs v2+ reports a broker-side throttle as clientSideThrottleTime.
    if (v >= 1) assert.equal(v >= 2 ? got.clientSideThrottleTime : got.throttleTime, 7)
  }
})

test('kafkajs Metadata v0-6: topics request; brokers, controller and partitions read back', async () => {
  const versions = sharedVersions(3, 'metadata')
  assert.deepEqual(versions, [0, 1, 2, 3, 4, 5, 6])
  for (const v of versions) {
    const {frame, response} = await kafkajsRequest('metadata', v, {topics: ['orders', 'payments'], allowAutoTopicCreation: false})
    const req = reencodes(3, v, frame)
    assert.deepEqual(req.topics.map((t: {name: string}) => t.name), ['orders', 'payments'])
    if (v >= 4) assert.equal(req.allowAutoTopicCreation, false)
    const got = await response.decode(responseBody(3, v, {
      throttleTimeMs: 3,
      brokers: [{nodeId: 1, host: 'h1', port: 9092, rack: 'r1'}],
      clusterId: 'cid', controllerId: 1,
      topics: [{errorCode: 0, name: 'orders', isInternal: false, partitions: [
        {errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 4, replicaNodes: [1, 2], isrNodes: [1], offlineReplicas: [2]},
      ]}],
    }))
    assert.equal(got.brokers[0].host, 'h1')
    assert.equal(got.brokers[0].port, 9092)
    assert.equal(got.topicMetadata[0].topic, 'orders')
    const p = got.topicMetadata[0].partitionMetadata[0]
    assert.deepEqual([p.partitionId, p.leader, p.replicas, p.isr], [0, 1, [1, 2], [1]])
    if (v >= 1) assert.equal(got.controllerId, 1)
    if (v >= 2) assert.equal(got.clusterId, 'cid')
    if (v >= 5) assert.deepEqual(p.offlineReplicas, [2])
  }
})

test('kafkajs Produce v3-7: its record batch arrives as bytes; our response read back', async () => {
  const versions = sharedVersions(0, 'produce')
  assert.deepEqual(versions, [3, 4, 5, 6, 7])
  for (const v of versions) {
    const {frame, response} = await kafkajsRequest('produce', v, {
      acks: -1, timeout: 1000,
      topicData: [{topic: 't', partitions: [{partition: 2, messages: [{key: 'k', value: 'v', timestamp: 1700000000000}]}]}],
    })
    const req = reencodes(0, v, frame)
    assert.equal(req.acks, -1)
    const batch: Buffer = req.topicData[0].partitionData[0].records
    assert.equal(batch.readInt8(16), 2, 'a v2 record batch (magic 2)')
    assert.equal(batch.readInt32BE(8), batch.length - 12, 'batch length covers the rest of the bytes')
    const got = await response.decode(responseBody(0, v, {
      responses: [{name: 't', partitionResponses: [{index: 2, errorCode: 0, baseOffset: 41n, logAppendTimeMs: 1700000000123n, logStartOffset: 3n}]}],
      throttleTimeMs: 9,
    }))
    const p = got.topics[0].partitions[0]
    assert.equal(got.topics[0].topicName, 't')
    assert.deepEqual([p.partition, p.errorCode, p.baseOffset, p.logAppendTime], [2, 0, '41', '1700000000123'])
    if (v >= 5) assert.equal(p.logStartOffset, '3')
  }
})

test('kafkajs Fetch v4-11: request fields; a record batch in our response decodes to kafkajs messages', async () => {
  // A real v2 batch, as kafkajs itself encodes it in a produce request.
  const produced = await kafkajsRequest('produce', 3, {acks: 1, timeout: 1000,
    topicData: [{topic: 't', partitions: [{partition: 0, messages: [{key: 'k1', value: 'hello'}, {key: 'k2', value: 'world'}]}]}]})
  const batch: Buffer = reencodes(0, 3, produced.frame).topicData[0].partitionData[0].records

  const versions = sharedVersions(1, 'fetch')
  assert.deepEqual(versions, [4, 5, 6, 7, 8, 9, 10, 11])
  for (const v of versions) {
    const {frame, response} = await kafkajsRequest('fetch', v, {
      replicaId: -1, maxWaitTime: 500, minBytes: 1, maxBytes: 1048576, isolationLevel: 1, rackId: 'rack-a',
      topics: [{topic: 't', partitions: [{partition: 0, fetchOffset: '12', maxBytes: 65536}]}],
    })
    const req = reencodes(1, v, frame)
    assert.equal(req.topics[0].partitions[0].fetchOffset, 12n)
    assert.equal(req.isolationLevel, 1)
    if (v >= 11) assert.equal(req.rackId, 'rack-a')
    const got = await response.decode(responseBody(1, v, {
      throttleTimeMs: 0, errorCode: 0, sessionId: 0,
      responses: [{topic: 't', partitions: [{partitionIndex: 0, errorCode: 0, highWatermark: 2n, lastStableOffset: 2n, logStartOffset: 0n,
        abortedTransactions: null, preferredReadReplica: -1, records: [batch.subarray(0, 20), batch.subarray(20)]}]}],
    }))
    const p = got.responses[0].partitions[0]
    assert.equal(p.highWatermark, '2')
    assert.deepEqual(p.messages.map((m: {key: Buffer; value: Buffer}) => [m.key.toString(), m.value.toString()]), [['k1', 'hello'], ['k2', 'world']])
  }
})

test('kafkajs ListOffsets v0-3: timestamps in the request; offsets read back', async () => {
  const versions = sharedVersions(2, 'listOffsets')
  assert.deepEqual(versions, [0, 1, 2, 3])
  for (const v of versions) {
    const {frame, response} = await kafkajsRequest('listOffsets', v, {
      replicaId: -1, isolationLevel: 1, topics: [{topic: 't', partitions: [{partition: 1, timestamp: -2}]}],
    })
    const req = reencodes(2, v, frame)
    assert.equal(req.topics[0].partitions[0].timestamp, -2n)
    const got = await response.decode(responseBody(2, v, {
      throttleTimeMs: 0,
      topics: [{name: 't', partitions: [{partitionIndex: 1, errorCode: 0, oldStyleOffsets: [17n], timestamp: -1n, offset: 17n}]}],
    }))
    const p = got.responses[0].partitions[0]
    if (v === 0) assert.deepEqual(p.offsets, ['17'])
    else assert.equal(p.offset, '17')
  }
})
