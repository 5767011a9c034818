/**
 * The record formats of `__consumer_offsets`, as Kafka writes them, so Kafka's own tools (and
 * `samsa log dump`) read our offsets topic: every key and value starts with an int16 version.
 * Keys: version 0/1 = offset commit {group, topic, partition}; version 2 = group metadata {group}.
 * Values: offset commit version 3 {offset, leaderEpoch, metadata, commitTimestamp} (version 1 when
 * the commit carried an explicit expire timestamp); group metadata version 3. A null value is a
 * tombstone: the offset or the group was deleted.
 */
import {compileMessage, Reader, Writer, type MessageCodec, type MessageSchema} from '../../protocol/index.js'

const f = (name: string, type: string, versions = '0+', extra: object = {}) => ({name, type, versions, ...extra})

const OFFSET_KEY: MessageSchema = {fields: [f('group', 'string'), f('topic', 'string'), f('partition', 'int32')]}
const GROUP_KEY: MessageSchema = {fields: [f('group', 'string')]}
const OFFSET_VALUE: MessageSchema = {fields: [
  f('offset', 'int64'), f('leaderEpoch', 'int32', '3+', {default: -1}), f('metadata', 'string'),
  f('commitTimestamp', 'int64'), f('expireTimestamp', 'int64', '1-1', {default: -1n}),
]}
const GROUP_VALUE: MessageSchema = {fields: [
  f('protocolType', 'string'), f('generation', 'int32'),
  f('protocol', 'string', '0+', {nullableVersions: '0+'}), f('leader', 'string', '0+', {nullableVersions: '0+'}),
  f('currentStateTimestamp', 'int64', '2+', {default: -1n}),
  f('members', '[]', '0+', {fields: [
    f('memberId', 'string'), f('groupInstanceId', 'string', '3+', {nullableVersions: '3+', default: null}),
    f('clientId', 'string'), f('clientHost', 'string'), f('rebalanceTimeout', 'int32', '1+'),
    f('sessionTimeout', 'int32'), f('subscription', 'bytes'), f('assignment', 'bytes'),
  ]}),
]}

/** Versions we write (Kafka 3.x writes the same ones). */
export const OFFSET_KEY_VERSION = 1
export const GROUP_KEY_VERSION = 2
export const OFFSET_VALUE_VERSION = 3
export const OFFSET_VALUE_VERSION_WITH_EXPIRE = 1
export const GROUP_VALUE_VERSION = 3

const codecs = new Map<string, MessageCodec>()

/** The codec of a record schema at a version; versions 4+ are flexible, as in Kafka's definitions. */
function codec(name: string, schema: MessageSchema, version: number): MessageCodec {
  const key = `${name}/${version}`
  let c = codecs.get(key)
  if (!c) codecs.set(key, (c = compileMessage(schema, version, version >= 4)))
  return c
}

function encode(name: string, schema: MessageSchema, version: number, value: object): Buffer {
  const w = new Writer(64)
  w.int16(version)
  codec(name, schema, version).encode(w, value)
  return w.toBuffer()
}

/** A committed offset as stored. */
export interface OffsetCommitValue {
  offset: bigint; leaderEpoch: number; metadata: string; commitTimestamp: bigint
  /** -1n when the commit did not ask for an explicit retention (the usual case since OffsetCommit v5). */
  expireTimestamp: bigint
}

/** One member inside a group metadata value. */
export interface StoredMember {
  memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string
  rebalanceTimeout: number; sessionTimeout: number; subscription: Buffer; assignment: Buffer
}

/** A group metadata value. */
export interface GroupMetadataValue {
  protocolType: string; generation: number; protocol: string | null; leader: string | null
  currentStateTimestamp: bigint; members: StoredMember[]
}

/** Key of an offset commit record. */
export function offsetCommitKey(group: string, topic: string, partition: number): Buffer {
  return encode('okey', OFFSET_KEY, OFFSET_KEY_VERSION, {group, topic, partition})
}

/** Key of a group metadata record. */
export function groupMetadataKey(group: string): Buffer {
  return encode('gkey', GROUP_KEY, GROUP_KEY_VERSION, {group})
}

/** Value of an offset commit record: version 1 only when an expire timestamp must be kept. */
export function offsetCommitValue(v: OffsetCommitValue): Buffer {
  const version = v.expireTimestamp >= 0n ? OFFSET_VALUE_VERSION_WITH_EXPIRE : OFFSET_VALUE_VERSION
  return encode('oval', OFFSET_VALUE, version, v)
}

/** Value of a group metadata record. */
export function groupMetadataValue(v: GroupMetadataValue): Buffer {
  return encode('gval', GROUP_VALUE, GROUP_VALUE_VERSION, v)
}

/** A decoded record of `__consumer_offsets`; value null = tombstone. */
export type OffsetsTopicRecord =
  | {kind: 'offset'; group: string; topic: string; partition: number; value: OffsetCommitValue | null}
  | {kind: 'group'; group: string; value: GroupMetadataValue | null}

/** Decodes a record; undefined for keys of versions we do not know (Kafka skips those too). */
export function decodeOffsetsTopicRecord(key: Buffer, value: Buffer | null): OffsetsTopicRecord | undefined {
  const r = new Reader(key)
  const keyVersion = r.int16()
  if (keyVersion === 0 || keyVersion === 1) {
    const k = codec('okey', OFFSET_KEY, keyVersion).decode(r)
    return {kind: 'offset', group: k.group, topic: k.topic, partition: k.partition, value: value === null ? null : decodeValue('oval', OFFSET_VALUE, value, 4)}
  }
  if (keyVersion === 2) {
    const k = codec('gkey', GROUP_KEY, keyVersion).decode(r)
    return {kind: 'group', group: k.group, value: value === null ? null : decodeValue('gval', GROUP_VALUE, value, 4)}
  }
  return undefined
}

function decodeValue(name: string, schema: MessageSchema, value: Buffer, maxVersion: number): any {
  const r = new Reader(value)
  const version = r.int16()
  if (version < 0 || version > maxVersion) throw new Error(`unknown ${name} value version ${version}`)
  return codec(name, schema, version).decode(r)
}
