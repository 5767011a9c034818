// One in-memory cluster image shared by several in-process brokers (replication tests). Each broker
// gets its own view (so a stopped broker's listeners can be detached); the test drives the image:
// registers brokers, creates topics, moves leaders, fences brokers. alterPartition validates epochs
// like the controller and applies the change asynchronously (as a commit would).
import {randomUUID} from 'node:crypto'
import {ErrorCode, KafkaError} from '../../src/protocol/index.js'
import type {BrokerImage, ElectionResult, MetadataChange, MetadataManager, PartitionImage, TopicImage} from '../../src/broker/context.js'

/** The shared image plus the knobs a test turns. */
export class FakeCluster {
  private topicsByName = new Map<string, TopicImage>()
  private brokerMap = new Map<number, BrokerImage>()
  private views = new Set<FakeMetadataView>()
  private overrides: Record<string, string> = {}
  private nextProducerId = 1000n
  /** Every AlterPartition request seen (the test inspects them). */
  readonly alterRequests: {topic: string; partition: number; newIsr: number[]; ok: boolean}[] = []
  /** When set, AlterPartition fails with this error (to test retries). */
  failAlterPartition: number | null = null

  /** A MetadataManager for one broker. */
  view(): FakeMetadataView {
    const v = new FakeMetadataView(this)
    this.views.add(v)
    return v
  }

  /** Stops delivering changes to `v` (its broker stopped). */
  detach(v: FakeMetadataView): void {
    this.views.delete(v)
  }

  emit(change: MetadataChange): void {
    for (const v of [...this.views]) v.deliver(change)
  }

  topics(): TopicImage[] {
    return [...this.topicsByName.values()]
  }

  topic(name: string): TopicImage | undefined {
    return this.topicsByName.get(name)
  }

  brokers(): BrokerImage[] {
    return [...this.brokerMap.values()]
  }

  brokerOverrides(): Record<string, string> {
    return this.overrides
  }

  producerId(): bigint {
    return this.nextProducerId++
  }

  /** Registers (or re-registers at a new port) an unfenced broker. */
  registerBroker(id: number, port: number, host = '127.0.0.1'): void {
    const prev = this.brokerMap.get(id)
    const broker: BrokerImage = {id, host, port, rack: null, fenced: false, epoch: (prev?.epoch ?? 0n) + 1n, inControlledShutdown: false}
    this.brokerMap.set(id, broker)
    this.emit({kind: 'broker-changed', broker})
  }

