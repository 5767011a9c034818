/**
 * Round trips every version of the group, admin and config API schemas through the real framing
 * (encodeRequest/decodeRequestHeader/decodeRequestBody, encodeResponse/decodeResponse), and checks
 * a few messages byte for byte against frames built by hand from the wire rules, and against
 * kafkajs's independent codecs for every version kafkajs speaks.
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {createRequire} from 'node:module'
import {
  encodeRequest, decodeRequestHeader, decodeRequestBody, encodeResponse, decodeResponse,
} from '../../src/protocol/messages.js'
import {getApiSchema} from '../../src/protocol/apis/index.js'
import {inVersions, parseVersions} from '../../src/protocol/versions.js'
import type {ApiSchema, FieldSchema} from '../../src/protocol/schema.js'
import {offsetCommitApi} from '../../src/protocol/apis/8-offset-commit.js'
import {offsetFetchApi} from '../../src/protocol/apis/9-offset-fetch.js'
import {findCoordinatorApi} from '../../src/protocol/apis/10-find-coordinator.js'
import {joinGroupApi} from '../../src/protocol/apis/11-join-group.js'
import {heartbeatApi} from '../../src/protocol/apis/12-heartbeat.js'
import {leaveGroupApi} from '../../src/protocol/apis/13-leave-group.js'
import {syncGroupApi} from '../../src/protocol/apis/14-sync-group.js'
import {describeGroupsApi} from '../../src/protocol/apis/15-describe-groups.js'
import {listGroupsApi} from '../../src/protocol/apis/16-list-groups.js'
import {createTopicsApi} from '../../src/protocol/apis/19-create-topics.js'
import {deleteTopicsApi} from '../../src/protocol/apis/20-delete-topics.js'
import {deleteRecordsApi} from '../../src/protocol/apis/21-delete-records.js'
import {initProducerIdApi} from '../../src/protocol/apis/22-init-producer-id.js'
import {offsetForLeaderEpochApi} from '../../src/protocol/apis/23-offset-for-leader-epoch.js'
import {describeConfigsApi} from '../../src/protocol/apis/32-describe-configs.js'
import {alterConfigsApi} from '../../src/protocol/apis/33-alter-configs.js'
import {describeLogDirsApi} from '../../src/protocol/apis/35-describe-log-dirs.js'
import {createPartitionsApi} from '../../src/protocol/apis/37-create-partitions.js'
import {deleteGroupsApi} from '../../src/protocol/apis/42-delete-groups.js'
import {electLeadersApi} from '../../src/protocol/apis/43-elect-leaders.js'
import {incrementalAlterConfigsApi} from '../../src/protocol/apis/44-incremental-alter-configs.js'
import {offsetDeleteApi} from '../../src/protocol/apis/47-offset-delete.js'

/** [schema, validVersions, flexibleVersions] as PROTOCOL.md fixes them. */
const APIS: [ApiSchema, string, string][] = [
  [offsetCommitApi, '0-8', '8+'],
  [offsetFetchApi, '0-8', '6+'],
  [findCoordinatorApi, '0-4', '3+'],
  [joinGroupApi, '0-7', '6+'],
  [heartbeatApi, '0-4', '4+'],
  [leaveGroupApi, '0-4', '4+'],
  [syncGroupApi, '0-4', '4+'],
  [describeGroupsApi, '0-5', '5+'],
  [listGroupsApi, '0-4', '3+'],
  [createTopicsApi, '0-7', '5+'],
  [deleteTopicsApi, '0-6', '4+'],
  [deleteRecordsApi, '0-2', '2+'],
  [initProducerIdApi, '0-4', '2+'],
  [offsetForLeaderEpochApi, '0-4', '4+'],
  [describeConfigsApi, '0-4', '4+'],
  [alterConfigsApi, '0-2', '2+'],
  [describeLogDirsApi, '0-4', '2+'],
  [createPartitionsApi, '0-3', '2+'],
  [deleteGroupsApi, '0-2', '2+'],
  [electLeadersApi, '0-2', '2+'],
  [incrementalAlterConfigsApi, '0-1', '1+'],
  [offsetDeleteApi, '0', 'none'],
]

const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

// ---- sample values ------------------------------------------------------------------------------

