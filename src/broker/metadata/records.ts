/**
 * KRaft metadata records as they appear as record values in the `__cluster_metadata` log: an
 * unsigned-varint frame version (1), the record type, the record version, then the record's
 * fields in the flexible encoding. Described with our schema format and compiled by src/protocol.
 */
import {compileMessage, Reader, Writer, ProtocolError, type MessageSchema, type MessageCodec} from '../../protocol/index.js'

/** Record type numbers (the `apiKey` of Kafka's metadata record definitions). */
export const enum MetadataRecordType {
  Topic = 2,
  Partition = 3,
  Config = 4,
  RemoveTopic = 9,
  ProducerIds = 15,
}

/** ConfigRecord resource types (Kafka's ConfigResource.Type ids). */
export const CONFIG_RESOURCE_TOPIC = 2
export const CONFIG_RESOURCE_BROKER = 4

export interface TopicRecord { name: string; topicId: string }
export interface PartitionRecord {
  partitionId: number; topicId: string; replicas: number[]; isr: number[]
  removingReplicas: number[] | null; addingReplicas: number[] | null
  leader: number; leaderEpoch: number; partitionEpoch: number
}
export interface ConfigRecord { resourceType: number; resourceName: string; name: string; value: string | null }
export interface RemoveTopicRecord { topicId: string }
/** A block of producer ids handed out: every id below nextProducerId is taken, across restarts. */
export interface ProducerIdsRecord { brokerId: number; brokerEpoch: bigint; nextProducerId: bigint }

/** A decoded metadata record, tagged by its type. */
export type MetadataRecord =
  | {type: MetadataRecordType.Topic; data: TopicRecord}
  | {type: MetadataRecordType.Partition; data: PartitionRecord}
  | {type: MetadataRecordType.Config; data: ConfigRecord}
  | {type: MetadataRecordType.RemoveTopic; data: RemoveTopicRecord}
  | {type: MetadataRecordType.ProducerIds; data: ProducerIdsRecord}

const topicRecord: MessageSchema = {fields: [
  {name: 'name', type: 'string', versions: '0+'},
  {name: 'topicId', type: 'uuid', versions: '0+'},
]}

const partitionRecord: MessageSchema = {fields: [
  {name: 'partitionId', type: 'int32', versions: '0+', default: -1},
  {name: 'topicId', type: 'uuid', versions: '0+'},
  {name: 'replicas', type: '[]int32', versions: '0+'},
  {name: 'isr', type: '[]int32', versions: '0+'},
  {name: 'removingReplicas', type: '[]int32', versions: '0+', nullableVersions: '0+'},
  {name: 'addingReplicas', type: '[]int32', versions: '0+', nullableVersions: '0+'},
  {name: 'leader', type: 'int32', versions: '0+', default: -1},
  {name: 'leaderEpoch', type: 'int32', versions: '0+', default: -1},
  {name: 'partitionEpoch', type: 'int32', versions: '0+', default: -1},
]}

const configRecord: MessageSchema = {fields: [
  {name: 'resourceType', type: 'int8', versions: '0+'},
  {name: 'resourceName', type: 'string', versions: '0+'},
  {name: 'name', type: 'string', versions: '0+'},
  {name: 'value', type: 'string', versions: '0+', nullableVersions: '0+'},
]}

const removeTopicRecord: MessageSchema = {fields: [
  {name: 'topicId', type: 'uuid', versions: '0+'},
]}

const producerIdsRecord: MessageSchema = {fields: [
  {name: 'brokerId', type: 'int32', versions: '0+'},
  {name: 'brokerEpoch', type: 'int64', versions: '0+'},
  {name: 'nextProducerId', type: 'int64', versions: '0+'},
]}

/** The frame version Kafka's metadata record serde writes first. */
const FRAME_VERSION = 1
/** All records here are written at version 0, which every Kafka release reads. */
const RECORD_VERSION = 0

const SCHEMAS = new Map<number, MessageSchema>([
  [MetadataRecordType.Topic, topicRecord],
  [MetadataRecordType.Partition, partitionRecord],
  [MetadataRecordType.Config, configRecord],
  [MetadataRecordType.RemoveTopic, removeTopicRecord],
  [MetadataRecordType.ProducerIds, producerIdsRecord],
])
const codecs = new Map<number, MessageCodec>()

function codec(type: number): MessageCodec | undefined {
  let c = codecs.get(type)
  if (!c) {
    const schema = SCHEMAS.get(type)
    if (!schema) return undefined
    // Metadata records are flexible from version 0.
    c = compileMessage(schema, RECORD_VERSION, true)
    codecs.set(type, c)
  }
  return c
}

/** Serialises one metadata record into the bytes of a record value. */
export function encodeMetadataRecord(rec: MetadataRecord): Buffer {
  const w = new Writer(64)
  w.uvarint(FRAME_VERSION).uvarint(rec.type).uvarint(RECORD_VERSION)
  codec(rec.type)!.encode(w, rec.data)
  // Copy out of the writer's over-allocated buffer so the record owns exactly its bytes.
  return Buffer.from(w.toBuffer())
}

/** Parses a record value; returns undefined for record types this broker does not use (skipped on replay). */
export function decodeMetadataRecord(value: Buffer): MetadataRecord | undefined {
  const r = new Reader(value)
  const frame = r.uvarint()
  if (frame !== FRAME_VERSION) throw new ProtocolError(`unknown metadata record frame version ${frame}`)
  const type = r.uvarint()
  // Record version: this broker only writes v0, so the v0 codec reads its own log.
  r.uvarint()
  const c = codec(type)
  if (!c) return undefined
  return {type, data: c.decode(r)} as MetadataRecord
}
