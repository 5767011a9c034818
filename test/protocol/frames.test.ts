/**
 * Byte-exact frames built by hand from the protocol rules (not with our encoder), checked both ways:
 * our encoder must produce exactly these bytes and our decoder must read them back.
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {encodeRequest, decodeRequestHeader, decodeRequestBody, encodeResponse, decodeResponse, ProtocolError} from '../../src/protocol/index.js'

/** Joins hex groups (whitespace ignored) into one Buffer. */
const hex = (...groups: string[]) => Buffer.from(groups.join('').replace(/\s+/g, ''), 'hex')
/** A frame: INT32 size of the bytes that follow, then the groups. */
const framed = (...groups: string[]) => {
  const rest = hex(...groups)
  const size = Buffer.alloc(4)
  size.writeInt32BE(rest.length)
  return Buffer.concat([size, rest])
}
const ascii = (s: string) => Buffer.from(s, 'latin1').toString('hex')

test('ApiVersions v0 request: header v1, empty body', () => {
  const frame = framed( // INT32 size prefix, then:
    '0012', //                api key 18
    '0000', //                api version 0
    '00000001', //            correlation id 1
    '0004', ascii('kcat'), // client id: INT16 length 4 + bytes
    //                        body: no fields at v0
  )
  const header = {apiKey: 18, apiVersion: 0, correlationId: 1, clientId: 'kcat'}
  assert.deepEqual(encodeRequest(header, {}), frame)
  const {header: h, bodyOffset} = decodeRequestHeader(frame.subarray(4))
  assert.deepEqual(h, header)
  assert.equal(bodyOffset, 14)
  assert.deepEqual(decodeRequestBody(18, 0, frame.subarray(4), bodyOffset), {clientSoftwareName: '', clientSoftwareVersion: ''})
})