/**
 * 'full': every field present in the version gets a non-default, non-null value (arrays of 2).
 * 'nulls': nullable fields are null, tagged fields are left at their default (so not sent), and
 * other arrays hold one element, to exercise the null and "tag absent" paths.
 */
type Mode = 'full' | 'nulls'

class Sampler {
  private seq = 0
  constructor(private readonly version: number, private readonly flexible: boolean, private readonly mode: Mode) {}

  private present(f: FieldSchema): boolean {
    return inVersions(f.versions, this.version) || this.tagged(f)
  }

  private tagged(f: FieldSchema): boolean {
    return this.flexible && f.taggedVersions !== undefined && inVersions(f.taggedVersions, this.version)
  }

  /** A sample object holding values for EVERY field, present in this version or not. */
  struct(fields: FieldSchema[]): Record<string, unknown> {
    const o: Record<string, unknown> = {}
    for (const f of fields) o[f.name] = this.value(f)
    return o
  }

  private value(f: FieldSchema): unknown {
    const nullable = f.nullableVersions !== undefined && inVersions(f.nullableVersions, this.version)
    if (this.mode === 'nulls' && this.present(f)) {
      if (nullable) return null
      if (this.tagged(f)) return defaultOf(f)
    }
    const n = this.mode === 'full' ? 2 : 1
    if (f.type.startsWith('[]')) {
      const out: unknown[] = []
      for (let i = 0; i < n; i++) out.push(f.fields ? this.struct(f.fields) : this.prim(f.type.slice(2), f.default))
      return out
    }
    if (f.fields) return this.struct(f.fields)
    return this.prim(f.type, f.default)
  }

  /** A value of a primitive type that differs from `def` and from the type's zero value. */
  private prim(type: string, def: unknown): unknown {
    const k = ++this.seq
    switch (type) {
      case 'bool': return def !== true
      case 'int8': return 10 + (k % 100)
      case 'int16': return -1000 - k
      case 'uint16': return 60000 + k
      case 'int32': return 70000 + k
      case 'uint32': return 4000000000 + k
      // Beyond 2^53, so a lossy number conversion would show.
      case 'int64': return (1n << 60n) + BigInt(k)
      case 'float64': return k + 0.25
      // Multi-byte UTF-8, so character and byte lengths differ.
      case 'string': return `s${k}-é✓`
      case 'bytes': return Buffer.from([k & 0xff, 0, 0xff, 7])
      case 'uuid': return `${k.toString(16).padStart(8, '0')}-1234-4abc-8def-0123456789ab`
      default: throw new Error(`no sample for ${type}`)
    }
  }
}

/** The value a decoder yields for a field absent from the version (per the messages.ts contract). */
function defaultOf(f: FieldSchema): unknown {
  const d = f.default
  const nullableSomewhere = f.nullableVersions !== undefined && f.nullableVersions !== 'none'
  if (d === null) return null
  if (f.type.startsWith('[]')) return d === undefined && nullableSomewhere ? null : []
  if (f.fields) return d === undefined && nullableSomewhere ? null : structDefaults(f.fields)
  if (d === undefined && nullableSomewhere) return null
  switch (f.type) {
    case 'bool': return d ?? false
    case 'int64': return d === undefined ? 0n : BigInt(d as bigint)
    case 'string': return d ?? ''
    case 'uuid': return d ?? ZERO_UUID
    case 'bytes': return Buffer.alloc(0)
    default: return d ?? 0
  }
}

function structDefaults(fields: FieldSchema[]): Record<string, unknown> {
  const o: Record<string, unknown> = {}
  for (const f of fields) o[f.name] = defaultOf(f)
  return o
}

/** What decoding the encoded `sample` must give: present fields echo, absent ones are defaults. */
function expected(fields: FieldSchema[], sample: Record<string, unknown>, version: number, flexible: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = {}
  for (const f of fields) {
    const tagged = flexible && f.taggedVersions !== undefined && inVersions(f.taggedVersions, version)
    const v = sample[f.name]
    if (!inVersions(f.versions, version) && !tagged) o[f.name] = defaultOf(f)
    else if (v === null || !f.fields) o[f.name] = v
    else if (Array.isArray(v)) o[f.name] = v.map((e) => expected(f.fields!, e as Record<string, unknown>, version, flexible))
    else o[f.name] = expected(f.fields, v as Record<string, unknown>, version, flexible)
  }
  return o
}

