/**
 * SingleNodeController: the active controller of a one-node cluster (Kafka's QuorumController
 * without the quorum). It validates admin changes, writes them as metadata records to the metadata
 * log, and only then applies them to the MetadataImage, so the log is the truth and a restart
 * replays it. Every change runs synchronously to completion: no two changes interleave.
 * Handlers reach it as BrokerContext.metadata; listeners (the replica manager) hear each change.
 */
import {randomUUID} from 'node:crypto'
import {ErrorCode, KafkaError} from '../../protocol/index.js'
import type {BrokerImage, ElectionResult, MetadataManager, PartitionImage, TopicImage} from '../context.js'
import {validateTopicConfig, brokerConfigDef} from '../config-defs.js'
import {MetadataImage, type MetadataChange} from './image.js'
import type {MetadataLog} from './metadata-log.js'
import {MetadataRecordType, CONFIG_RESOURCE_BROKER, CONFIG_RESOURCE_TOPIC, type MetadataRecord} from './records.js'
import {topicNameError, collisionKey} from './topic-name.js'

/** Receives every change after it is durable. */
export type MetadataListener = (change: MetadataChange) => void

const ZERO_UUID = '00000000-0000-0000-0000-000000000000'
/** Producer ids reserved per ProducerIdsRecord (Kafka's PRODUCER_ID_BLOCK_SIZE). */
export const PRODUCER_ID_BLOCK_SIZE = 1000n

/** The controller of a single-node cluster; see the file comment. */
export class SingleNodeController implements MetadataManager {
  private readonly image: MetadataImage
  private readonly listeners: MetadataListener[] = []
  /** The current block of producer ids: [nextId, blockEnd). */
  private nextId = 0n
  private blockEnd = 0n

  /** @param props the static broker config (defaults + command line); dynamic overrides live in the log. */
  constructor(
    private readonly log: MetadataLog,
    private readonly nodeId: number,
    private readonly props: Record<string, string>,
  ) {
    this.image = new MetadataImage(nodeId)
    for (const rec of log.readAll()) this.image.apply(rec)
  }

  /** Registers a listener for committed changes. */
  onChange(listener: MetadataListener): void {
    this.listeners.push(listener)
  }

  topics(): TopicImage[] {
    return this.image.topics()
  }

  topic(name: string): TopicImage | undefined {
    return this.image.topic(name)
  }

  topicById(id: string): TopicImage | undefined {
    return this.image.topicById(id)
  }

  brokerConfigOverrides(): Record<string, string> {
    return {...this.image.brokerOverrides}
  }

