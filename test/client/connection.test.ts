/**
 * Connection against a scripted broker: version negotiation (including the ApiVersions fallback),
 * pipelining with out-of-order answers, frames split and merged arbitrarily, timeouts, closes.
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import type {Socket} from 'node:net'
import {Connection} from '../../src/client/connection.js'
import {ErrorCode, KafkaError, Writer, encodeResponse} from '../../src/protocol/index.js'
import {apiVersionsBody, startScriptedBroker, type Reply} from './helpers.js'

const RANGES: Record<number, [number, number]> = {3: [0, 5], 18: [0, 3], 19: [0, 4]}

function metadataReply(topic: string): Reply {
  return {body: {brokers: [], clusterId: 'c', controllerId: 0, topics: [{errorCode: 0, name: topic, partitions: []}]}}
}

/** A v0 ApiVersions body: error code, int32-counted entries, nothing else. */
function apiVersionsV0Raw(correlationId: number, errorCode: number, entries: Array<[number, number, number]>): Buffer {
  const w = new Writer(64)
  w.int32(0)
  w.int32(correlationId)
  w.int16(errorCode)
  w.int32(entries.length)
  for (const [k, min, max] of entries) {
    w.int16(k)
    w.int16(min)
    w.int16(max)
  }
  w.patchInt32(0, w.offset - 4)
  return w.toBuffer()
}

test('negotiates ApiVersions v3 and picks the highest common version per API', async () => {
  const seen: number[] = []
  const broker = await startScriptedBroker((h) => {
    if (h.apiKey === 18) {
      seen.push(h.apiVersion)
      return {body: apiVersionsBody(RANGES)}
    }
    return metadataReply('x')
  })
  try {
    const conn = await Connection.connect({host: '127.0.0.1', port: broker.port, clientId: 'test'})
    assert.deepEqual(seen, [3])
    assert.equal(conn.versionFor(3), 5) // broker max 5 < ours 12
    assert.deepEqual(conn.brokerRange(19), {min: 0, max: 4})
    assert.equal(conn.supports(60), false)
    assert.throws(() => conn.versionFor(60), (e: KafkaError) => e.code === ErrorCode.UNSUPPORTED_VERSION && /DescribeCluster/.test(e.message))
    await assert.rejects(conn.send(3, {topics: null}, {version: 9}), (e: KafkaError) => e.code === ErrorCode.UNSUPPORTED_VERSION)
    const md = await conn.send(3, {topics: null})
    assert.equal(md.topics[0].name, 'x')
    conn.close()
    assert.equal(conn.isOpen, false)
  } finally {
    await broker.close()
  }
})

test('falls back when the broker answers ApiVersions v3 with UNSUPPORTED_VERSION and a v0 body', async () => {
  const seen: number[] = []
  const broker = await startScriptedBroker((h) => {
    if (h.apiKey !== 18) return null
    seen.push(h.apiVersion)
    // Like Kafka: above its maximum it answers error 35 with a v0 body listing its ApiVersions range.
    if (h.apiVersion > 2) return {raw: apiVersionsV0Raw(h.correlationId, 35, [[18, 0, 2]])}
    return {body: apiVersionsBody({3: [0, 1], 18: [0, 2]})}
  })
  try {
    const conn = await Connection.connect({host: '127.0.0.1', port: broker.port})
    assert.deepEqual(seen, [3, 2])
    assert.equal(conn.versionFor(3), 1)
    conn.close()
  } finally {
    await broker.close()
  }
})

test('falls back to ApiVersions v0 when the error body cannot be decoded', async () => {
  const seen: number[] = []
  const broker = await startScriptedBroker((h) => {
    if (h.apiKey !== 18) return null
    seen.push(h.apiVersion)
    if (h.apiVersion > 0) {
      // Error 35 followed by bytes in neither format (what librdkafka's mock sends).
      const raw = Buffer.from('0000000b' + h.correlationId.toString(16).padStart(8, '0') + '0023' + '0100120000', 'hex')
      return {raw}
    }
    return {body: apiVersionsBody({3: [0, 4], 18: [0, 0]})}
  })
  try {
    const conn = await Connection.connect({host: '127.0.0.1', port: broker.port})
    assert.deepEqual(seen, [3, 0])
    assert.equal(conn.versionFor(3), 4)
    conn.close()
  } finally {
    await broker.close()
  }
})

