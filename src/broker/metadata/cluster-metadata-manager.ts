/**
 * ClusterMetadataManager: the MetadataManager of a node in a (possibly one-node) KRaft cluster.
 * Reads answer from the node's replayed MetadataImage; writes run on the local QuorumController when
 * this node is the active controller, else go to the active controller over the Kafka protocol
 * (admin requests wrapped in an Envelope, AlterPartition, ElectLeaders, AllocateProducerIds) and
 * return once this node has replayed their effect. Handlers and the replica manager only see this.
 */
import {ErrorCode, KafkaError, encodeRequest, decodeResponse, supportedVersions} from '../../protocol/index.js'
import type {BrokerImage, BrokerLogger, ElectionResult, MetadataManager, PartitionImage, TopicImage} from '../context.js'
import type {QuorumController} from '../../controller/quorum-controller.js'
import type {RaftClientApi} from '../../controller/raft/types.js'
import {callController, FORWARD_CLIENT_PREFIX, type ControllerTransport} from '../../controller/controller-transport.js'
import type {MetadataLoader} from './metadata-loader.js'

export interface ClusterMetadataOptions {
  nodeId: number; loader: MetadataLoader; controller: QuorumController; raft: RaftClientApi
  transport: ControllerTransport; props: Record<string, string>; logger: BrokerLogger
  /** This broker's current registration epoch (-1 before registration). */
  brokerEpoch: () => bigint
  /** How long a write keeps trying to reach a controller (default 15 s). */
  writeTimeoutMs?: number
}

/** Waits at most this long for a forwarded write to show in the local image. */
const REPLAY_WAIT_MS = 5000
const ENVELOPE = 58
/** Refill the local producer id block when fewer ids than this remain. */
const PRODUCER_ID_LOW_WATER = 100n

/** See the file comment. */
export class ClusterMetadataManager implements MetadataManager {
  private nextPid = 0n
  private pidEnd = 0n
  private refill: Promise<void> | null = null
  private closed = false

  constructor(private readonly o: ClusterMetadataOptions) {}

  private get image() {
    return this.o.loader.image
  }

  topics(): TopicImage[] { return this.image.topics() }
  topic(name: string): TopicImage | undefined { return this.image.topic(name) }
  topicById(id: string): TopicImage | undefined { return this.image.topicById(id) }
  brokers(): BrokerImage[] { return this.image.brokers() }
  brokerConfigOverrides(): Record<string, string> { return this.image.brokerOverrides }
  onChange(listener: (change: import('../context.js').MetadataChange) => void): void { this.o.loader.onChange(listener) }

  controllerId(): number {
    return this.o.raft.leaderAndEpoch().leaderId
  }

  /** Offset of the last replayed metadata record (heartbeats report it). */
  metadataOffset(): bigint {
    return this.o.loader.lastOffset
  }

  /** Effective broker config: the static config overlaid by dynamic overrides (replica manager, config-defs). */
  effectiveBrokerProps(): Record<string, string> {
    return {...this.o.props, ...this.image.brokerOverrides}
  }

  /** The local controller when it is the active one (controller API handlers), else undefined. */
  activeController(): QuorumController | undefined {
    return this.o.controller.isActive() ? this.o.controller : undefined
  }

  /** Stops retries in flight. */
  close(): void {
    this.closed = true
  }

  async createTopic(name: string, numPartitions: number, replicationFactor: number, configs: Record<string, string>,
    opts: {validateOnly?: boolean; assignments?: number[][]} = {}): Promise<TopicImage> {
    return this.write((c) => c.createTopic(name, numPartitions, replicationFactor, configs, opts), async (id, ms) => {
      const resp = await this.envelope(id, 19, {
        topics: [{name, numPartitions, replicationFactor, configs: Object.entries(configs).map(([k, v]) => ({name: k, value: v})),
          assignments: (opts.assignments ?? []).map((brokerIds, partitionIndex) => ({partitionIndex, brokerIds}))}],
        timeoutMs: ms, validateOnly: !!opts.validateOnly,
      }, ms)
      const t = resp.topics[0]
      check(t)
      if (opts.validateOnly) {
        return {name, topicId: t.topicId, internal: false, configs: {...configs}, partitions: Array.from({length: t.numPartitions}, (_, partition) =>
          ({partition, leader: -1, leaderEpoch: 0, replicas: [], isr: [], partitionEpoch: 0}))}
      }
      await this.o.loader.waitFor(() => this.image.topicById(t.topicId) !== undefined, REPLAY_WAIT_MS)
      return this.image.topic(name) ?? await Promise.reject(new KafkaError(ErrorCode.REQUEST_TIMED_OUT, `topic ${name} created but not replayed yet`))
    })
  }

  async deleteTopic(name: string): Promise<void> {
    const id = this.image.topic(name)?.topicId
    return this.write((c) => c.deleteTopic(name), async (cid, ms) => {
      const resp = await this.envelope(cid, 20, {topics: [{name, topicId: '00000000-0000-0000-0000-000000000000'}], timeoutMs: ms}, ms)
      check(resp.responses[0])
      await this.o.loader.waitFor(() => !id || this.image.topicById(id) === undefined, REPLAY_WAIT_MS)
    })
  }

