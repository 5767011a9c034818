/**
 * The records of the QuorumController's topic and config operations, validated against the current
 * image (Kafka's ReplicationControlManager and ConfigurationControlManager, in one small file).
 * Every function either throws a KafkaError or returns the records to commit.
 */
import {randomUUID} from 'node:crypto'
import {ErrorCode, KafkaError} from '../protocol/index.js'
import type {TopicImage} from '../broker/context.js'
import {validateTopicConfig, brokerConfigDef} from '../broker/config-defs.js'
import type {MetadataImage} from '../broker/metadata/image.js'
import {MetadataRecordType, CONFIG_RESOURCE_BROKER, CONFIG_RESOURCE_TOPIC, type MetadataRecord} from '../broker/metadata/records.js'
import {topicNameError, collisionKey} from '../broker/metadata/topic-name.js'
import {placeReplicas} from './partition-change.js'

const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

/** What placement needs to know about the cluster. */
export interface PlacementView {
  /** Unfenced brokers not in controlled shutdown. */
  usableBrokers(): number[]
  /** Registered brokers (manual assignments may name fenced ones). */
  registeredBrokers(): number[]
  /** Effective broker props (static + dynamic) of the controller. */
  props(): Record<string, string>
  /** Rotating start for placement so leaders spread over brokers across topics. */
  nextPlacementStart(): number
}

/** CreateTopics: the TopicRecord, PartitionRecords and ConfigRecords, plus the image it will produce. */
export function createTopicRecords(image: MetadataImage, view: PlacementView, name: string, numPartitions: number,
  replicationFactor: number, configs: Record<string, string>, assignments?: number[][]): {records: MetadataRecord[]; topic: TopicImage} {
  const nameError = topicNameError(name)
  if (nameError) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, nameError)
  if (image.topic(name)) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`)
  const key = collisionKey(name)
  const clash = image.topics().find((t) => collisionKey(t.name) === key)
  if (clash) {
    throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION,
      `Topic '${name}' collides with existing topic: ${clash.name} ('.' and '_' are interchangeable in metric names)`)
  }
  const replicas = assignments && assignments.length > 0
    ? checkAssignments(view, assignments, numPartitions, replicationFactor)
    : defaultAssignments(view, numPartitions, replicationFactor)
  checkTopicConfigs(configs)
  const usable = new Set(view.usableBrokers())
  let topicId = randomUUID()
  while (topicId === ZERO_UUID) topicId = randomUUID()
  const records: MetadataRecord[] = [{type: MetadataRecordType.Topic, data: {name, topicId}}]
  const partitions = replicas.map((r, partition) => partitionImage(partition, r, usable))
  for (const p of partitions) records.push(partitionRecord(topicId, p.partition, p.replicas, p.isr, p.leader))
  for (const [k, v] of Object.entries(configs)) {
    records.push({type: MetadataRecordType.Config, data: {resourceType: CONFIG_RESOURCE_TOPIC, resourceName: name, name: k, value: v}})
  }
  return {records, topic: {name, topicId, internal: false, configs: {...configs}, partitions}}
}

/** CreatePartitions: PartitionRecords for the new partitions, placed like the topic's first ones. */
export function createPartitionsRecords(image: MetadataImage, view: PlacementView, name: string, totalCount: number): MetadataRecord[] {
  const topic = requireTopic(image, name)
  const current = topic.partitions.length
  if (totalCount === current) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partitions.`)
  if (totalCount < current) {
    throw new KafkaError(ErrorCode.INVALID_PARTITIONS,
      `Topic currently has ${current} partitions, which is higher than the requested ${totalCount}.`)
  }
  const rf = topic.partitions[0]?.replicas.length ?? 1
  const usable = new Set(view.usableBrokers())
  const placed = placeReplicas([...usable], current, totalCount - current, rf, view.nextPlacementStart())
  return placed.map((r, i) => {
    const p = partitionImage(current + i, r, usable)
    return partitionRecord(topic.topicId, p.partition, p.replicas, p.isr, p.leader)
  })
}

/** DeleteTopics: one RemoveTopicRecord. */
export function deleteTopicRecords(image: MetadataImage, name: string): MetadataRecord[] {
  return [{type: MetadataRecordType.RemoveTopic, data: {topicId: requireTopic(image, name).topicId}}]
}

