/**
 * Readable forms of the records of Kafka's internal topics, for `log dump`:
 * `__cluster_metadata` (KRaft metadata records: frame version, type, version, flexible fields) and
 * `__consumer_offsets` (offset commit and group metadata keys/values). Decoding is best effort:
 * anything unknown comes back as its type and size instead of failing the dump.
 */
import {compileMessage, Reader, type MessageSchema, type MessageCodec} from '../protocol/index.js'

/** Kafka's metadata record type names by type number. */
const METADATA_TYPES: Record<number, string> = {
  0: 'RegisterBroker', 1: 'UnregisterBroker', 2: 'Topic', 3: 'Partition', 4: 'Config', 5: 'PartitionChange',
  6: 'AccessControlEntry', 7: 'FenceBroker', 8: 'UnfenceBroker', 9: 'RemoveTopic', 10: 'DelegationToken',
  11: 'UserScramCredential', 12: 'FeatureLevel', 14: 'ClientQuota', 15: 'ProducerIds', 17: 'BrokerRegistrationChange',
}

const f = (name: string, type: string, extra: object = {}) => ({name, type, versions: '0+', ...extra})

// Only the fields present since version 0; later non-tagged fields are simply left unread.
const METADATA_SCHEMAS: Record<number, MessageSchema> = {
  0: {fields: [
    f('brokerId', 'int32'), f('incarnationId', 'uuid'), f('brokerEpoch', 'int64'),
    f('endPoints', '[]', {fields: [f('name', 'string'), f('host', 'string'), f('port', 'uint16'), f('securityProtocol', 'int16')]}),
    f('features', '[]', {fields: [f('name', 'string'), f('minSupportedVersion', 'int16'), f('maxSupportedVersion', 'int16')]}),
    f('rack', 'string', {nullableVersions: '0+'}), f('fenced', 'bool', {default: true}),
  ]},
  1: {fields: [f('brokerId', 'int32'), f('brokerEpoch', 'int64')]},
  2: {fields: [f('name', 'string'), f('topicId', 'uuid')]},
  3: {fields: [
    f('partitionId', 'int32'), f('topicId', 'uuid'), f('replicas', '[]int32'), f('isr', '[]int32'),
    f('removingReplicas', '[]int32', {nullableVersions: '0+'}), f('addingReplicas', '[]int32', {nullableVersions: '0+'}),
    f('leader', 'int32'), f('leaderEpoch', 'int32'), f('partitionEpoch', 'int32'),
  ]},
  4: {fields: [f('resourceType', 'int8'), f('resourceName', 'string'), f('name', 'string'), f('value', 'string', {nullableVersions: '0+'})]},
  5: {fields: [
    f('partitionId', 'int32'), f('topicId', 'uuid'),
    f('isr', '[]int32', {nullableVersions: '0+', taggedVersions: '0+', tag: 0, default: null}),
    f('leader', 'int32', {taggedVersions: '0+', tag: 1, default: -2}),
    f('replicas', '[]int32', {nullableVersions: '0+', taggedVersions: '0+', tag: 2, default: null}),
    f('removingReplicas', '[]int32', {nullableVersions: '0+', taggedVersions: '0+', tag: 3, default: null}),
    f('addingReplicas', '[]int32', {nullableVersions: '0+', taggedVersions: '0+', tag: 4, default: null}),
  ]},
  7: {fields: [f('id', 'int32'), f('epoch', 'int64')]},
  8: {fields: [f('id', 'int32'), f('epoch', 'int64')]},
  9: {fields: [f('topicId', 'uuid')]},
  12: {fields: [f('name', 'string'), f('featureLevel', 'int16')]},
  15: {fields: [f('brokerId', 'int32'), f('brokerEpoch', 'int64'), f('nextProducerId', 'int64')]},
  17: {fields: [
    f('brokerId', 'int32'), f('brokerEpoch', 'int64'),
    f('fenced', 'int8', {taggedVersions: '0+', tag: 0, default: 0}), f('inControlledShutdown', 'int8', {taggedVersions: '0+', tag: 1, default: 0}),
  ]},
}

