/** Hostile input: truncated or garbage frames must surface as ProtocolError, never another exception. */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {
  API_SCHEMAS, ProtocolError, encodeRequest, decodeRequestHeader, decodeRequestBody, decodeResponse, parseVersions,
} from '../../src/protocol/index.js'
import {sampleStruct} from './sample.js'
import {inVersions} from '../../src/protocol/index.js'

const hex = (...groups: string[]) => Buffer.from(groups.join('').replace(/\s+/g, ''), 'hex')

/** Runs fn and requires it to either succeed or throw ProtocolError. */
function onlyProtocolErrors(fn: () => unknown, what: string): boolean {
  try {
    fn()
    return true
  } catch (err) {
    assert.ok(err instanceof ProtocolError, `${what}: threw ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`)
    return false
  }
}

test('decodeRequestHeader rejects truncated headers with ProtocolError', () => {
  const full = hex('0003 0001 00000002 0004 74657374')
  for (let len = 0; len < full.length; len++) {
    assert.throws(() => decodeRequestHeader(full.subarray(0, len)), ProtocolError, `prefix of ${len} bytes`)
  }
  assert.deepEqual(decodeRequestHeader(full).header, {apiKey: 3, apiVersion: 1, correlationId: 2, clientId: 'test'})
  // Client id length running past the frame; a -2 length.
  assert.throws(() => decodeRequestHeader(hex('0003 0001 00000002 00ff 7465')), ProtocolError)
  assert.throws(() => decodeRequestHeader(hex('0003 0001 00000002 fffe')), ProtocolError)
  // Flexible header whose tag section claims more bytes than exist.
  assert.throws(() => decodeRequestHeader(hex('0012 0003 00000002 ffff 01 00 10')), ProtocolError)
})

test('decodeRequestBody rejects unknown apis, unsupported versions and bad offsets', () => {
  assert.throws(() => decodeRequestBody(9999, 0, Buffer.alloc(8), 0), ProtocolError)
  assert.throws(() => decodeRequestBody(0, 10, Buffer.alloc(8), 0), ProtocolError) // above Produce's range
  assert.throws(() => decodeRequestBody(1, 13, Buffer.alloc(8), 0), ProtocolError)
  assert.throws(() => decodeRequestBody(3, 1, Buffer.alloc(8), 20), ProtocolError)
  assert.throws(() => encodeRequest({apiKey: 1, apiVersion: 3, correlationId: 1, clientId: null}, {}), ProtocolError)
})

test('array lengths larger than the frame are rejected before allocating', () => {
  // Metadata v1 request body claiming 2^31-1 topics.
  assert.throws(() => decodeRequestBody(3, 1, hex('7fffffff 0001 74'), 0), ProtocolError)
  // A negative length other than -1.
  assert.throws(() => decodeRequestBody(3, 1, hex('fffffffe'), 0), ProtocolError)
  // Flexible (v9) compact array claiming 2^28 entries.
  assert.throws(() => decodeRequestBody(3, 9, hex('8080808001'), 0), ProtocolError)
})

test('a tagged field whose size disagrees with its value is rejected', () => {
  // ApiVersions v3 response: tag 1 (int64 epoch) declared with size 4.
  assert.throws(() => decodeResponse(18, 3, hex('00000001 0000 01 00000000 01 01 04 00000000')), ProtocolError)
  // Tag size running past the frame.
  assert.throws(() => decodeResponse(18, 3, hex('00000001 0000 01 00000000 01 01 7f 00')), ProtocolError)
})

test('every strict prefix of every sample request fails with ProtocolError', () => {
  for (const api of API_SCHEMAS) {
    const range = parseVersions(api.validVersions)!
    for (let version = range.min; version <= range.max; version++) {
      const flexible = inVersions(api.flexibleVersions, version)
      const [input] = sampleStruct(api.request.fields, {version, flexible, nulls: false})
      const frame = encodeRequest({apiKey: api.apiKey, apiVersion: version, correlationId: 5, clientId: 'c'}, input).subarray(4)
      const {bodyOffset} = decodeRequestHeader(frame)
      decodeRequestBody(api.apiKey, version, frame, bodyOffset) // the whole frame decodes
      // Every cut inside the body must be detected (the decoder reads every byte it was given).
      for (let len = bodyOffset; len < frame.length; len++) {
        const cut = frame.subarray(0, len)
        assert.throws(() => decodeRequestBody(api.apiKey, version, cut, bodyOffset), ProtocolError, `${api.name} v${version} cut at ${len}`)
      }
    }
  }
})

test('random garbage bodies never raise anything but ProtocolError', () => {
  // Deterministic xorshift PRNG so a failure is reproducible.
  let seed = 0x2545f491
  const rnd = () => {
    seed ^= seed << 13
    seed ^= seed >>> 17
    seed ^= seed << 5
    return (seed >>> 0) / 0x100000000
  }
  let decodedSome = 0
  for (const api of API_SCHEMAS) {
    const range = parseVersions(api.validVersions)!
    for (let version = range.min; version <= range.max; version++) {
      for (let i = 0; i < 40; i++) {
        const len = Math.floor(rnd() * 64)
        const buf = Buffer.alloc(len)
        // Bias towards small bytes so lengths and counts are often plausible.
        for (let j = 0; j < len; j++) buf[j] = rnd() < 0.6 ? Math.floor(rnd() * 4) : Math.floor(rnd() * 256)
        if (onlyProtocolErrors(() => decodeRequestBody(api.apiKey, version, buf, 0), `${api.name} v${version} request`)) decodedSome++
        onlyProtocolErrors(() => decodeResponse(api.apiKey, version, buf), `${api.name} v${version} response`)
        onlyProtocolErrors(() => decodeRequestHeader(buf), 'header')
      }
    }
  }
  assert.ok(decodedSome > 0, 'some random inputs happen to be valid messages')
})