  async createPartitions(name: string, totalCount: number, opts: {validateOnly?: boolean} = {}): Promise<void> {
    return this.write((c) => c.createPartitions(name, totalCount, opts), async (id, ms) => {
      const resp = await this.envelope(id, 37, {topics: [{name, count: totalCount, assignments: null}], timeoutMs: ms, validateOnly: !!opts.validateOnly}, ms)
      check(resp.results[0])
      if (!opts.validateOnly) await this.o.loader.waitFor(() => (this.image.topic(name)?.partitions.length ?? 0) >= totalCount, REPLAY_WAIT_MS)
    })
  }

  async alterTopicConfigs(name: string, changes: Record<string, string | null>, opts: {validateOnly?: boolean; replace?: boolean} = {}): Promise<void> {
    return this.write((c) => c.alterTopicConfigs(name, changes, opts),
      (id, ms) => this.forwardConfigs(id, ms, 2, name, changes, opts, () => this.image.topic(name)?.configs ?? {}))
  }

  async alterBrokerConfigs(changes: Record<string, string | null>, opts: {validateOnly?: boolean; replace?: boolean} = {}): Promise<void> {
    const resource = String(this.o.nodeId)
    return this.write((c) => c.alterBrokerConfigs(resource, changes, opts),
      (id, ms) => this.forwardConfigs(id, ms, 4, resource, changes, opts, () => this.image.brokerConfigResource(resource)))
  }

  /** IncrementalAlterConfigs (or AlterConfigs for `replace`), then waits until the values show locally. */
  private async forwardConfigs(id: number, ms: number, resourceType: number, resourceName: string, changes: Record<string, string | null>,
    opts: {validateOnly?: boolean; replace?: boolean}, current: () => Record<string, string>): Promise<void> {
    const resp = opts.replace
      ? await this.envelope(id, 33, {resources: [{resourceType, resourceName, configs: Object.entries(changes).filter(([, v]) => v !== null)
        .map(([name, value]) => ({name, value}))}], validateOnly: !!opts.validateOnly}, ms)
      : await this.envelope(id, 44, {resources: [{resourceType, resourceName, configs: Object.entries(changes)
        .map(([name, value]) => ({name, configOperation: value === null ? 1 : 0, value}))}], validateOnly: !!opts.validateOnly}, ms)
    check(resp.responses[0])
    if (opts.validateOnly) return
    await this.o.loader.waitFor(() => Object.entries(changes).every(([k, v]) => (current()[k] ?? null) === v), REPLAY_WAIT_MS)
  }

  async alterPartition(topic: string, partition: number, change: {leaderId: number; leaderEpoch: number; partitionEpoch: number; newIsr: number[]}): Promise<PartitionImage> {
    const t = this.image.topic(topic)
    if (!t) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${topic}' does not exist.`)
    return this.write((c) => c.alterPartition(topic, partition, change), async (id, ms) => {
      const resp = await this.o.transport.send(id, 56, {brokerId: this.o.nodeId, brokerEpoch: this.o.brokerEpoch(), topics: [{topicId: t.topicId,
        partitions: [{partitionIndex: partition, leaderEpoch: change.leaderEpoch, newIsr: change.newIsr, partitionEpoch: change.partitionEpoch}]}]}, ms)
      check(resp)
      const p = resp.topics[0].partitions[0]
      check(p)
      await this.o.loader.waitFor(() => (this.partition(t.topicId, partition)?.partitionEpoch ?? -1) >= p.partitionEpoch, REPLAY_WAIT_MS)
      return this.partition(t.topicId, partition) ?? {partition, leader: p.leaderId, leaderEpoch: p.leaderEpoch, replicas: [], isr: p.isr, partitionEpoch: p.partitionEpoch}
    })
  }

  async electLeaders(type: 'preferred' | 'unclean', partitions: {topic: string; partition: number}[] | null): Promise<ElectionResult[]> {
    return this.write((c) => c.electLeaders(type, partitions), async (id, ms) => {
      const before = new Map<string, number>()
      for (const t of this.image.topics()) for (const p of t.partitions) before.set(`${t.name}/${p.partition}`, p.leader)
      const topicPartitions = partitions === null ? null : [...groupBy(partitions)].map(([topic, ps]) => ({topic, partitions: ps}))
      const resp = await this.o.transport.send(id, 43, {electionType: type === 'preferred' ? 0 : 1, topicPartitions, timeoutMs: ms}, ms)
      check(resp)
      const results: ElectionResult[] = []
      for (const t of resp.replicaElectionResults) {
        for (const p of t.partitionResult) {
          results.push({topic: t.topic, partition: p.partitionId, errorCode: p.errorCode, errorMessage: p.errorMessage,
            leaderBefore: before.get(`${t.topic}/${p.partitionId}`) ?? -1, leaderAfter: -1})
        }
      }
      // The response carries no leaders: wait until the elected ones show here, then read them.
      const elected = results.filter((r) => r.errorCode === ErrorCode.NONE)
      await this.o.loader.waitFor(() => elected.every((r) => this.leaderOf(r.topic, r.partition) !== r.leaderBefore), REPLAY_WAIT_MS)
      for (const r of results) r.leaderAfter = this.leaderOf(r.topic, r.partition)
      return results
    })
  }