test('ApiVersions v3 request: header v2 keeps an INT16 client id, then compact strings and tag sections', () => {
  const frame = framed( // INT32 size prefix, then:
    '0012 0003', //                    api key 18, version 3
    '00000007', //                     correlation id 7
    '0007', ascii('rdkafka'), //       client id: still INT16 length in header v2
    '00', //                           header tagged fields: count 0
    '0b', ascii('librdkafka'), //      client software name: compact string, length 10 + 1
    '06', ascii('2.0.2'), //           client software version: length 5 + 1
    '00', //                           body tagged fields: count 0
  )
  const header = {apiKey: 18, apiVersion: 3, correlationId: 7, clientId: 'rdkafka'}
  const body = {clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2'}
  assert.deepEqual(encodeRequest(header, body), frame)
  const {header: h, bodyOffset} = decodeRequestHeader(frame.subarray(4))
  assert.deepEqual(h, header)
  assert.equal(bodyOffset, 2 + 2 + 4 + 2 + 7 + 1)
  assert.deepEqual(decodeRequestBody(18, 3, frame.subarray(4), bodyOffset), body)
})

test('ApiVersions v3 response uses response header v0 (no header tag section) and carries tagged fields', () => {
  const frame = framed( // INT32 size prefix, then:
    '00000007', //           correlation id 7 -- and NO tagged-fields byte: ApiVersions always uses header v0
    '0000', //               error code 0
    '02', //                 api keys: compact array of 1 entry (1 + 1)
    '0012 0000 0003 00', //  ApiVersions 18, min 0, max 3, entry tag count 0
    '00000000', //           throttle time 0
    '01', //                 body tagged fields: 1 field
    '03 01 01', //           tag 3 (zkMigrationReady), size 1, value true
    //                       supportedFeatures (tag 0) is empty = default, so it is not sent
  )
  const body = {errorCode: 0, apiKeys: [{apiKey: 18, minVersion: 0, maxVersion: 3}], throttleTimeMs: 0, zkMigrationReady: true}
  assert.deepEqual(encodeResponse(18, 3, 7, body), frame)
  const {correlationId, body: decoded} = decodeResponse(18, 3, frame.subarray(4))
  assert.equal(correlationId, 7)
  assert.deepEqual(decoded, {...body, supportedFeatures: [], finalizedFeaturesEpoch: -1n, finalizedFeatures: []})
})

test('Metadata v1 request: null client id, one topic; null topic array means all topics', () => {
  const frame = framed( // INT32 size prefix, then:
    '0003 0001', //             api key 3, version 1
    '00000002', //              correlation id 2
    'ffff', //                  client id null (INT16 -1)
    '00000001', //              topics: INT32 array length 1
    '0004', ascii('test'), //   topic name
  )
  const header = {apiKey: 3, apiVersion: 1, correlationId: 2, clientId: null}
  assert.deepEqual(encodeRequest(header, {topics: [{name: 'test'}]}), frame)
  const {bodyOffset} = decodeRequestHeader(frame.subarray(4))
  assert.deepEqual(decodeRequestBody(3, 1, frame.subarray(4), bodyOffset), {
    topics: [{topicId: '00000000-0000-0000-0000-000000000000', name: 'test'}],
    allowAutoTopicCreation: true, // absent before v4: default true
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  })
  const allTopics = framed('0003 0001', '00000002', 'ffff', 'ffffffff') // topics: null (-1)
  assert.deepEqual(encodeRequest(header, {topics: null}), allTopics)
  assert.equal(decodeRequestBody(3, 1, allTopics.subarray(4), 10).topics, null)
})

test('Produce v3 response: int64 base offset and log append time, throttle time last', () => {
  const frame = framed( // INT32 size prefix, then:
    '0000000b', //              correlation id 11 (response header v0: Produce v3 is not flexible)
    '00000001', //              responses: 1 topic
    '0001', ascii('t'), //      topic name "t"
    '00000001', //              partition responses: 1
    '00000002', //              partition index 2
    '0000', //                  error code 0
    '0000000000000005', //      base offset 5
    'ffffffffffffffff', //      log append time -1 (CreateTime topic)
    '00000000', //              throttle time 0
  )
  const body = {responses: [{name: 't', partitionResponses: [{index: 2, errorCode: 0, baseOffset: 5n, logAppendTimeMs: -1n}]}], throttleTimeMs: 0}
  assert.deepEqual(encodeResponse(0, 3, 11, body), frame)
  const {correlationId, body: decoded} = decodeResponse(0, 3, frame.subarray(4))
  assert.equal(correlationId, 11)
  assert.deepEqual(decoded.responses[0].partitionResponses[0], {
    index: 2, errorCode: 0, baseOffset: 5n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: [], errorMessage: null,
  })
})

test('Produce v9 request: flexible header and body, records as a compact-bytes view', () => {
  const batch = Buffer.from('0102030405', 'hex')
  const frame = framed( // INT32 size prefix, then:
    '0000 0009', //               api key 0, version 9
    '00000003', //                correlation id 3
    'ffff', //                    client id null
    '00', //                      header tagged fields
    '00', //                      transactional id: compact nullable string, null
    'ffff', //                    acks -1
    '00007530', //                timeout 30000
    '02', //                      topic data: 1 entry
    '02', ascii('t'), //          name "t": compact length 1 + 1
    '02', //                      partition data: 1 entry
    '00000000', //                index 0
    '06', '0102030405', //        records: compact length 5 + 1, then the bytes
    '00', //                      partition tagged fields
    '00', //                      topic tagged fields
    '00', //                      body tagged fields
  )
  const header = {apiKey: 0, apiVersion: 9, correlationId: 3, clientId: null}
  // Records may be given as slices; they are written as one run.
  const body = {transactionalId: null, acks: -1, timeoutMs: 30000, topicData: [{name: 't', partitionData: [{index: 0, records: [batch.subarray(0, 2), batch.subarray(2)]}]}]}
  assert.deepEqual(encodeRequest(header, body), frame)
  const payload = frame.subarray(4)
  const {bodyOffset} = decodeRequestHeader(payload)
  const decoded = decodeRequestBody(0, 9, payload, bodyOffset)
  const records: Buffer = decoded.topicData[0].partitionData[0].records
  assert.deepEqual(records, batch)
  assert.equal(records.buffer, payload.buffer, 'records decode to a view into the frame')
})

test('Fetch v12 response: header v1 and a tagged CurrentLeader struct inside a partition', () => {
  const frame = framed( // INT32 size prefix, then:
    '00000009', //                 correlation id 9
    '00', //                       response header v1 tagged fields
    '00000000', //                 throttle time 0
    '0000', //                     error code 0
    '00000000', //                 session id 0
    '02', //                       responses: 1 topic
    '02', ascii('t'), //           topic "t"
    '02', //                       partitions: 1
    '00000000', //                 partition index 0
    '0006', //                     error code 6 NOT_LEADER_OR_FOLLOWER
    'ffffffffffffffff', //         high watermark -1
    'ffffffffffffffff', //         last stable offset -1
    'ffffffffffffffff', //         log start offset -1
    '00', //                       aborted transactions: null (compact 0)
    'ffffffff', //                 preferred read replica -1
    '00', //                       records: null
    '01', //                       partition tagged fields: 1 field
    '01 09', //                    tag 1 (currentLeader), size 9
    '00000002 00000005 00', //     leaderId 2, leaderEpoch 5, struct's own tag count 0
    '00', //                       topic tagged fields
    '00', //                       body tagged fields
  )
  const partition = {
    partitionIndex: 0, errorCode: 6, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n,
    abortedTransactions: null, preferredReadReplica: -1, records: null, currentLeader: {leaderId: 2, leaderEpoch: 5},
  }
  const body = {throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{topic: 't', partitions: [partition]}]}
  assert.deepEqual(encodeResponse(1, 12, 9, body), frame)
  const {body: decoded} = decodeResponse(1, 12, frame.subarray(4))
  assert.deepEqual(decoded.responses[0].partitions[0], {
    ...partition,
    divergingEpoch: {epoch: -1, endOffset: -1n}, // tagged and not sent: default
    snapshotId: {endOffset: -1n, epoch: -1},
  })
})

