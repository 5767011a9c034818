/**
 * A small MetadataManager for group-coordinator tests: topics with explicit leaders, brokers, and
 * a setLeader() that emits 'partition-changed' like a replayed PartitionChangeRecord. Partition logs
 * are real storage Logs under a temp dir.
 */
import {join} from 'node:path'
import {ErrorCode, KafkaError} from '../../src/protocol/index.js'
import {Log} from '../../src/storage/log.js'
import {defaultLogConfig} from '../../src/storage/log-config.js'
import type {BrokerImage, ElectionResult, MetadataChange, MetadataManager, PartitionImage, TopicImage} from '../../src/broker/context.js'

/** The fake; see the file comment. */
export class FakeMetadata implements MetadataManager {
  private readonly map = new Map<string, TopicImage>()
  private readonly listeners: Array<(c: MetadataChange) => void> = []
  readonly created: Array<{name: string; partitions: number; replicationFactor: number}> = []

  constructor(readonly brokerList: BrokerImage[], private readonly defaultLeader: number) {}

  topics(): TopicImage[] { return [...this.map.values()] }
  topic(name: string): TopicImage | undefined { return this.map.get(name) }
  topicById(id: string): TopicImage | undefined { return this.topics().find((t) => t.topicId === id) }

  async createTopic(name: string, numPartitions: number, replicationFactor: number, configs: Record<string, string>): Promise<TopicImage> {
    if (this.map.has(name)) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`)
    this.created.push({name, partitions: numPartitions, replicationFactor})
    const ids = this.brokerList.map((b) => b.id)
    const topic: TopicImage = {name, topicId: `id-${name}`, partitions: [], configs, internal: name.startsWith('__')}
    this.map.set(name, topic)
    this.emit({kind: 'topic-created', topic})
    for (let p = 0; p < numPartitions; p++) {
      const replicas = Array.from({length: replicationFactor}, (_, i) => ids[(p + i) % ids.length])
      const image: PartitionImage = {partition: p, leader: this.defaultLeader, leaderEpoch: 0, replicas, isr: [...replicas], partitionEpoch: 0}
      topic.partitions.push(image)
      this.emit({kind: 'partition-created', topic, partition: image})
    }
    return topic
  }

  /** Moves a partition's leadership (-1: offline) and tells the listeners. */
  setLeader(name: string, partition: number, leader: number): void {
    const topic = this.map.get(name)!
    const previous = topic.partitions[partition]
    const next = {...previous, leader, leaderEpoch: previous.leaderEpoch + 1, partitionEpoch: previous.partitionEpoch + 1}
    topic.partitions[partition] = next
    this.emit({kind: 'partition-changed', topic, partition: next, previous})
  }

  private emit(c: MetadataChange): void { for (const l of this.listeners) l(c) }
  onChange(listener: (change: MetadataChange) => void): void { this.listeners.push(listener) }
  brokers(): BrokerImage[] { return this.brokerList }
  controllerId(): number { return this.brokerList[0]?.id ?? -1 }
  async deleteTopic(): Promise<void> { throw new Error('not in this fake') }
  async createPartitions(): Promise<void> { throw new Error('not in this fake') }
  async alterTopicConfigs(): Promise<void> { throw new Error('not in this fake') }
  brokerConfigOverrides(): Record<string, string> { return {} }
  async alterBrokerConfigs(): Promise<void> { throw new Error('not in this fake') }
  generateProducerId(): bigint { return 0n }
  async alterPartition(): Promise<PartitionImage> { throw new Error('not in this fake') }
  async electLeaders(): Promise<ElectionResult[]> { return [] }
}

/** A replica manager over real logs in `dir`, created on first use. */
export function fakeReplicaManager(dir: string): {getLog(topic: string, partition: number): Log; close(): void} {
  const logs = new Map<string, Log>()
  return {
    getLog(topic, partition) {
      const key = `${topic}-${partition}`
      let log = logs.get(key)
      if (!log) logs.set(key, (log = Log.open(join(dir, key), defaultLogConfig())))
      return log
    },
    close() {
      for (const l of logs.values()) l.close()
    },
  }
}

/** A registered, unfenced broker. */
export function brokerImage(id: number, port: number): BrokerImage {
  return {id, host: '127.0.0.1', port, rack: null, fenced: false, epoch: 1n, inControlledShutdown: false}
}