const codecs = new Map<string, MessageCodec>()

function metadataCodec(type: number, version: number): MessageCodec | undefined {
  const schema = METADATA_SCHEMAS[type]
  if (!schema) return undefined
  const key = `${type}/${version}`
  let c = codecs.get(key)
  if (!c) {
    c = compileMessage(schema, version, true)
    codecs.set(key, c)
  }
  return c
}

/** A metadata record value decoded: {record: "Topic", version, ...fields}, or its type and size when unknown. */
export function decodeMetadataRecord(value: Buffer | null): Record<string, unknown> | null {
  if (value === null) return null
  try {
    const r = new Reader(value)
    const frameVersion = r.uvarint()
    const type = r.uvarint()
    const version = r.uvarint()
    const name = METADATA_TYPES[type] ?? `Type${type}`
    const codec = metadataCodec(type, version)
    if (!codec) return {record: name, version, frameVersion, size: value.length}
    return {record: name, version, ...codec.decode(r)}
  } catch (err) {
    return {record: 'undecodable', error: (err as Error).message, size: value.length}
  }
}

/** A __consumer_offsets key: offset commit (versions 0-1) or group metadata (version 2). */
export function decodeOffsetsKey(key: Buffer | null): Record<string, unknown> | null {
  if (key === null || key.length < 2) return null
  try {
    const r = new Reader(key)
    const version = r.int16()
    if (version <= 1) return {kind: 'offset', group: r.string(), topic: r.string(), partition: r.int32()}
    if (version === 2) return {kind: 'group', group: r.string()}
    return {kind: `key-v${version}`, size: key.length}
  } catch (err) {
    return {kind: 'undecodable', error: (err as Error).message}
  }
}

/** A __consumer_offsets value for an offset commit key (versions 0-4); null value = tombstone. */
export function decodeOffsetCommitValue(value: Buffer | null): Record<string, unknown> | null {
  if (value === null) return null
  try {
    const r = new Reader(value)
    const version = r.int16()
    // Version 4 is flexible: compact strings and trailing tagged fields.
    const str = () => (version >= 4 ? r.compactString() : r.string())
    const offset = r.int64()
    const leaderEpoch = version >= 3 ? r.int32() : -1
    const metadata = str()
    const commitTimestamp = r.int64()
    const expireTimestamp = version === 1 ? r.int64() : null
    return {version, offset, leaderEpoch, metadata, commitTimestamp, ...(expireTimestamp !== null ? {expireTimestamp} : {})}
  } catch (err) {
    return {error: (err as Error).message, size: value.length}
  }
}

/** A __consumer_offsets group metadata value: its header fields (members are summarised by count). */
export function decodeGroupMetadataValue(value: Buffer | null): Record<string, unknown> | null {
  if (value === null) return null
  try {
    const r = new Reader(value)
    const version = r.int16()
    const str = () => (version >= 4 ? r.compactString() : r.string())
    const nstr = () => (version >= 4 ? r.compactNullableString() : r.nullableString())
    const protocolType = str()
    const generation = r.int32()
    const protocol = nstr()
    const leader = nstr()
    const currentStateTimestamp = version >= 2 ? r.int64() : -1n
    const members = version >= 4 ? r.uvarint() - 1 : r.int32()
    return {version, protocolType, generation, protocol, leader, currentStateTimestamp, members}
  } catch (err) {
    return {error: (err as Error).message, size: value.length}
  }
}

/** Decodes one record of an internal topic into readable form; null for other topics. */
export function decodeInternalRecord(topic: string | null, key: Buffer | null, value: Buffer | null): Record<string, unknown> | null {
  if (topic === '__cluster_metadata') return decodeMetadataRecord(value)
  if (topic === '__consumer_offsets') {
    const k = decodeOffsetsKey(key)
    if (k?.kind === 'offset') return {key: k, value: decodeOffsetCommitValue(value)}
    if (k?.kind === 'group') return {key: k, value: decodeGroupMetadataValue(value)}
    return {key: k}
  }
  return null
}
