/**
 * QuorumController: the active controller (Kafka's QuorumController). It is active only while this
 * node leads the Raft quorum (after onBecomeLeader, i.e. once every earlier batch is replayed). Every
 * write runs on one serial queue: validated against the replayed image, appended through
 * raft.appendAndCommit, and done once the node's MetadataLoader has replayed it, so the next write
 * sees it. It also keeps broker sessions (heartbeats), fences silent brokers, and runs the
 * preferred-leader rebalance timer. Callers: the node's ClusterMetadataManager and the controller
 * API handlers (BrokerRegistration, BrokerHeartbeat, AlterPartition, AllocateProducerIds).
 */
import {ErrorCode, KafkaError} from '../protocol/index.js'
import type {BrokerLogger, ElectionResult, PartitionImage, TopicImage} from '../broker/context.js'
import type {MetadataLoader} from '../broker/metadata/metadata-loader.js'
import {encodeMetadataRecord, MetadataRecordType, type MetadataRecord} from '../broker/metadata/records.js'
import type {LeaderAndEpoch, RaftClientApi, RaftListener} from './raft/types.js'
import * as topics from './topic-operations.js'
import * as repl from './replication-control.js'

/** Producer ids per AllocateProducerIds block (Kafka's ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE). */
export const PRODUCER_ID_BLOCK_SIZE = 1000

/** A BrokerRegistration request as the controller needs it. */
export interface BrokerRegistration { brokerId: number; clusterId: string; incarnationId: string; host: string; port: number; rack: string | null }
/** A BrokerHeartbeat request. */
export interface BrokerHeartbeat { brokerId: number; brokerEpoch: bigint; currentMetadataOffset: bigint; wantFence: boolean; wantShutDown: boolean }
/** The controller's answer to a heartbeat. */
export interface HeartbeatResult { isCaughtUp: boolean; isFenced: boolean; shouldShutDown: boolean }

export interface QuorumControllerOptions {
  nodeId: number; clusterId: string; raft: RaftClientApi; loader: MetadataLoader
  /** Static broker props with defaults (dynamic overrides come from the image). */
  props: Record<string, string>; logger: BrokerLogger
  /** Injectable clock for session expiry. */
  now?: () => number
}

/** Waits at most this long for the node's replay to reach a committed write. */
const REPLAY_WAIT_MS = 5000

/** See the file comment. */
export class QuorumController implements RaftListener {
  private active = false
  private tail: Promise<unknown> = Promise.resolve()
  private readonly lastContact = new Map<number, number>()
  private timers: NodeJS.Timeout[] = []
  private placementStart = 0
  private readonly now: () => number

  constructor(private readonly o: QuorumControllerOptions) {
    this.now = o.now ?? Date.now
    o.loader.addLeaderListener(this)
  }

  /** True while this node is the active controller. */
  isActive(): boolean {
    return this.active
  }

  onCommit(): void {}

  onBecomeLeader(epoch: number): void {
    this.stopTimers()
    this.active = true
    // A new controller knows no heartbeat times: every live broker gets a full session from now.
    const now = this.now()
    for (const b of this.o.loader.image.brokers()) this.lastContact.set(b.id, now)
    const session = this.prop('broker.session.timeout.ms', 9000)
    this.timers.push(setInterval(() => this.checkSessions(), Math.max(50, Math.min(1000, Math.floor(session / 4)))))
    if (this.effectiveProps()['auto.leader.rebalance.enable'] !== 'false') {
      const every = this.prop('leader.imbalance.check.interval.seconds', 300) * 1000
      this.timers.push(setInterval(() => this.rebalance(), Math.max(100, Math.min(every, 0x7fffffff))))
    }
    for (const t of this.timers) t.unref()
    this.o.logger('info', `node ${this.o.nodeId} is the active controller (epoch ${epoch})`)
  }

  onLeaderChange(leader: LeaderAndEpoch): void {
    if (leader.leaderId !== this.o.nodeId && this.active) {
      this.active = false
      this.stopTimers()
      this.o.logger('info', `node ${this.o.nodeId} is no longer the active controller (leader ${leader.leaderId}, epoch ${leader.epoch})`)
    }
  }

  /** Stops the timers; queued writes fail as the raft client shuts down. */
  close(): void {
    this.active = false
    this.stopTimers()
  }

  // ---- topics and configs ----------------------------------------------------------------------

  createTopic(name: string, numPartitions: number, rf: number, configs: Record<string, string>,
    opts: {validateOnly?: boolean; assignments?: number[][]} = {}): Promise<TopicImage> {
    return this.run(() => {
      const {records, topic} = topics.createTopicRecords(this.image, this.placement, name, numPartitions, rf, configs, opts.assignments)
      if (opts.validateOnly) return {records: [], result: () => topic}
      return {records, result: () => this.image.topic(name) ?? topic}
    })
  }