  async createTopic(name: string, numPartitions: number, replicationFactor: number, configs: Record<string, string>,
    opts: {validateOnly?: boolean; assignments?: number[][]} = {}): Promise<TopicImage> {
    const nameError = topicNameError(name)
    if (nameError) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, nameError)
    if (this.image.topic(name)) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`)
    const key = collisionKey(name)
    const clash = this.image.topics().find((t) => collisionKey(t.name) === key)
    if (clash) {
      throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION,
        `Topic '${name}' collides with existing topic: ${clash.name} ('.' and '_' are interchangeable in metric names)`)
    }
    const assignments = opts.assignments && opts.assignments.length > 0
      ? this.checkAssignments(opts.assignments, numPartitions, replicationFactor)
      : this.defaultAssignments(numPartitions, replicationFactor)
    this.checkTopicConfigs(configs)

    const topicId = newTopicId()
    const records: MetadataRecord[] = [{type: MetadataRecordType.Topic, data: {name, topicId}}]
    assignments.forEach((replicas, partitionId) => records.push(partitionRecord(topicId, partitionId, replicas)))
    for (const [k, v] of Object.entries(configs)) {
      records.push({type: MetadataRecordType.Config, data: {resourceType: CONFIG_RESOURCE_TOPIC, resourceName: name, name: k, value: v}})
    }
    if (opts.validateOnly) {
      return {
        name, topicId, internal: false, configs: {...configs},
        partitions: assignments.map((replicas, partition) => ({partition, leader: replicas[0], leaderEpoch: 0, replicas, isr: replicas, partitionEpoch: 0})),
      }
    }
    this.commit(records)
    return this.image.topic(name)!
  }

  async deleteTopic(name: string): Promise<void> {
    const topic = this.requireTopic(name)
    this.commit([{type: MetadataRecordType.RemoveTopic, data: {topicId: topic.topicId}}])
  }

  async createPartitions(name: string, totalCount: number, opts: {validateOnly?: boolean} = {}): Promise<void> {
    const topic = this.requireTopic(name)
    const current = topic.partitions.length
    if (totalCount === current) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partitions.`)
    if (totalCount < current) {
      throw new KafkaError(ErrorCode.INVALID_PARTITIONS,
        `Topic currently has ${current} partitions, which is higher than the requested ${totalCount}.`)
    }
    if (opts.validateOnly) return
    const records: MetadataRecord[] = []
    for (let p = current; p < totalCount; p++) records.push(partitionRecord(topic.topicId, p, [this.nodeId]))
    this.commit(records)
  }

  async alterTopicConfigs(name: string, changes: Record<string, string | null>, opts: {validateOnly?: boolean; replace?: boolean} = {}): Promise<void> {
    const topic = this.requireTopic(name)
    const set: Record<string, string> = {}
    for (const [k, v] of Object.entries(changes)) if (v !== null) set[k] = v
    this.checkTopicConfigs(set)
    const records = this.configRecords(CONFIG_RESOURCE_TOPIC, name, topic.configs, changes, opts.replace)
    if (!opts.validateOnly) this.commit(records)
  }

  async alterBrokerConfigs(changes: Record<string, string | null>, opts: {validateOnly?: boolean; replace?: boolean} = {}): Promise<void> {
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) continue
      const err = brokerConfigDef(k)?.validate?.(v)
      if (err) throw new KafkaError(ErrorCode.INVALID_CONFIG, err)
    }
    const records = this.configRecords(CONFIG_RESOURCE_BROKER, String(this.nodeId), this.image.brokerOverrides, changes, opts.replace)
    if (!opts.validateOnly) this.commit(records)
  }

  /** ConfigRecords for a change set; `replace` also removes every existing override not named in it. */
  private configRecords(resourceType: number, resourceName: string, existing: Record<string, string>,
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

  private requireTopic(name: string): TopicImage {
    const topic = this.image.topic(name)
    if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`)
    return topic
  }

  private checkTopicConfigs(configs: Record<string, string>): void {
    for (const [k, v] of Object.entries(configs)) {
      if (v === null || v === undefined) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Null value not supported for topic config ${k}`)
      const err = validateTopicConfig(k, v)
      if (err) throw new KafkaError(ErrorCode.INVALID_CONFIG, err)
    }
  }

  /** Replicas per partition for numPartitions/replicationFactor (-1 = broker defaults). */
  private defaultAssignments(numPartitions: number, replicationFactor: number): number[][] {
    const props = this.effectiveBrokerProps()
    const partitions = numPartitions === -1 ? Number(props['num.partitions'] ?? 1) : numPartitions
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.')
    }
    const rf = replicationFactor === -1 ? Number(props['default.replication.factor'] ?? 1) : replicationFactor
    if (!Number.isInteger(rf) || rf < 1) {
      throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.')
    }
    if (rf > 1) {
      throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR,
        `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only 1 broker(s) are registered.`)
    }
    return Array.from({length: partitions}, () => [this.nodeId])
  }

  /** Manual assignments must be complete and name only this node. */
  private checkAssignments(assignments: number[][], numPartitions: number, replicationFactor: number): number[][] {
    if (numPartitions !== -1 || replicationFactor !== -1) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST,
        'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.')
    }
    for (const [i, replicas] of assignments.entries()) {
      if (replicas.length === 0) throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Partition ${i} has no replicas.`)
      if (new Set(replicas).size !== replicas.length) {
        throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Partition ${i} lists a replica more than once.`)
      }
      const bad = replicas.find((r) => r !== this.nodeId)
      if (bad !== undefined) {
        throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Partition ${i} names broker ${bad}, which is not registered.`)
      }
    }
    return assignments
  }

  /**
   * A producer id never handed out before, even across restarts: ids come from blocks of 1000 whose
   * end is made durable in the metadata log (a ProducerIdsRecord, as KRaft's controller writes) before
   * the first id of the block is used. A crash loses at most the rest of a block.
   */
  generateProducerId(): bigint {
    if (this.nextId >= this.blockEnd) {
      const first = this.image.nextProducerId
      this.commit([{type: MetadataRecordType.ProducerIds, data: {brokerId: this.nodeId, brokerEpoch: 0n, nextProducerId: first + PRODUCER_ID_BLOCK_SIZE}}])
      this.nextId = first
      this.blockEnd = first + PRODUCER_ID_BLOCK_SIZE
    }
    return this.nextId++
  }

  /** A single node is its only broker (until the quorum controller registers brokers). */
  brokers(): BrokerImage[] {
    return [{id: this.nodeId, host: '', port: 0, rack: null, fenced: false, epoch: 0n, inControlledShutdown: false}]
  }

  controllerId(): number {
    return this.nodeId
  }

  async alterPartition(): Promise<PartitionImage> {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, 'A single-node cluster has no ISR to change.')
  }

  /** With one replica per partition every partition is already led by its preferred replica. */
  async electLeaders(_type: 'preferred' | 'unclean', partitions: {topic: string; partition: number}[] | null): Promise<ElectionResult[]> {
    const wanted = partitions ?? this.image.topics().flatMap((t) => t.partitions.map((p) => ({topic: t.name, partition: p.partition})))
    return wanted.map(({topic, partition}) => {
      const p = this.image.topic(topic)?.partitions[partition]
      if (!p) return {topic, partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, leaderBefore: -1, leaderAfter: -1}
      return {topic, partition, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: null, leaderBefore: p.leader, leaderAfter: p.leader}
    })
  }

  /** Makes the records durable, then applies them and tells the listeners. */
  private commit(records: MetadataRecord[]): void {
    if (records.length === 0) return
    this.log.append(records)
    const changes: MetadataChange[] = []
    for (const rec of records) {
      const change = this.image.apply(rec)
      if (change) changes.push(change)
    }
    for (const change of changes) for (const l of this.listeners) l(change)
  }

  /** Effective broker config: the static config overlaid by dynamic overrides. */
  effectiveBrokerProps(): Record<string, string> {
    return {...this.props, ...this.image.brokerOverrides}
  }
}

function partitionRecord(topicId: string, partitionId: number, replicas: number[]): MetadataRecord {
  return {type: MetadataRecordType.Partition, data: {
    partitionId, topicId, replicas, isr: replicas, removingReplicas: [], addingReplicas: [],
    leader: replicas[0], leaderEpoch: 0, partitionEpoch: 0,
  }}
}

/** A random topic id; never the zero uuid, which means "no id" on the wire. */
function newTopicId(): string {
  let id = randomUUID()
  while (id === ZERO_UUID) id = randomUUID()
  return id
}