function versionsOf(api: ApiSchema): number[] {
  const r = parseVersions(api.validVersions)!
  const out: number[] = []
  for (let v = r.min; v <= r.max; v++) out.push(v)
  return out
}

// ---- round trips --------------------------------------------------------------------------------

test('each schema declares the version ranges of PROTOCOL.md and is registered', () => {
  for (const [api, valid, flexible] of APIS) {
    assert.equal(api.validVersions, valid, `${api.name} validVersions`)
    assert.equal(api.flexibleVersions, flexible, `${api.name} flexibleVersions`)
    assert.equal(getApiSchema(api.apiKey), api, `${api.name} (${api.apiKey}) missing from apis/index.ts`)
  }
})

for (const [api] of APIS) {
  test(`${api.name} (${api.apiKey}) round trips every version`, () => {
    for (const version of versionsOf(api)) {
      const flexible = inVersions(api.flexibleVersions, version)
      for (const mode of ['full', 'nulls'] as const) {
        const where = `${api.name} v${version} (${mode})`

        const req = new Sampler(version, flexible, mode).struct(api.request.fields)
        const header = {apiKey: api.apiKey, apiVersion: version, correlationId: 0x01020304 + version, clientId: 'cli-é'}
        const frame = encodeRequest(header, req)
        assert.equal(frame.readInt32BE(0), frame.length - 4, `${where}: request size prefix`)
        const body = frame.subarray(4)
        const {header: h, bodyOffset} = decodeRequestHeader(body)
        assert.deepEqual(h, header, `${where}: request header`)
        assert.deepEqual(decodeRequestBody(api.apiKey, version, body, bodyOffset),
          expected(api.request.fields, req, version, flexible), `${where}: request body`)

        const res = new Sampler(version, flexible, mode).struct(api.response.fields)
        const rframe = encodeResponse(api.apiKey, version, 777 + version, res)
        assert.equal(rframe.readInt32BE(0), rframe.length - 4, `${where}: response size prefix`)
        const decoded = decodeResponse(api.apiKey, version, rframe.subarray(4))
        assert.equal(decoded.correlationId, 777 + version, `${where}: correlation id`)
        assert.deepEqual(decoded.body, expected(api.response.fields, res, version, flexible), `${where}: response body`)
      }
    }
  })
}

test('a field absent from a version is not written: OffsetCommit v1 vs v2 differ only by the moved fields', () => {
  const partition = {partitionIndex: 1, committedOffset: 5n, commitTimestamp: 99n, committedMetadata: null}
  const body = {groupId: 'g', generationId: 3, memberId: 'm', retentionTimeMs: 1000n, topics: [{name: 't', partitions: [partition]}]}
  const v1 = encodeRequest({apiKey: 8, apiVersion: 1, correlationId: 1, clientId: null}, body)
  const v2 = encodeRequest({apiKey: 8, apiVersion: 2, correlationId: 1, clientId: null}, body)
  // v1 carries the per-partition commitTimestamp (8 bytes), v2 the request-level retentionTimeMs (8 bytes).
  assert.equal(v1.length, v2.length)
  const d1 = decodeRequestBody(8, 1, v1.subarray(4), decodeRequestHeader(v1.subarray(4)).bodyOffset)
  assert.equal(d1.topics[0].partitions[0].commitTimestamp, 99n)
  assert.equal(d1.retentionTimeMs, -1n)
  const d2 = decodeRequestBody(8, 2, v2.subarray(4), decodeRequestHeader(v2.subarray(4)).bodyOffset)
  assert.equal(d2.topics[0].partitions[0].commitTimestamp, -1n)
  assert.equal(d2.retentionTimeMs, 1000n)
})

// ---- byte-exact checks --------------------------------------------------------------------------

