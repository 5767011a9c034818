/**
 * MetadataImage: the in-memory cluster state built by replaying metadata records in log order
 * (Kafka's MetadataImage/MetadataDelta in one). Pure: applying a record changes only this object
 * and reports what changed, so the controller can tell the replica manager.
 */
import type {TopicImage, PartitionImage, MetadataChange, BrokerImage} from '../context.js'
import {MetadataRecordType, CONFIG_RESOURCE_BROKER, CONFIG_RESOURCE_TOPIC, NO_LEADER_CHANGE, type MetadataRecord} from './records.js'

export type {MetadataChange}

/** Topics Kafka marks internal in Metadata responses. */
const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state'])

/** The replayed state: topics by name and id, topic config overrides, dynamic broker configs. */
export class MetadataImage {
  private byName = new Map<string, TopicImage>()
  private byId = new Map<string, TopicImage>()
  /** Config overrides by topic name; kept apart because ConfigRecords are keyed by name. */
  private topicConfigs = new Map<string, Record<string, string>>()
  /** Dynamic broker configs by resource name ('' = cluster default, else a broker id). */
  private readonly brokerConfigs = new Map<string, Record<string, string>>()
  private readonly brokersById = new Map<number, BrokerImage>()
  /** First producer id not yet handed out (from the last ProducerIdsRecord). */
  nextProducerId = 0n

  constructor(private readonly nodeId: number) {}

  /** This node's dynamic broker config: the cluster default overlaid by its own overrides. */
  get brokerOverrides(): Record<string, string> {
    return this.brokerOverridesFor(this.nodeId)
  }

  /** Dynamic broker config of any broker (the controller validates changes against it). */
  brokerOverridesFor(brokerId: number): Record<string, string> {
    return {...this.brokerConfigs.get(''), ...this.brokerConfigs.get(String(brokerId))}
  }

  /** The overrides stored under exactly this resource name. */
  brokerConfigResource(resourceName: string): Record<string, string> {
    return {...this.brokerConfigs.get(resourceName)}
  }

  /** Registered brokers, fenced ones included, by id order. */
  brokers(): BrokerImage[] {
    return [...this.brokersById.values()].sort((a, b) => a.id - b.id)
  }

  broker(id: number): BrokerImage | undefined {
    return this.brokersById.get(id)
  }

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
          let configs = this.brokerConfigs.get(c.resourceName)
          if (!configs) this.brokerConfigs.set(c.resourceName, (configs = {}))
          if (c.value === null) delete configs[c.name]
          else configs[c.name] = c.value
          // '' is the cluster-wide default; a broker's own id overrides it. Only those two concern this node.
          if (c.resourceName !== '' && c.resourceName !== String(this.nodeId)) return undefined
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
      case MetadataRecordType.PartitionChange: {
        const c = rec.data
        const topic = this.byId.get(c.topicId)
        const at = topic ? topic.partitions.findIndex((x) => x.partition === c.partitionId) : -1
        if (!topic || at < 0) return undefined
        const previous = topic.partitions[at]
        const partition: PartitionImage = {...previous, partitionEpoch: previous.partitionEpoch + 1}
        if (c.isr !== null) partition.isr = c.isr
        if (c.replicas !== null) partition.replicas = c.replicas
        if (c.leader !== NO_LEADER_CHANGE) {
          partition.leader = c.leader
          // Kafka bumps the leader epoch on every leader change, also to and from -1 (offline).
          if (c.leader !== previous.leader) partition.leaderEpoch = previous.leaderEpoch + 1
        }
        topic.partitions[at] = partition
        return {kind: 'partition-changed', topic, partition, previous}
      }
      case MetadataRecordType.RegisterBroker: {
        const r = rec.data
        const ep = r.endPoints[0]
        const broker: BrokerImage = {
          id: r.brokerId, host: ep?.host ?? '', port: ep?.port ?? 0, rack: r.rack, fenced: r.fenced,
          epoch: r.brokerEpoch, inControlledShutdown: false,
        }
        this.brokersById.set(r.brokerId, broker)
        return {kind: 'broker-changed', broker}
      }
      case MetadataRecordType.UnregisterBroker: {
        const b = this.brokersById.get(rec.data.brokerId)
        if (!b || b.epoch !== rec.data.brokerEpoch) return undefined
        this.brokersById.delete(b.id)
        return {kind: 'broker-changed', broker: {...b, fenced: true}}
      }
      case MetadataRecordType.FenceBroker:
      case MetadataRecordType.UnfenceBroker: {
        const fenced = rec.type === MetadataRecordType.FenceBroker
        return this.changeBroker(rec.data.id, rec.data.epoch, fenced, fenced ? false : undefined)
      }
      case MetadataRecordType.BrokerRegistrationChange: {
        const r = rec.data
        const fenced = r.fenced === 1 ? true : r.fenced === -1 ? false : undefined
        return this.changeBroker(r.brokerId, r.brokerEpoch, fenced, r.inControlledShutdown === 1 ? true : undefined)
      }
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

  /** Applies a fencing/controlled-shutdown change to a registration of the given epoch. */
  private changeBroker(id: number, epoch: bigint, fenced: boolean | undefined, inControlledShutdown: boolean | undefined): MetadataChange | undefined {
    const b = this.brokersById.get(id)
    // A record for an older registration of this id no longer applies.
    if (!b || b.epoch !== epoch) return undefined
    const broker: BrokerImage = {...b}
    if (fenced !== undefined) broker.fenced = fenced
    if (inControlledShutdown !== undefined) broker.inControlledShutdown = inControlledShutdown
    // Fencing ends a controlled shutdown: the broker is gone.
    if (broker.fenced) broker.inControlledShutdown = false
    this.brokersById.set(id, broker)
    return {kind: 'broker-changed', broker}
  }
}
