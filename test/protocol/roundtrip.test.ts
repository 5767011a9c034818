import {test} from 'node:test'
import assert from 'node:assert/strict'
import {API_SCHEMAS, getCodec, parseVersions, inVersions, Reader, Writer, getApiSchema} from '../../src/protocol/index.js'
import {sampleStruct, defaultOf} from './sample.js'

// One test per (api, version) in API_SCHEMAS, request and response, so a schema added by anyone is
// covered automatically.
for (const api of API_SCHEMAS) {
  // Advertised-only versions (Produce v0-2) must encode and decode too: the broker answers them.
  const range = parseVersions(api.advertisedVersions ?? api.validVersions)!
  for (let version = range.min; version <= range.max; version++) {
    test(`${api.name} (${api.apiKey}) v${version} round-trips every field`, () => {
      const flexible = inVersions(api.flexibleVersions, version)
      for (const direction of ['request', 'response'] as const) {
        const msg = direction === 'request' ? api.request : api.response
        const codec = getCodec(api, version, direction)
        for (const nulls of [false, true]) {
          const [input, expected] = sampleStruct(msg.fields, {version, flexible, nulls})
          const w = new Writer(64)
          codec.encode(w, input)
          const bytes = w.toBuffer()
          const r = new Reader(bytes)
          const decoded = codec.decode(r)
          const what = `${direction}${nulls ? ' (nulls)' : ''}`
          assert.deepEqual(decoded, expected, what)
          assert.equal(r.remaining(), 0, `${what}: decoder consumed every byte`)
          // Re-encoding what was decoded reproduces the bytes exactly.
          const w2 = new Writer(64)
          codec.encode(w2, decoded)
          assert.ok(w2.toBuffer().equals(bytes), `${what}: re-encode is byte-identical`)
        }
        // An empty object encodes all defaults and decodes back to exactly the defaults.
        const w = new Writer()
        codec.encode(w, {})
        const defaults: Record<string, unknown> = {}
        for (const f of msg.fields) defaults[f.name] = defaultOf(f)
        const decoded = codec.decode(new Reader(w.toBuffer()))
        for (const f of msg.fields) {
          // Present non-nullable fields with a null default decode to the zero value; skip those.
          if (defaults[f.name] === null && decoded[f.name] !== null) continue
          assert.deepEqual(decoded[f.name], defaults[f.name], `${direction} default of ${f.name}`)
        }
        assert.deepEqual(codec.defaults(), defaults, `${direction} defaults()`)
      }
    })
  }
}

test('codecs are compiled once and cached per (api, version, direction)', () => {
  const api = getApiSchema(3)!
  assert.equal(getCodec(api, 5, 'request'), getCodec(api, 5, 'request'))
  assert.notEqual(getCodec(api, 5, 'request'), getCodec(api, 5, 'response'))
  assert.notEqual(getCodec(api, 5, 'request'), getCodec(api, 6, 'request'))
})

test('every API key in the contract has a schema with its range and first flexible version', () => {
  const expected: Array<[number, string, string]> = [
    [0, '3-9', '9+'], [1, '4-12', '12+'], [2, '0-7', '6+'], [3, '0-12', '9+'], [8, '0-8', '8+'],
    [9, '0-8', '6+'], [10, '0-4', '3+'], [11, '0-7', '6+'], [12, '0-4', '4+'], [13, '0-4', '4+'],
    [14, '0-4', '4+'], [15, '0-5', '5+'], [16, '0-4', '3+'], [18, '0-3', '3+'], [19, '0-7', '5+'],
    [20, '0-6', '4+'], [21, '0-2', '2+'], [22, '0-4', '2+'], [23, '0-4', '4+'], [32, '0-4', '4+'],
    [33, '0-2', '2+'], [35, '0-4', '2+'], [37, '0-3', '2+'], [42, '0-2', '2+'], [43, '0-2', '2+'],
    [44, '0-1', '1+'], [47, '0', 'none'], [60, '0-1', '0+'],
  ]
  for (const [key, valid, flexible] of expected) {
    const api = getApiSchema(key)
    assert.ok(api, `schema for api key ${key}`)
    assert.deepEqual(parseVersions(api.validVersions), parseVersions(valid), `${api.name} versions`)
    assert.deepEqual(parseVersions(api.flexibleVersions), parseVersions(flexible), `${api.name} flexible`)
  }
  assert.equal(getApiSchema(0)!.advertisedVersions, '0-9')
})