test('unknown tagged fields are skipped; known ones after them still decode', () => {
  // ApiVersions v3 response body with an unknown tag 9 (3 bytes) before tag 1 (finalizedFeaturesEpoch).
  const frame = hex(
    '00000001', //                  correlation id 1
    '0000', '01', '00000000', //    error 0, api keys: empty, throttle 0
    '02', //                        2 tagged fields
    '09 03 aabbcc', //              unknown tag 9, size 3: skipped
    '01 08 000000000000002a', //    tag 1 finalizedFeaturesEpoch = 42
  )
  const {body} = decodeResponse(18, 3, frame)
  assert.equal(body.finalizedFeaturesEpoch, 42n)
  assert.deepEqual(body.apiKeys, [])
})

test('encodeResponseChunks references large record buffers instead of copying them', async () => {
  const {encodeResponseChunks} = await import('../../src/protocol/index.js')
  const big1 = Buffer.alloc(5000, 1)
  const big2 = Buffer.alloc(6000, 2)
  const small = Buffer.alloc(10, 3)
  for (const version of [11, 12]) {
    const body = {responses: [{topic: 't', partitions: [
      {partitionIndex: 0, highWatermark: 1n, records: [big1, big2]}, // 11000 bytes: referenced
      {partitionIndex: 1, highWatermark: 1n, records: small}, //         10 bytes: copied inline
      {partitionIndex: 2, highWatermark: 1n, records: big2}, //          referenced
    ]}]}
    const chunks = encodeResponseChunks(1, version, 4, body, 4096)
    assert.deepEqual(Buffer.concat(chunks), encodeResponse(1, version, 4, body), `v${version} same bytes as encodeResponse`)
    assert.ok(chunks.includes(big1) && chunks.includes(big2), 'record buffers are chunks themselves')
    assert.equal(chunks.filter((c) => c === big2).length, 2)
    assert.ok(!chunks.includes(small))
    const decoded = decodeResponse(1, version, Buffer.concat(chunks).subarray(4)).body
    assert.deepEqual(decoded.responses[0].partitions[0].records, Buffer.concat([big1, big2]))
  }
})

test('Produce v2 (advertised, not implemented) still decodes so the broker can refuse it per partition', async () => {
  const {isSupported, supportedVersions, advertisedVersions} = await import('../../src/protocol/index.js')
  assert.equal(isSupported(0, 2), false)
  assert.deepEqual(supportedVersions(0), {min: 3, max: 9})
  assert.deepEqual(advertisedVersions(0), {min: 0, max: 9})
  const frame = framed(
    '0000 0002', '00000001', 'ffff', // Produce v2, correlation id 1, null client id (header v1)
    '0001', '00000064', //              acks 1, timeout 100 (no transactional id before v3)
    '00000001', '0001', ascii('t'), //  1 topic "t"
    '00000001', '00000000', //          1 partition, index 0
    'ffffffff', //                      records null
  )
  const {bodyOffset} = decodeRequestHeader(frame.subarray(4))
  const body = decodeRequestBody(0, 2, frame.subarray(4), bodyOffset)
  assert.deepEqual(body.topicData, [{name: 't', partitionData: [{index: 0, records: null}]}])
  const response = framed(
    '00000001', //                           correlation id
    '00000001', '0001', ascii('t'), //       1 topic "t"
    '00000001', '00000000', '0023', //       partition 0, error 35 UNSUPPORTED_VERSION
    'ffffffffffffffff', //                   base offset -1
    'ffffffffffffffff', //                   log append time -1 (v2+)
    '00000000', //                           throttle time (v1+)
  )
  const out = encodeResponse(0, 2, 1, {responses: [{name: 't', partitionResponses: [{index: 0, errorCode: 35, baseOffset: -1n}]}]})
  assert.deepEqual(out, response)
})

test('ApiVersions above the implemented range still yields its header (v2, flexible)', () => {
  const frame = hex('0012 0007 0000002a 0001 78 00', '02 61 02 62 00') // v7, corr 42, client "x", tags; then a body we do not parse
  const {header, bodyOffset} = decodeRequestHeader(frame)
  assert.deepEqual(header, {apiKey: 18, apiVersion: 7, correlationId: 42, clientId: 'x'})
  assert.equal(bodyOffset, 12)
  assert.throws(() => decodeRequestBody(18, 7, frame, bodyOffset), ProtocolError)
})