  deleteTopic(name: string): Promise<void> {
    return this.run(() => ({records: topics.deleteTopicRecords(this.image, name), result: () => undefined}))
  }

  createPartitions(name: string, totalCount: number, opts: {validateOnly?: boolean} = {}): Promise<void> {
    return this.run(() => {
      const records = topics.createPartitionsRecords(this.image, this.placement, name, totalCount)
      return {records: opts.validateOnly ? [] : records, result: () => undefined}
    })
  }

  alterTopicConfigs(name: string, changes: Record<string, string | null>, opts: {validateOnly?: boolean; replace?: boolean} = {}): Promise<void> {
    return this.run(() => {
      const records = topics.topicConfigRecords(this.image, name, changes, opts.replace)
      return {records: opts.validateOnly ? [] : records, result: () => undefined}
    })
  }

  /** resourceName: '' (cluster default) or a broker id. */
  alterBrokerConfigs(resourceName: string, changes: Record<string, string | null>, opts: {validateOnly?: boolean; replace?: boolean} = {}): Promise<void> {
    return this.run(() => {
      const records = topics.brokerConfigRecords(this.image, resourceName, changes, opts.replace)
      return {records: opts.validateOnly ? [] : records, result: () => undefined}
    })
  }

  // ---- leadership and ISR ----------------------------------------------------------------------

