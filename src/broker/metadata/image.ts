/**
 * MetadataImage: the in-memory cluster state built by replaying metadata records in log order
 * (Kafka's MetadataImage/MetadataDelta in one). Pure: applying a record changes only this object
 * and reports what changed, so the controller can tell the replica manager.
 */
import type {TopicImage, PartitionImage, MetadataChange} from '../context.js'
import {MetadataRecordType, CONFIG_RESOURCE_BROKER, CONFIG_RESOURCE_TOPIC, type MetadataRecord} from './records.js'

export type {MetadataChange}

/** Topics Kafka marks internal in Metadata responses. */
const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state'])

/** The replayed state: topics by name and id, topic config overrides, dynamic broker configs. */
export class MetadataImage {
  private byName = new Map<string, TopicImage>()
  private byId = new Map<string, TopicImage>()
  /** Config overrides by topic name; kept apart because ConfigRecords are keyed by name. */
  private topicConfigs = new Map<string, Record<string, string>>()
  readonly brokerOverrides: Record<string, string> = {}
  /** First producer id not yet handed out (from the last ProducerIdsRecord). */
  nextProducerId = 0n

  constructor(private readonly nodeId: number) {}

  topics(): TopicImage[] {
    return [...this.byName.values()]
  }

  topic(name: string): TopicImage | undefined {
    return this.byName.get(name)
  }

  topicById(id: string): TopicImage | undefined {
    return this.byId.get(id)
  }

  /** Applies one record; returns the change, or undefined when it changed nothing (e.g. unknown topic id). */
  apply(rec: MetadataRecord): MetadataChange | undefined {
    switch (rec.type) {
      case MetadataRecordType.Topic: {
        const {name, topicId} = rec.data
        let configs = this.topicConfigs.get(name)
        if (!configs) this.topicConfigs.set(name, (configs = {}))
        const topic: TopicImage = {name, topicId, partitions: [], configs, internal: INTERNAL_TOPICS.has(name)}
        this.byName.set(name, topic)
        this.byId.set(topicId, topic)
        return {kind: 'topic-created', topic}
      }
      case MetadataRecordType.Partition: {
        const p = rec.data
        const topic = this.byId.get(p.topicId)
        if (!topic) return undefined
        const partition: PartitionImage = {
          partition: p.partitionId, leader: p.leader, leaderEpoch: p.leaderEpoch, replicas: p.replicas, isr: p.isr,
          partitionEpoch: p.partitionEpoch,
        }
        const at = topic.partitions.findIndex((x) => x.partition === p.partitionId)
        if (at >= 0) topic.partitions[at] = partition
        else {
          topic.partitions.push(partition)
          topic.partitions.sort((a, b) => a.partition - b.partition)
        }
        return {kind: 'partition-created', topic, partition}
      }
      case MetadataRecordType.Config: {
        const c = rec.data
        if (c.resourceType === CONFIG_RESOURCE_BROKER) {
          // '' is the cluster-wide default; a broker's own id overrides it. Only those two concern us.
          if (c.resourceName !== '' && c.resourceName !== String(this.nodeId)) return undefined
          if (c.value === null) delete this.brokerOverrides[c.name]
          else this.brokerOverrides[c.name] = c.value
          return {kind: 'broker-config'}
        }
        if (c.resourceType !== CONFIG_RESOURCE_TOPIC) return undefined
        let configs = this.topicConfigs.get(c.resourceName)
        if (!configs) this.topicConfigs.set(c.resourceName, (configs = {}))
        if (c.value === null) delete configs[c.name]
        else configs[c.name] = c.value
        const topic = this.byName.get(c.resourceName)
        return topic ? {kind: 'topic-config', topic} : undefined
      }
      case MetadataRecordType.ProducerIds:
        // Blocks only ever move forward; a lower value would hand out ids twice.
        if (rec.data.nextProducerId > this.nextProducerId) this.nextProducerId = rec.data.nextProducerId
        return undefined
      case MetadataRecordType.RemoveTopic: {
        const topic = this.byId.get(rec.data.topicId)
        if (!topic) return undefined
        this.byId.delete(topic.topicId)
        this.byName.delete(topic.name)
        this.topicConfigs.delete(topic.name)
        return {kind: 'topic-removed', topic}
      }
    }
    return undefined
  }
}
