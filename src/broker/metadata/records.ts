/**
 * KRaft metadata records as they appear as record values in the `__cluster_metadata` log: an
 * unsigned-varint frame version (1), the record type, the record version, then the record's
 * fields in the flexible encoding. Described with our schema format and compiled by src/protocol.
 */
import {BROKER_ENDPOINT_FIELDS, FEATURE_RANGE_FIELDS} from '../../protocol/apis/62-broker-registration.js'
import {compileMessage, Reader, Writer, ProtocolError, type MessageSchema, type MessageCodec} from '../../protocol/index.js'

/** Record type numbers (the `apiKey` of Kafka's metadata record definitions). */
export const enum MetadataRecordType {
  RegisterBroker = 0,
  UnregisterBroker = 1,
  Topic = 2,
  Partition = 3,
  Config = 4,
  PartitionChange = 5,
  FenceBroker = 7,
  UnfenceBroker = 8,
  RemoveTopic = 9,
  ProducerIds = 15,
  BrokerRegistrationChange = 17,
}

/** PartitionChangeRecord.leader when the leader does not change. */
export const NO_LEADER_CHANGE = -2

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

/** A broker's endpoint as registered (Kafka's BrokerEndpoint). */
export interface BrokerEndpoint { name: string; host: string; port: number; securityProtocol: number }
export interface RegisterBrokerRecord {
  brokerId: number; incarnationId: string; brokerEpoch: bigint; endPoints: BrokerEndpoint[]
  features: {name: string; minSupportedVersion: number; maxSupportedVersion: number}[]
  rack: string | null; fenced: boolean
}
export interface UnregisterBrokerRecord { brokerId: number; brokerEpoch: bigint }
/** Fence/Unfence: `id` and `epoch` are the broker's id and registration epoch. */
export interface FenceBrokerRecord { id: number; epoch: bigint }
/** null isr/replicas and leader NO_LEADER_CHANGE (-2) mean "unchanged". */
export interface PartitionChangeRecord {
  partitionId: number; topicId: string; isr: number[] | null; leader: number; replicas: number[] | null
  removingReplicas: number[] | null; addingReplicas: number[] | null
}
/** fenced: 1 fenced, -1 unfenced, 0 unchanged; inControlledShutdown: 1 started, 0 unchanged. */
export interface BrokerRegistrationChangeRecord { brokerId: number; brokerEpoch: bigint; fenced: number; inControlledShutdown: number }

/** A decoded metadata record, tagged by its type. */
export type MetadataRecord =
  | {type: MetadataRecordType.Topic; data: TopicRecord}
  | {type: MetadataRecordType.Partition; data: PartitionRecord}
  | {type: MetadataRecordType.Config; data: ConfigRecord}
  | {type: MetadataRecordType.RemoveTopic; data: RemoveTopicRecord}
  | {type: MetadataRecordType.ProducerIds; data: ProducerIdsRecord}
  | {type: MetadataRecordType.RegisterBroker; data: RegisterBrokerRecord}
  | {type: MetadataRecordType.UnregisterBroker; data: UnregisterBrokerRecord}
  | {type: MetadataRecordType.FenceBroker; data: FenceBrokerRecord}
  | {type: MetadataRecordType.UnfenceBroker; data: FenceBrokerRecord}
  | {type: MetadataRecordType.PartitionChange; data: PartitionChangeRecord}
  | {type: MetadataRecordType.BrokerRegistrationChange; data: BrokerRegistrationChangeRecord}

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

const registerBrokerRecord: MessageSchema = {fields: [
  {name: 'brokerId', type: 'int32', versions: '0+'},
  {name: 'incarnationId', type: 'uuid', versions: '0+'},
  {name: 'brokerEpoch', type: 'int64', versions: '0+'},
  {name: 'endPoints', type: '[]', versions: '0+', fields: BROKER_ENDPOINT_FIELDS},
  {name: 'features', type: '[]', versions: '0+', fields: FEATURE_RANGE_FIELDS},
  {name: 'rack', type: 'string', versions: '0+', nullableVersions: '0+'},
  {name: 'fenced', type: 'bool', versions: '0+', default: true},
]}

const unregisterBrokerRecord: MessageSchema = {fields: [
  {name: 'brokerId', type: 'int32', versions: '0+'},
  {name: 'brokerEpoch', type: 'int64', versions: '0+'},
]}

const fenceBrokerRecord: MessageSchema = {fields: [
  {name: 'id', type: 'int32', versions: '0+'},
  {name: 'epoch', type: 'int64', versions: '0+'},
]}

const tagged = (name: string, type: string, tag: number, dflt: unknown, nullable = true) =>
  ({name, type, versions: '0+', taggedVersions: '0+', tag, default: dflt, ...(nullable ? {nullableVersions: '0+'} : {})})

const partitionChangeRecord: MessageSchema = {fields: [
  {name: 'partitionId', type: 'int32', versions: '0+', default: -1},
  {name: 'topicId', type: 'uuid', versions: '0+'},
  tagged('isr', '[]int32', 0, null),
  tagged('leader', 'int32', 1, NO_LEADER_CHANGE, false),
  tagged('replicas', '[]int32', 2, null),
  tagged('removingReplicas', '[]int32', 3, null),
  tagged('addingReplicas', '[]int32', 4, null),
]}

const brokerRegistrationChangeRecord: MessageSchema = {fields: [
  {name: 'brokerId', type: 'int32', versions: '0+'},
  {name: 'brokerEpoch', type: 'int64', versions: '0+'},
  tagged('fenced', 'int8', 0, 0, false),
  // Kafka adds this tag in record version 1; as a tagged field it is readable at any version.
  tagged('inControlledShutdown', 'int8', 1, 0, false),
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
  [MetadataRecordType.RegisterBroker, registerBrokerRecord],
  [MetadataRecordType.UnregisterBroker, unregisterBrokerRecord],
  [MetadataRecordType.FenceBroker, fenceBrokerRecord],
  [MetadataRecordType.UnfenceBroker, fenceBrokerRecord],
  [MetadataRecordType.PartitionChange, partitionChangeRecord],
  [MetadataRecordType.BrokerRegistrationChange, brokerRegistrationChangeRecord],
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
