/**
 * The copy-saving encoders: Produce requests as chunks that reference the record batches, and
 * responses whose big record sets are gathered into one exact-size frame. Both must give exactly
 * the bytes of the plain growing-writer encoding.
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {
  Writer, decodeRequestBody, decodeRequestHeader, decodeResponse, encodeRequest, encodeRequestChunks, encodeResponse,
  getApiSchema, getCodec,
} from '../../src/protocol/index.js'

/** A response frame encoded the plain way: one writer that grows and copies everything. */
function plainResponse(apiKey: number, version: number, correlationId: number, body: object): Buffer {
  const w = new Writer(16)
  w.int32(0).int32(correlationId)
  if (version >= 12) w.uvarint(0) // Fetch is flexible from v12
  getCodec(getApiSchema(apiKey)!, version, 'response').encode(w, body)
  w.patchInt32(0, w.offset - 4)
  return Buffer.from(w.toBuffer())
}

function produceBody(batches: Buffer[]): object {
  return {
    transactionalId: null, acks: 1, timeoutMs: 30000,
    topicData: [
      {name: 'a', partitionData: [{index: 0, records: batches[0]}, {index: 1, records: batches[1]}]},
      {name: 'b', partitionData: [{index: 3, records: batches[2]}]},
    ],
  }
}

test('Produce requests as chunks: same bytes as encodeRequest, big batches referenced, small ones inline', () => {
  const big1 = Buffer.alloc(20000, 0x11)
  const big2 = Buffer.alloc(1024, 0x22)
  const small = Buffer.alloc(300, 0x33)
  for (const version of [3, 8, 9]) {
    const header = {apiKey: 0, apiVersion: version, correlationId: 77, clientId: 'perf'}
    const body = produceBody([big1, small, big2])
    const chunks = encodeRequestChunks(header, body, 1024)
    const joined = Buffer.concat(chunks)
    assert.deepEqual(joined, encodeRequest(header, body), `v${version}`)
    assert.equal(joined.readInt32BE(0), joined.length - 4, 'size prefix counts every chunk')
    assert.ok(chunks.includes(big1) && chunks.includes(big2), 'batches of at least 1024 bytes are chunks themselves')
    assert.ok(!chunks.includes(small), 'a smaller batch is copied into the frame')
    const {header: h, bodyOffset} = decodeRequestHeader(joined.subarray(4))
    assert.equal(h.correlationId, 77)
    const decoded = decodeRequestBody(0, version, joined.subarray(4), bodyOffset)
    assert.deepEqual(decoded.topicData[0].partitionData[0].records, big1)
    assert.deepEqual(decoded.topicData[1].partitionData[0].records, big2)
  }
})

test('a request without records fields is one chunk', () => {
  const header = {apiKey: 3, apiVersion: 12, correlationId: 5, clientId: 'x'}
  const body = {topics: [{name: 't', topicId: '00000000-0000-0000-0000-000000000000'}], allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: false}
  const chunks = encodeRequestChunks(header, body, 1)
  assert.equal(chunks.length, 1)
  assert.deepEqual(chunks[0], encodeRequest(header, body))
})

test('Fetch responses with big record sets: one frame, exactly the plain encoding', () => {
  // Several partitions, one record set given as pieces (two segments), small and null ones between.
  const seg1 = Buffer.alloc(70000, 1)
  const seg2 = Buffer.alloc(9000, 2)
  const tiny = Buffer.alloc(50, 3)
  const part = (partitionIndex: number, records: Buffer | Buffer[] | null) => ({
    partitionIndex, errorCode: 0, highWatermark: 100n, lastStableOffset: 100n, logStartOffset: 0n,
    abortedTransactions: null, preferredReadReplica: -1, records,
  })
  for (const version of [4, 11, 12]) {
    const body = {throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [
      {topic: 'x', partitions: [part(0, [seg1, seg2]), part(1, tiny), part(2, null)]},
      {topic: 'y', partitions: [part(0, seg2)]},
    ]}
    const frame = encodeResponse(1, version, 9, body)
    assert.ok(Buffer.isBuffer(frame))
    assert.deepEqual(frame, plainResponse(1, version, 9, body), `v${version}`)
    assert.equal(frame.readInt32BE(0), frame.length - 4)
    const decoded = decodeResponse(1, version, frame.subarray(4)).body
    assert.deepEqual(decoded.responses[0].partitions[0].records, Buffer.concat([seg1, seg2]))
    assert.deepEqual(decoded.responses[1].partitions[0].records, seg2)
    // The frame owns its bytes: changing a source buffer afterwards does not change it.
    seg2.fill(9)
    assert.notDeepEqual(decodeResponse(1, version, frame.subarray(4)).body.responses[1].partitions[0].records, seg2)
    seg2.fill(2)
  }
})