/** Concatenates byte groups written with small helpers, so the expected frames read like the spec. */
const i8 = (v: number) => Buffer.from([v & 0xff])
const i16 = (v: number) => { const b = Buffer.alloc(2); b.writeInt16BE(v); return b }
const i32 = (v: number) => { const b = Buffer.alloc(4); b.writeInt32BE(v); return b }
const str = (s: string) => Buffer.concat([i16(Buffer.byteLength(s)), Buffer.from(s)])
/** Unsigned varint, single byte (all values used here are < 128). */
const uv = (v: number) => { assert.ok(v >= 0 && v < 128); return Buffer.from([v]) }
const cstr = (s: string) => Buffer.concat([uv(Buffer.byteLength(s) + 1), Buffer.from(s)])
const sized = (parts: Buffer[]) => { const b = Buffer.concat(parts); return Buffer.concat([i32(b.length), b]) }

test('CreateTopics v0 request is byte-exact (non-flexible: INT16 strings, INT32 array counts)', () => {
  const body = {
    topics: [{
      name: 'orders', numPartitions: 3, replicationFactor: 2,
      assignments: [{partitionIndex: 0, brokerIds: [1, 2]}],
      configs: [{name: 'cleanup.policy', value: 'compact'}, {name: 'retention.ms', value: null}],
    }],
    timeoutMs: 5000,
    validateOnly: true, // v1+ only: must not be written in v0
  }
  const want = sized([
    i16(19), i16(0), i32(42), str('adm'), // request header v1: api key, version, correlation id, client id
    i32(1), //                                topics: 1 element
    str('orders'), //                           name
    i32(3), //                                  numPartitions
    i16(2), //                                  replicationFactor
    i32(1), //                                  assignments: 1 element
    i32(0), //                                    partitionIndex
    i32(2), i32(1), i32(2), //                    brokerIds: [1, 2]
    i32(2), //                                  configs: 2 elements
    str('cleanup.policy'), str('compact'), //     name, value
    str('retention.ms'), i16(-1), //              name, value null (length -1)
    i32(5000), //                             timeoutMs
  ])
  const frame = encodeRequest({apiKey: 19, apiVersion: 0, correlationId: 42, clientId: 'adm'}, body)
  assert.deepEqual(frame, want)
  const {header, bodyOffset} = decodeRequestHeader(want.subarray(4))
  assert.deepEqual(header, {apiKey: 19, apiVersion: 0, correlationId: 42, clientId: 'adm'})
  assert.deepEqual(decodeRequestBody(19, 0, want.subarray(4), bodyOffset), {...body, validateOnly: false})
})

test('DescribeConfigs v4 request is byte-exact (flexible: compact lengths, tagged-field sections)', () => {
  const body = {
    resources: [
      {resourceType: 2, resourceName: 'orders', configurationKeys: ['retention.ms', 'segment.bytes']},
      {resourceType: 4, resourceName: '1', configurationKeys: null},
    ],
    includeSynonyms: true,
    includeDocumentation: false,
  }
  const want = sized([
    i16(32), i16(4), i32(7), str('cli'), // request header v2: client id keeps its INT16 length...
    uv(0), //                               ...then an empty tagged-field section
    uv(3), //                             resources: compact array, 2 elements (N+1)
    i8(2), cstr('orders'), //               resourceType TOPIC, resourceName
    uv(3), cstr('retention.ms'), cstr('segment.bytes'), // configurationKeys: 2 compact strings
    uv(0), //                               resource's tagged fields: none
    i8(4), cstr('1'), //                    resourceType BROKER, resourceName
    uv(0), //                               configurationKeys: null (compact length 0)
    uv(0), //                               resource's tagged fields: none
    i8(1), //                             includeSynonyms
    i8(0), //                             includeDocumentation
    uv(0), //                             top-level tagged fields: none
  ])
  const frame = encodeRequest({apiKey: 32, apiVersion: 4, correlationId: 7, clientId: 'cli'}, body)
  assert.deepEqual(frame, want)
  const {header, bodyOffset} = decodeRequestHeader(want.subarray(4))
  assert.deepEqual(header, {apiKey: 32, apiVersion: 4, correlationId: 7, clientId: 'cli'})
  assert.deepEqual(decodeRequestBody(32, 4, want.subarray(4), bodyOffset), body)
})