  /** Synchronous form of the contract: an id from the local block; fails (retriably) while a block is being fetched. */
  generateProducerId(): bigint {
    if (this.pidEnd - this.nextPid < PRODUCER_ID_LOW_WATER) this.startRefill()
    if (this.nextPid >= this.pidEnd) throw new KafkaError(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, 'fetching a block of producer ids from the controller')
    return this.nextPid++
  }

  /** A producer id never handed out before, fetching a new block from the controller when needed. */
  async allocateProducerId(): Promise<bigint> {
    for (let i = 0; i < 3 && this.nextPid >= this.pidEnd; i++) {
      this.startRefill()
      await this.refill
    }
    return this.generateProducerId()
  }

  private startRefill(): void {
    this.refill ??= this.write((c) => c.allocateProducerIds(this.o.nodeId, this.o.brokerEpoch()), async (id, ms) => {
      const resp = await this.o.transport.send(id, 67, {brokerId: this.o.nodeId, brokerEpoch: this.o.brokerEpoch()}, ms)
      check(resp)
      return {start: resp.producerIdStart as bigint, length: resp.producerIdLen as number}
    }).then(({start, length}) => {
      // A fresh block replaces what is left of the old one only when the old one is used up.
      if (this.nextPid >= this.pidEnd) {
        this.nextPid = start
        this.pidEnd = start + BigInt(length)
      }
    }).catch((err) => this.o.logger('warn', `could not allocate producer ids: ${(err as Error).message}`))
      .finally(() => { this.refill = null })
  }

  /** A view for requests forwarded to this node: writes run on the local controller only (NOT_CONTROLLER otherwise). */
  controllerView(originNodeId: number): MetadataManager {
    const c = this.o.controller
    const view: MetadataManager = Object.create(this)
    return Object.assign(view, {
      createTopic: (n: string, p: number, r: number, cfg: Record<string, string>, opts?: {validateOnly?: boolean; assignments?: number[][]}) => c.createTopic(n, p, r, cfg, opts),
      deleteTopic: (n: string) => c.deleteTopic(n),
      createPartitions: (n: string, total: number, opts?: {validateOnly?: boolean}) => c.createPartitions(n, total, opts),
      alterTopicConfigs: (n: string, ch: Record<string, string | null>, opts?: {validateOnly?: boolean; replace?: boolean}) => c.alterTopicConfigs(n, ch, opts),
      alterBrokerConfigs: (ch: Record<string, string | null>, opts?: {validateOnly?: boolean; replace?: boolean}) => c.alterBrokerConfigs(String(originNodeId), ch, opts),
      brokerConfigOverrides: () => this.image.brokerOverridesFor(originNodeId),
    })
  }

  /** Runs a write locally when this node is the active controller, else at the active controller. */
  private write<T>(local: (c: QuorumController) => Promise<T>, remote: (controllerId: number, remainingMs: number) => Promise<T>): Promise<T> {
    return callController(() => this.controllerId(), (id, ms) => id === this.o.nodeId ? local(this.o.controller) : remote(id, Math.min(ms, 10000)),
      this.o.writeTimeoutMs ?? 15000, () => this.closed)
  }

  /** Sends a whole admin request to the controller in an Envelope; resolves with the inner response body. */
  private async envelope(controllerId: number, apiKey: number, body: object, timeoutMs: number): Promise<any> {
    const apiVersion = supportedVersions(apiKey)!.max
    const requestData = encodeRequest({apiKey, apiVersion, correlationId: 1, clientId: `${FORWARD_CLIENT_PREFIX}${this.o.nodeId}`}, body).subarray(4)
    const resp = await this.o.transport.send(controllerId, ENVELOPE, {requestData, requestPrincipal: null, clientHostAddress: Buffer.from([127, 0, 0, 1])}, timeoutMs)
    check(resp)
    if (!resp.responseData) throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'empty envelope response')
    return decodeResponse(apiKey, apiVersion, resp.responseData).body
  }

  private partition(topicId: string, partition: number): PartitionImage | undefined {
    return this.image.topicById(topicId)?.partitions.find((p) => p.partition === partition)
  }

  private leaderOf(topic: string, partition: number): number {
    return this.image.topic(topic)?.partitions.find((p) => p.partition === partition)?.leader ?? -1
  }
}

/** Throws the entity's error as a KafkaError. */
function check(entity: {errorCode?: number; errorMessage?: string | null} | undefined): void {
  if (!entity) throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'controller response is missing an entry')
  if (entity.errorCode) throw new KafkaError(entity.errorCode, entity.errorMessage ?? `error ${entity.errorCode}`)
}

function groupBy(partitions: {topic: string; partition: number}[]): Map<string, number[]> {
  const out = new Map<string, number[]>()
  for (const {topic, partition} of partitions) {
    const list = out.get(topic) ?? []
    list.push(partition)
    out.set(topic, list)
  }
  return out
}