test('pipelines many requests and matches answers by correlation id, even out of order and re-chunked', async () => {
  const held: Array<{version: number; correlationId: number; topic: string}> = []
  const N = 40
  // Deliver every response in 3-byte pieces, to exercise reassembly of split frames.
  const chunked = (socket: Socket, frame: Buffer): void => {
    for (let i = 0; i < frame.length; i += 3) socket.write(frame.subarray(i, i + 3))
  }
  const broker = await startScriptedBroker((h, req, socket) => {
    if (h.apiKey === 18) return {body: apiVersionsBody(RANGES)}
    // Hold Metadata answers, then release them in reverse order as one merged write.
    held.push({version: h.apiVersion, correlationId: h.correlationId, topic: req.topics[0].name})
    if (held.length === N) {
      socket.write(Buffer.concat(held.reverse().map((m) => encodeResponse(3, m.version, m.correlationId,
        {brokers: [], clusterId: 'c', controllerId: 0, topics: [{errorCode: 0, name: m.topic, partitions: []}]}))))
    }
    return null
  }, chunked)
  try {
    const conn = await Connection.connect({host: '127.0.0.1', port: broker.port})
    const names = Array.from({length: N}, (_, i) => `topic-${i}`)
    const answers = await Promise.all(names.map((name) => conn.send(3, {topics: [{name}]})))
    assert.deepEqual(answers.map((a) => a.topics[0].name), names)
    assert.equal(conn.inFlightCount, 0)
    conn.close()
  } finally {
    await broker.close()
  }
})

test('a request times out after request.timeout.ms while others on the connection still complete', async () => {
  let metadataCount = 0
  const broker = await startScriptedBroker((h, req) => {
    if (h.apiKey === 18) return {body: apiVersionsBody(RANGES)}
    metadataCount++
    if (metadataCount === 1) return null // never answered
    return metadataReply(req.topics[0].name)
  })
  try {
    const conn = await Connection.connect({host: '127.0.0.1', port: broker.port, requestTimeoutMs: 200})
    const started = Date.now()
    const lost = conn.send(3, {topics: [{name: 'lost'}]})
    const ok = conn.send(3, {topics: [{name: 'ok'}]})
    assert.equal((await ok).topics[0].name, 'ok')
    await assert.rejects(lost, (e: KafkaError) => e.code === ErrorCode.REQUEST_TIMED_OUT && /Metadata/.test(e.message))
    assert.ok(Date.now() - started >= 190)
    assert.equal(conn.isOpen, true)
    conn.close()
  } finally {
    await broker.close()
  }
})

test('in-flight requests fail with NETWORK_EXCEPTION when the broker closes the connection', async () => {
  const broker = await startScriptedBroker((h, _req, socket) => {
    if (h.apiKey === 18) return {body: apiVersionsBody(RANGES)}
    socket.destroy()
    return null
  })
  try {
    const conn = await Connection.connect({host: '127.0.0.1', port: broker.port})
    const closed = new Promise((resolve) => conn.once('close', resolve))
    await assert.rejects(conn.send(3, {topics: null}), (e: KafkaError) => e.code === ErrorCode.NETWORK_EXCEPTION)
    await closed
    assert.equal(conn.isOpen, false)
    await assert.rejects(conn.send(3, {topics: null}), (e: KafkaError) => e.code === ErrorCode.NETWORK_EXCEPTION)
  } finally {
    await broker.close()
  }
})

test('a garbage response size closes the connection with a clear error', async () => {
  const broker = await startScriptedBroker((h) => {
    if (h.apiKey === 18) return {body: apiVersionsBody(RANGES)}
    return {raw: Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n')}
  })
  try {
    const conn = await Connection.connect({host: '127.0.0.1', port: broker.port})
    await assert.rejects(conn.send(3, {topics: null}), (e: KafkaError) => e.code === ErrorCode.CORRUPT_MESSAGE && /Kafka broker/.test(e.message))
    assert.equal(conn.isOpen, false)
  } finally {
    await broker.close()
  }
})

test('connecting to a closed port fails with NETWORK_EXCEPTION naming the address', async () => {
  const broker = await startScriptedBroker(() => null)
  const port = broker.port
  await broker.close()
  await assert.rejects(Connection.connect({host: '127.0.0.1', port}),
    (e: KafkaError) => e instanceof KafkaError && e.code === ErrorCode.NETWORK_EXCEPTION && e.message.includes(`127.0.0.1:${port}`))
})

test('a broker that never answers ApiVersions fails the connect within the setup timeout', async () => {
  const broker = await startScriptedBroker(() => null)
  try {
    await assert.rejects(Connection.connect({host: '127.0.0.1', port: broker.port, connectTimeoutMs: 200}),
      (e: KafkaError) => e.code === ErrorCode.REQUEST_TIMED_OUT)
  } finally {
    await broker.close()
  }
})

test('requests without a response (acks=0) resolve at once and leave nothing in flight', async () => {
  let got = 0
  const broker = await startScriptedBroker((h) => {
    if (h.apiKey === 18) return {body: apiVersionsBody(RANGES)}
    got++
    return null
  })
  try {
    const conn = await Connection.connect({host: '127.0.0.1', port: broker.port})
    assert.equal(await conn.send(3, {topics: null}, {expectResponse: false}), undefined)
    assert.equal(conn.inFlightCount, 0)
    for (let i = 0; i < 50 && got === 0; i++) await new Promise((r) => setTimeout(r, 10))
    assert.equal(got, 1)
    conn.close()
  } finally {
    await broker.close()
  }
})