test('CreateTopics v5 response sends topicConfigErrorCode as tag 0 only when set', () => {
  const topic = {
    name: 't', topicId: ZERO_UUID, errorCode: 0, errorMessage: null, topicConfigErrorCode: 29,
    numPartitions: 1, replicationFactor: 1, configs: null,
  }
  const want = sized([
    i32(9), uv(0), //            response header v1: correlation id, empty tagged fields
    i32(0), //                   throttleTimeMs
    uv(2), //                    topics: 1 element
    cstr('t'), //                  name (topicId is v7+)
    i16(0), //                     errorCode
    uv(0), //                      errorMessage null
    i32(1), i16(1), //             numPartitions, replicationFactor
    uv(0), //                      configs null
    uv(1), uv(0), uv(2), i16(29), // tagged fields: 1 field, tag 0, size 2, INT16 29
    uv(0), //                    top-level tagged fields: none
  ])
  const frame = encodeResponse(19, 5, 9, {throttleTimeMs: 0, topics: [topic]})
  assert.deepEqual(frame, want)
  assert.deepEqual(decodeResponse(19, 5, want.subarray(4)).body, {throttleTimeMs: 0, topics: [topic]})
  // At its default (0) the tagged field is left out entirely: the topic's tag section is a lone 0.
  const plain = encodeResponse(19, 5, 9, {throttleTimeMs: 0, topics: [{...topic, topicConfigErrorCode: 0}]})
  assert.equal(plain.length, want.length - 4)
})

// ---- cross-checks against kafkajs's own codecs (an independent implementation) -------------------

const require = createRequire(import.meta.url)
const KJS = 'kafkajs/src/protocol/requests/'

/** Request arguments in kafkajs's own shape, per api key (one set serves every kafkajs version). */
const KAFKAJS: [number, string, unknown][] = [
  [8, 'offsetCommit', {groupId: 'g1', groupGenerationId: 5, memberId: 'm1', retentionTime: 86400000,
    topics: [{topic: 't1', partitions: [{partition: 0, offset: '42', metadata: 'md'}, {partition: 1, offset: '7', metadata: null}]}]}],
  [9, 'offsetFetch', {groupId: 'g1', topics: [{topic: 't1', partitions: [{partition: 0}, {partition: 3}]}]}],
  [10, 'findCoordinator', {groupId: 'g1', coordinatorType: 1}],
  [11, 'joinGroup', {groupId: 'g1', sessionTimeout: 30000, rebalanceTimeout: 60000, memberId: 'm1', groupInstanceId: 'i1',
    protocolType: 'consumer', groupProtocols: [{name: 'range', metadata: Buffer.from([1, 2, 3])}]}],
  [12, 'heartbeat', {groupId: 'g1', groupGenerationId: 3, memberId: 'm1', groupInstanceId: 'i1'}],
  [13, 'leaveGroup', {groupId: 'g1', memberId: 'm1', groupInstanceId: 'i1'}],
  [14, 'syncGroup', {groupId: 'g1', generationId: 3, memberId: 'm1', groupInstanceId: 'i1',
    groupAssignment: [{memberId: 'm1', memberAssignment: Buffer.from([9, 8])}]}],
  [15, 'describeGroups', {groupIds: ['g1', 'g2']}],
  [16, 'listGroups', {}],
  [19, 'createTopics', {validateOnly: true, timeout: 5000, topics: [{topic: 't1', numPartitions: 3, replicationFactor: 2,
    replicaAssignment: [{partition: 0, replicas: [1, 2]}], configEntries: [{name: 'cleanup.policy', value: 'compact'}]}]}],
  [20, 'deleteTopics', {topics: ['a', 'b'], timeout: 5000}],
  [21, 'deleteRecords', {topics: [{topic: 't1', partitions: [{partition: 0, offset: '10'}]}], timeout: 5000}],
  [22, 'initProducerId', {transactionalId: 'tx', transactionTimeout: 60000}],
  [32, 'describeConfigs', {includeSynonyms: true,
    // kafkajs writes an empty configNames as null (-1): "all configs".
    resources: [{type: 2, name: 't1', configNames: ['retention.ms']}, {type: 4, name: '1', configNames: []}]}],
  [33, 'alterConfigs', {validateOnly: true, resources: [{type: 2, name: 't1', configEntries: [{name: 'retention.ms', value: '1000'}]}]}],
  [37, 'createPartitions', {validateOnly: true, timeout: 5000, topicPartitions: [{topic: 't1', count: 4, assignments: [[1, 2]]}]}],
  [42, 'deleteGroups', ['g1', 'g2']],
]

