// ApiVersions v0-v3 from the HANDLERS table, the v0 fallback for a too-new ApiVersions, and the
// connection closes for an unknown API key or an unsupported version of another API.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {decodeResponse, encodeRequest} from '../../src/protocol/index.js'
import {HANDLERS} from '../../src/broker/index.js'
import {useTestBroker, RawClient, within, type TestBroker} from './core-harness.js'

let tb: TestBroker
useTestBroker((started) => {
  tb = started
})

test('ApiVersions v0..v3 list exactly the HANDLERS table with its advertised ranges', async () => {
  const c = await RawClient.connect(tb.broker.port)
  try {
    for (let v = 0; v <= 3; v++) {
      const body = await c.request(18, v, {clientSoftwareName: 'core-test', clientSoftwareVersion: '1.0'})
      assert.equal(body.errorCode, 0)
      const keys = body.apiKeys.map((k: any) => k.apiKey)
      assert.deepEqual(keys, [...HANDLERS.map((h) => h.apiKey)].sort((a, b) => a - b))
      const produce = body.apiKeys.find((k: any) => k.apiKey === 0)
      assert.deepEqual([produce.minVersion, produce.maxVersion], [0, 9], 'Produce advertised from 0 for librdkafka')
      const fetch = body.apiKeys.find((k: any) => k.apiKey === 1)
      assert.deepEqual([fetch.minVersion, fetch.maxVersion], [4, 12])
      const metadata = body.apiKeys.find((k: any) => k.apiKey === 3)
      assert.deepEqual([metadata.minVersion, metadata.maxVersion], [0, 12])
      assert.deepEqual(body.apiKeys.find((k: any) => k.apiKey === 18), {apiKey: 18, minVersion: 0, maxVersion: 3})
    }
  } finally {
    c.close()
  }
})

test('ApiVersions v4 gets the v0 body with UNSUPPORTED_VERSION and only its own entry, header v0', async () => {
  const c = await RawClient.connect(tb.broker.port)
  try {
    // Hand-build a v4 request (v3 wire format): the protocol layer will not encode an unsupported version.
    const v3 = encodeRequest({apiKey: 18, apiVersion: 3, correlationId: 4242, clientId: 'probe'}, {clientSoftwareName: 'x', clientSoftwareVersion: '1'})
    v3.writeInt16BE(4, 6)
    const got = new Promise<Buffer>((resolve) => c.socket.once('data', resolve))
    c.write(v3)
    const frame = await within(got, 5000, 'fallback response')
    const decoded = decodeResponse(18, 0, frame.subarray(4))
    assert.equal(decoded.correlationId, 4242)
    assert.equal(decoded.body.errorCode, 35)
    assert.deepEqual(decoded.body.apiKeys, [{apiKey: 18, minVersion: 0, maxVersion: 3}])
    // The connection stays usable for the retry at a supported version.
    const body = await c.request(18, 3, {clientSoftwareName: 'x', clientSoftwareVersion: '1'})
    assert.equal(body.errorCode, 0)
  } finally {
    c.close()
  }
})

test('an unknown API key or an unsupported version closes only that connection', async () => {
  const other = await RawClient.connect(tb.broker.port)
  try {
    for (const [apiKey, version] of [[9999, 0], [1, 3], [3, 13], [0, -1]]) {
      const c = await RawClient.connect(tb.broker.port)
      const frame = Buffer.alloc(4 + 10)
      frame.writeInt32BE(10, 0)
      frame.writeInt16BE(apiKey, 4)
      frame.writeInt16BE(version, 6)
      frame.writeInt32BE(77, 8)
      frame.writeInt16BE(-1, 12) // null client id
      c.write(frame)
      await c.waitClosed()
      assert.deepEqual(c.order, [], `no response for api ${apiKey} v${version}`)
      const body = await other.request(3, 1, {topics: []})
      assert.equal(body.brokers[0].port, tb.broker.port, 'the other connection keeps being served')
    }
    assert.ok(tb.logs.some((l) => l.startsWith('warn') && /unknown api key 9999/.test(l)), tb.logs.join('\n'))
  } finally {
    other.close()
  }
})