/** Topic config overrides; `replace` also removes every override not named. */
export function topicConfigRecords(image: MetadataImage, name: string, changes: Record<string, string | null>, replace?: boolean): MetadataRecord[] {
  const topic = requireTopic(image, name)
  const set: Record<string, string> = {}
  for (const [k, v] of Object.entries(changes)) if (v !== null) set[k] = v
  checkTopicConfigs(set)
  return configRecords(CONFIG_RESOURCE_TOPIC, name, topic.configs, changes, replace)
}

/** Dynamic broker configs of one resource ('' = cluster default, else a broker id). */
export function brokerConfigRecords(image: MetadataImage, resourceName: string, changes: Record<string, string | null>, replace?: boolean): MetadataRecord[] {
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) continue
    const err = brokerConfigDef(k)?.validate?.(v)
    if (err) throw new KafkaError(ErrorCode.INVALID_CONFIG, err)
  }
  return configRecords(CONFIG_RESOURCE_BROKER, resourceName, image.brokerConfigResource(resourceName), changes, replace)
}

function configRecords(resourceType: number, resourceName: string, existing: Record<string, string>,
  changes: Record<string, string | null>, replace?: boolean): MetadataRecord[] {
  const records: MetadataRecord[] = []
  if (replace) {
    for (const k of Object.keys(existing)) {
      if (!(k in changes)) records.push({type: MetadataRecordType.Config, data: {resourceType, resourceName, name: k, value: null}})
    }
  }
  for (const [k, v] of Object.entries(changes)) {
    if (v === null && !(k in existing)) continue
    records.push({type: MetadataRecordType.Config, data: {resourceType, resourceName, name: k, value: v}})
  }
  return records
}

/** The topic, or UNKNOWN_TOPIC_OR_PARTITION. */
export function requireTopic(image: MetadataImage, name: string): TopicImage {
  const topic = image.topic(name)
  if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`)
  return topic
}

function checkTopicConfigs(configs: Record<string, string>): void {
  for (const [k, v] of Object.entries(configs)) {
    if (v === null || v === undefined) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Null value not supported for topic config ${k}`)
    const err = validateTopicConfig(k, v)
    if (err) throw new KafkaError(ErrorCode.INVALID_CONFIG, err)
  }
}

function defaultAssignments(view: PlacementView, numPartitions: number, replicationFactor: number): number[][] {
  const props = view.props()
  const partitions = numPartitions === -1 ? Number(props['num.partitions'] ?? 1) : numPartitions
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.')
  }
  const rf = replicationFactor === -1 ? Number(props['default.replication.factor'] ?? 1) : replicationFactor
  if (!Number.isInteger(rf) || rf < 1) {
    throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.')
  }
  return placeReplicas(view.usableBrokers(), 0, partitions, rf, view.nextPlacementStart())
}

function checkAssignments(view: PlacementView, assignments: number[][], numPartitions: number, replicationFactor: number): number[][] {
  if (numPartitions !== -1 || replicationFactor !== -1) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST,
      'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.')
  }
  const registered = new Set(view.registeredBrokers())
  for (const [i, replicas] of assignments.entries()) {
    if (replicas.length === 0) throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Partition ${i} has no replicas.`)
    if (new Set(replicas).size !== replicas.length) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Partition ${i} lists a replica more than once.`)
    }
    const bad = replicas.find((r) => !registered.has(r))
    if (bad !== undefined) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Partition ${i} names broker ${bad}, which is not registered.`)
    }
  }
  return assignments
}

/** A new partition: ISR = its usable replicas, leader = the first of them (-1 when none is usable). */
function partitionImage(partition: number, replicas: number[], usable: Set<number>) {
  const isr = replicas.filter((r) => usable.has(r))
  return {partition, replicas, isr: isr.length > 0 ? isr : [...replicas], leader: isr[0] ?? -1, leaderEpoch: 0, partitionEpoch: 0}
}

function partitionRecord(topicId: string, partitionId: number, replicas: number[], isr: number[], leader: number): MetadataRecord {
  return {type: MetadataRecordType.Partition, data: {
    partitionId, topicId, replicas, isr, removingReplicas: [], addingReplicas: [], leader, leaderEpoch: 0, partitionEpoch: 0,
  }}
}