/** Runs kafkajs's response decoder and returns how many bytes its root Decoder consumed. */
async function kafkajsConsumed(decode: (b: Buffer) => Promise<unknown>, raw: Buffer): Promise<number> {
  const Decoder = require('kafkajs/src/protocol/decoder.js')
  const proto = Decoder.prototype
  const saved = new Map<string, Function>()
  let max = -1
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (!name.startsWith('read') || typeof proto[name] !== 'function') continue
    const fn = proto[name] as Function
    saved.set(name, fn)
    proto[name] = function (this: {buffer: Buffer; offset: number}, ...args: unknown[]) {
      const out = fn.apply(this, args)
      if (this.buffer === raw) max = Math.max(max, this.offset)
      return out
    }
  }
  try {
    await decode(raw)
  } finally {
    for (const [name, fn] of saved) proto[name] = fn
  }
  return max
}

for (const [apiKey, module, args] of KAFKAJS) {
  test(`kafkajs ${module} requests decode and re-encode byte-identically; kafkajs reads our responses whole`, async () => {
    const api = getApiSchema(apiKey)!
    const {versions, protocol} = require(KJS + module + '/index.js')
    assert.ok(versions.length > 0)
    for (const v of (versions as string[]).map(Number)) {
      if (!inVersions(api.validVersions, v)) continue
      const where = `${api.name} v${v}`
      const {request, response} = protocol({version: v})(args)
      assert.equal(request.apiKey, apiKey, where)
      const theirs: Buffer = (await request.encode()).buffer
      const header = Buffer.concat([i16(apiKey), i16(v), i32(11), str('kafkajs')])
      const frame = Buffer.concat([header, theirs])
      const {bodyOffset} = decodeRequestHeader(frame)
      const decoded = decodeRequestBody(apiKey, v, frame, bodyOffset)
      const ours = encodeRequest({apiKey, apiVersion: v, correlationId: 11, clientId: 'kafkajs'}, decoded).subarray(4)
      assert.deepEqual(ours, frame, `${where}: request bytes differ from kafkajs's`)

      const flexible = inVersions(api.flexibleVersions, v)
      const sample = new Sampler(v, flexible, 'full').struct(api.response.fields)
      const raw = encodeResponse(apiKey, v, 5, sample).subarray(8) // kafkajs decodes after the correlation id
      assert.equal(await kafkajsConsumed(response.decode, raw), raw.length, `${where}: kafkajs read a different response length`)
    }
  })
}

test('kafkajs sees the values we encode: JoinGroup v5 response', async () => {
  const body = {
    throttleTimeMs: 12, errorCode: 0, generationId: 4, protocolName: 'range', leader: 'm1', memberId: 'm2',
    members: [{memberId: 'm1', groupInstanceId: null, metadata: Buffer.from([1, 2])}],
  }
  const raw = encodeResponse(11, 5, 1, body).subarray(8)
  const {response} = require(KJS + 'joinGroup/index.js').protocol({version: 5})({groupProtocols: []})
  const got = await response.decode(raw)
  assert.equal(got.clientSideThrottleTime, 12)
  assert.equal(got.generationId, 4)
  assert.equal(got.groupProtocol, 'range')
  assert.equal(got.leaderId, 'm1')
  assert.equal(got.memberId, 'm2')
  assert.deepEqual(got.members, [{memberId: 'm1', groupInstanceId: null, memberMetadata: Buffer.from([1, 2])}])
})

test('a large message (writer growth mid-field) round trips: DescribeConfigs v4 response with 500 configs', () => {
  const configs = []
  for (let i = 0; i < 500; i++) {
    configs.push({
      name: `config.${i}`, value: i % 7 === 0 ? null : 'v'.repeat(i % 13), readOnly: i % 2 === 0, isDefault: false,
      configSource: i % 6, isSensitive: i % 3 === 0, synonyms: [{name: `syn.${i}`, value: `${i}`, source: 5}],
      configType: i % 9, documentation: i % 5 === 0 ? null : `doc ${i}`,
    })
  }
  const body = {throttleTimeMs: 1, results: [{errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders', configs}]}
  const frame = encodeResponse(32, 4, 3, body)
  assert.ok(frame.length > 10000)
  assert.deepEqual(decodeResponse(32, 4, frame.subarray(4)).body, body)
})