  /** AlterPartition from a partition leader; `topic` is a name or a topic id. */
  alterPartition(topic: string, partition: number, change: repl.AlterPartitionChange): Promise<PartitionImage> {
    return this.run(() => {
      const t = this.image.topic(topic) ?? this.image.topicById(topic)
      if (!t) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${topic} does not exist.`)
      const record = repl.alterPartitionRecord(this.image, t, partition, change)
      const current = () => this.image.topicById(t.topicId)!.partitions.find((p) => p.partition === partition)!
      return {records: record ? [record] : [], result: current}
    })
  }

  electLeaders(type: 'preferred' | 'unclean', partitions: {topic: string; partition: number}[] | null): Promise<ElectionResult[]> {
    return this.run(() => {
      const {results, records} = repl.electLeadersRecords(this.image, type, partitions)
      return {records, result: () => results}
    })
  }

  /** A block of PRODUCER_ID_BLOCK_SIZE producer ids, never handed out before. */
  allocateProducerIds(brokerId: number, brokerEpoch: bigint): Promise<{start: bigint; length: number}> {
    return this.run(() => {
      const {start, record} = repl.producerIdsRecord(this.image, brokerId, brokerEpoch, BigInt(PRODUCER_ID_BLOCK_SIZE))
      return {records: [record], result: () => ({start, length: PRODUCER_ID_BLOCK_SIZE})}
    })
  }

  // ---- brokers ---------------------------------------------------------------------------------

  /** Registers (or re-registers) a broker, fenced; resolves with its new broker epoch. */
  registerBroker(req: BrokerRegistration): Promise<bigint> {
    return this.run(() => {
      if (req.clusterId !== this.o.clusterId) {
        throw new KafkaError(ErrorCode.INCONSISTENT_CLUSTER_ID, `Cluster id ${req.clusterId} is not this cluster's ${this.o.clusterId}.`)
      }
      const old = this.image.broker(req.brokerId)
      // Above every earlier epoch and at most the registration's own offset: caught up = replayed past it.
      let epoch = this.o.loader.lastOffset + 1n
      if (old && old.epoch >= epoch) epoch = old.epoch + 1n
      const records: MetadataRecord[] = []
      // The old incarnation is gone: it must lead nothing and leave the ISRs like a fenced broker.
      if (old && !old.fenced) records.push(...repl.removeBrokerRecords(this.image, req.brokerId, this.unclean))
      records.push({type: MetadataRecordType.RegisterBroker, data: {
        brokerId: req.brokerId, incarnationId: req.incarnationId, brokerEpoch: epoch,
        endPoints: [{name: 'PLAINTEXT', host: req.host, port: req.port, securityProtocol: 0}],
        features: [], rack: req.rack, fenced: true,
      }})
      this.lastContact.set(req.brokerId, this.now())
      return {records, result: () => epoch}
    })
  }

  /** A broker's heartbeat: keeps its session, unfences it once caught up, runs controlled shutdown. */
  heartbeat(req: BrokerHeartbeat): Promise<HeartbeatResult> {
    return this.run(() => {
      const b = this.image.broker(req.brokerId)
      if (!b) throw new KafkaError(ErrorCode.BROKER_ID_NOT_REGISTERED, `Broker ${req.brokerId} is not registered.`)
      if (b.epoch !== req.brokerEpoch) throw new KafkaError(ErrorCode.STALE_BROKER_EPOCH, `Broker epoch ${req.brokerEpoch} is not the current ${b.epoch}.`)
      this.lastContact.set(b.id, this.now())
      const caughtUp = req.currentMetadataOffset >= b.epoch
      const records: MetadataRecord[] = []
      const ref = {id: b.id, epoch: b.epoch}
      if (req.wantShutDown) {
        if (!b.fenced && !b.inControlledShutdown) {
          records.push({type: MetadataRecordType.BrokerRegistrationChange, data: {brokerId: b.id, brokerEpoch: b.epoch, fenced: 0, inControlledShutdown: 1}})
        }
        // Moves every leadership and ISR seat that can move; the rest stays until the broker is fenced.
        if (!b.fenced) records.push(...repl.removeBrokerRecords(this.image, b.id, this.unclean))
      } else if (req.wantFence) {
        if (!b.fenced) records.push({type: MetadataRecordType.FenceBroker, data: ref}, ...repl.removeBrokerRecords(this.image, b.id, this.unclean))
      } else if (b.fenced && caughtUp) {
        records.push({type: MetadataRecordType.UnfenceBroker, data: ref}, ...repl.offlinePartitionRecords(this.image, b.id, this.unclean))
      }
      return {records, result: () => {
        const now = this.image.broker(b.id)
        return {isCaughtUp: caughtUp, isFenced: now?.fenced ?? true, shouldShutDown: req.wantShutDown}
      }}
    })
  }

  // ---- internals -------------------------------------------------------------------------------

  private get image() {
    return this.o.loader.image
  }

  private readonly placement: topics.PlacementView = {
    usableBrokers: () => this.image.brokers().filter((b) => !b.fenced && !b.inControlledShutdown).map((b) => b.id),
    registeredBrokers: () => this.image.brokers().map((b) => b.id),
    props: () => this.effectiveProps(),
    nextPlacementStart: () => this.placementStart++,
  }

  private readonly unclean = (t: TopicImage): boolean =>
    (t.configs['unclean.leader.election.enable'] ?? this.effectiveProps()['unclean.leader.election.enable']) === 'true'

  private effectiveProps(): Record<string, string> {
    return {...this.o.props, ...this.image.brokerOverridesFor(this.o.nodeId)}
  }

  private prop(name: string, dflt: number): number {
    const n = Number(this.effectiveProps()[name])
    return Number.isFinite(n) && n > 0 ? n : dflt
  }

  /** Runs one operation on the serial queue; NOT_CONTROLLER unless active. */
  private run<T>(op: () => {records: MetadataRecord[]; result: () => T}): Promise<T> {
    const next = this.tail.then(async () => {
      if (!this.active) throw new KafkaError(ErrorCode.NOT_CONTROLLER, `Node ${this.o.nodeId} is not the active controller.`)
      const {records, result} = op()
      if (records.length > 0) {
        const last = await this.o.raft.appendAndCommit(records.map(encodeMetadataRecord))
        if (!(await this.o.loader.waitForOffset(last, REPLAY_WAIT_MS))) {
          throw new KafkaError(ErrorCode.REQUEST_TIMED_OUT, `metadata offset ${last} was committed but not replayed in time`)
        }
      }
      return result()
    })
    this.tail = next.catch(() => {})
    return next
  }

  /** Fences every unfenced broker whose session expired (Kafka's BrokerHeartbeatManager). */
  private checkSessions(): void {
    if (!this.active) return
    const timeout = this.prop('broker.session.timeout.ms', 9000)
    const now = this.now()
    for (const b of this.image.brokers()) {
      if (b.fenced) continue
      const last = this.lastContact.get(b.id) ?? now
      if (!this.lastContact.has(b.id)) this.lastContact.set(b.id, now)
      if (now - last <= timeout) continue
      this.run(() => {
        const cur = this.image.broker(b.id)
        const seen = this.lastContact.get(b.id) ?? 0
        if (!cur || cur.fenced || cur.epoch !== b.epoch || this.now() - seen <= timeout) return {records: [], result: () => false}
        this.o.logger('warn', `fencing broker ${b.id}: no heartbeat for ${this.now() - seen} ms`)
        const records: MetadataRecord[] = [{type: MetadataRecordType.FenceBroker, data: {id: b.id, epoch: b.epoch}},
          ...repl.removeBrokerRecords(this.image, b.id, this.unclean)]
        return {records, result: () => true}
      }).catch((err) => this.o.logger('warn', `fencing broker ${b.id} failed: ${(err as Error).message}`))
    }
  }

  /** auto.leader.rebalance.enable: moves leadership back to preferred replicas that are ready for it. */
  private rebalance(): void {
    if (!this.active) return
    this.run(() => {
      const {records} = repl.electLeadersRecords(this.image, 'preferred', null)
      return {records, result: () => records.length}
    }).then((n) => {
      if (n > 0) this.o.logger('info', `preferred leader rebalance moved ${n} partition(s)`)
    }).catch((err) => this.o.logger('warn', `preferred leader rebalance failed: ${(err as Error).message}`))
  }

  private stopTimers(): void {
    for (const t of this.timers) clearInterval(t)
    this.timers = []
  }
}