  /** Creates a topic with explicit assignments (replicas[0] leads), epochs 0. */
  createTopic(name: string, assignments: number[][], configs: Record<string, string> = {}): TopicImage {
    if (this.topicsByName.has(name)) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`)
    const topic: TopicImage = {name, topicId: randomUUID(), configs: {...configs}, internal: name.startsWith('__'), partitions: []}
    this.topicsByName.set(name, topic)
    this.emit({kind: 'topic-created', topic})
    assignments.forEach((replicas, partition) => {
      const p: PartitionImage = {partition, leader: replicas[0], leaderEpoch: 0, replicas: [...replicas], isr: [...replicas], partitionEpoch: 0}
      topic.partitions.push(p)
      this.emit({kind: 'partition-created', topic, partition: p})
    })
    return topic
  }

  /** Applies a partition change (bumping partitionEpoch, and leaderEpoch when the leader changes). */
  changePartition(topicName: string, partition: number, change: {leader?: number; isr?: number[]}): PartitionImage {
    const topic = this.topicsByName.get(topicName)
    const previous = topic?.partitions[partition]
    if (!topic || !previous) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${topicName}-${partition}`)
    const leader = change.leader ?? previous.leader
    const next: PartitionImage = {
      ...previous, leader, isr: [...(change.isr ?? previous.isr)], partitionEpoch: previous.partitionEpoch + 1,
      leaderEpoch: leader !== previous.leader ? previous.leaderEpoch + 1 : previous.leaderEpoch,
    }
    topic.partitions[partition] = next
    this.emit({kind: 'partition-changed', topic, partition: next, previous})
    return next
  }

  /** Fences a broker: it leaves every ISR and its partitions move to the first live ISR replica (or go offline). */
  fenceBroker(id: number): void {
    const b = this.brokerMap.get(id)
    if (b) {
      const fenced = {...b, fenced: true}
      this.brokerMap.set(id, fenced)
      this.emit({kind: 'broker-changed', broker: fenced})
    }
    for (const topic of this.topicsByName.values()) {
      for (const p of [...topic.partitions]) {
        if (!p.isr.includes(id) && p.leader !== id) continue
        const isr = p.isr.filter((r) => r !== id)
        const leader = p.leader === id ? (p.replicas.find((r) => isr.includes(r)) ?? -1) : p.leader
        this.changePartition(topic.name, p.partition, {leader, isr: isr.length > 0 ? isr : p.isr})
      }
    }
  }

  /** AlterPartition with the controller's checks; applied after a turn of the event loop. */
  async alterPartition(topicName: string, partition: number, change: {leaderId: number; leaderEpoch: number; partitionEpoch: number; newIsr: number[]}): Promise<PartitionImage> {
    await new Promise((r) => setImmediate(r))
    const p = this.topicsByName.get(topicName)?.partitions[partition]
    const fail = (code: number, msg: string): never => {
      this.alterRequests.push({topic: topicName, partition, newIsr: change.newIsr, ok: false})
      throw new KafkaError(code, msg)
    }
    if (!p) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${topicName}-${partition}`)
    if (this.failAlterPartition !== null) return fail(this.failAlterPartition, 'injected failure')
    if (change.leaderId !== p.leader || change.leaderEpoch !== p.leaderEpoch) return fail(ErrorCode.FENCED_LEADER_EPOCH, 'stale leader epoch')
    if (change.partitionEpoch !== p.partitionEpoch) return fail(ErrorCode.INVALID_UPDATE_VERSION, 'stale partition epoch')
    if (change.newIsr.some((r) => !p.replicas.includes(r) || this.brokerMap.get(r)?.fenced)) return fail(ErrorCode.INELIGIBLE_REPLICA, 'ineligible replica')
    this.alterRequests.push({topic: topicName, partition, newIsr: change.newIsr, ok: true})
    return this.changePartition(topicName, partition, {isr: change.newIsr})
  }
}

/** One broker's MetadataManager over the shared FakeCluster. */
export class FakeMetadataView implements MetadataManager {
  private listeners: ((c: MetadataChange) => void)[] = []

  constructor(private readonly cluster: FakeCluster) {}

  deliver(change: MetadataChange): void {
    for (const l of this.listeners) l(change)
  }

  topics(): TopicImage[] { return this.cluster.topics() }
  topic(name: string): TopicImage | undefined { return this.cluster.topic(name) }
  topicById(id: string): TopicImage | undefined { return this.cluster.topics().find((t) => t.topicId === id) }
  async createTopic(name: string, numPartitions: number, replicationFactor: number, configs: Record<string, string>): Promise<TopicImage> {
    const ids = this.cluster.brokers().filter((b) => !b.fenced).map((b) => b.id).sort((a, b) => a - b)
    const rf = replicationFactor < 1 ? 1 : replicationFactor
    const n = numPartitions < 1 ? 1 : numPartitions
    if (rf > ids.length) throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, `replication factor ${rf} > ${ids.length} brokers`)
    const assignments = Array.from({length: n}, (_, p) => Array.from({length: rf}, (_, r) => ids[(p + r) % ids.length]))
    return this.cluster.createTopic(name, assignments, configs)
  }
  async deleteTopic(): Promise<void> { throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'not supported by the fake') }
  async createPartitions(): Promise<void> { throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'not supported by the fake') }
  async alterTopicConfigs(name: string, changes: Record<string, string | null>): Promise<void> {
    const t = this.cluster.topic(name)
    if (!t) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name)
    for (const [k, v] of Object.entries(changes)) if (v === null) delete t.configs[k]; else t.configs[k] = v
    this.cluster.emit({kind: 'topic-config', topic: t})
  }
  brokerConfigOverrides(): Record<string, string> { return this.cluster.brokerOverrides() }
  async alterBrokerConfigs(changes: Record<string, string | null>): Promise<void> {
    const o = this.cluster.brokerOverrides()
    for (const [k, v] of Object.entries(changes)) if (v === null) delete o[k]; else o[k] = v
    this.cluster.emit({kind: 'broker-config'})
  }
  generateProducerId(): bigint { return this.cluster.producerId() }
  onChange(listener: (change: MetadataChange) => void): void { this.listeners.push(listener) }
  brokers(): BrokerImage[] { return this.cluster.brokers() }
  controllerId(): number { return 0 }
  alterPartition(topic: string, partition: number, change: {leaderId: number; leaderEpoch: number; partitionEpoch: number; newIsr: number[]}): Promise<PartitionImage> {
    return this.cluster.alterPartition(topic, partition, change)
  }
  async electLeaders(): Promise<ElectionResult[]> { return [] }
}
