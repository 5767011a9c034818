/**
 * GroupStore over the internal topic `__consumer_offsets`: where the coordinator makes offsets and
 * group metadata durable, and what it replays at startup. A group lives in partition
 * abs(javaStringHashCode(groupId)) % partitions, as in Kafka, so all records of a group stay in
 * order. The topic is created on first use (FindCoordinator, JoinGroup, OffsetCommit), like Kafka
 * does, with replication factor min(offsets.topic.replication.factor, registered brokers). Only the
 * leader of a partition appends to it; the store tells the coordinator when this node gains or
 * loses the leadership of a partition (see ownership.ts).
 */
import {ErrorCode, KafkaError} from '../../protocol/index.js'
import {decodeRecordBatches, encodeRecordBatch} from '../../records/index.js'
import type {BrokerContext, CoreBrokerContext} from '../context.js'

export const OFFSETS_TOPIC = '__consumer_offsets'

/** One key/value of the offsets topic; value null = tombstone. */
export interface StoreRecord { key: Buffer; value: Buffer | null }

/** Where the coordinator persists; an in-memory one serves the unit tests. */
export interface GroupStore {
  /** Makes sure the storage exists (creates the topic on first use). */
  ensure(): Promise<void>
  /** Appends one group's records as one batch, synchronously; throws KafkaError when it cannot. */
  append(groupId: string, records: StoreRecord[], timestamp: number): void
  /** Calls `apply` for every stored record (of `partitions` only, when given), in log order within each partition. */
  replay(apply: (key: Buffer, value: Buffer | null) => void, partitions?: number[]): void
  /** The partition holding a group, null while the storage does not exist; absent: the store is not partitioned. */
  partitionOf?(groupId: string): number | null
  /** Partitions this node leads now. */
  ledPartitions?(): number[]
  /** Calls `listener` whenever this node becomes (leader true) or stops being the leader of a partition. */
  onLeadershipChange?(listener: (partition: number, leader: boolean) => void): void
  /**
   * Resolves true once everything appended so far to the group's partition is replicated to its
   * ISR (the high watermark passed it), as Kafka writes offsets with acks=all; false after timeoutMs.
   */
  awaitReplicated?(groupId: string, timeoutMs: number): Promise<boolean>
}

/** Java's String.hashCode over UTF-16 code units (int32 wrap-around). */
export function javaStringHashCode(s: string): number {
  let h = 0
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0
  return h
}

/** The offsets topic partition of a group: Kafka's Utils.abs(hash) % partitions (abs(MIN_VALUE) = 0). */
export function partitionForGroup(groupId: string, partitions: number): number {
  const h = javaStringHashCode(groupId)
  return (h === -2147483648 ? 0 : Math.abs(h)) % partitions
}

/** The GroupStore of a broker; see the file comment. */
export class OffsetsTopicStore implements GroupStore {
  private creating: Promise<void> | null = null

  constructor(private readonly broker: BrokerContext) {}

  private configuredPartitions(): number {
    const n = Number(this.broker.props['offsets.topic.num.partitions'] ?? 50)
    return Number.isInteger(n) && n > 0 ? n : 50
  }

  /** Partitions of the existing topic (it wins over the config), else the configured count. */
  partitionCount(): number {
    return this.broker.metadata.topic(OFFSETS_TOPIC)?.partitions.length || this.configuredPartitions()
  }

  ensure(): Promise<void> {
    if (this.broker.metadata.topic(OFFSETS_TOPIC)) return Promise.resolve()
    this.creating ??= this.create().finally(() => (this.creating = null))
    return this.creating
  }

  partitionOf(groupId: string): number | null {
    const topic = this.broker.metadata.topic(OFFSETS_TOPIC)
    return topic ? partitionForGroup(groupId, topic.partitions.length) : null
  }

  ledPartitions(): number[] {
    const topic = this.broker.metadata.topic(OFFSETS_TOPIC)
    return (topic?.partitions ?? []).filter((p) => p.leader === this.broker.nodeId).map((p) => p.partition)
  }

  onLeadershipChange(listener: (partition: number, leader: boolean) => void): void {
    this.broker.metadata.onChange((change) => {
      if (change.kind === 'topic-removed' && change.topic.name === OFFSETS_TOPIC) {
        for (const p of change.topic.partitions) listener(p.partition, false)
        return
      }
      if ((change.kind !== 'partition-created' && change.kind !== 'partition-changed') || change.topic.name !== OFFSETS_TOPIC) return
      const was = change.kind === 'partition-changed' && change.previous.leader === this.broker.nodeId
      const is = change.partition.leader === this.broker.nodeId
      if (was !== is) listener(change.partition.partition, is)
    })
  }

  awaitReplicated(groupId: string, timeoutMs: number): Promise<boolean> {
    const p = this.partitionOf(groupId)
    const core = this.broker as CoreBrokerContext
    const partition = p === null ? undefined : core.replicaManager.partition?.(OFFSETS_TOPIC, p)
    if (!partition || !core.purgatory) return Promise.resolve(true)
    const log = partition.log
    const target = log.logEndOffset
    if (log.highWatermark >= target) return Promise.resolve(true)
    const replicated = () => partition.isLeader && log.highWatermark >= target
    // Parked like an acks=all produce: woken by the partition's 'hw' events, answered at the timeout.
    return core.purgatory.park([partition], timeoutMs, () => replicated() || !partition.isLeader, replicated, 'hw')
  }

  /** offsets.topic.replication.factor, capped by the registered brokers (a young cluster still creates it). */
  private replicationFactor(): number {
    const wanted = Number(this.broker.props['offsets.topic.replication.factor'] ?? 3)
    const brokers = this.broker.metadata.brokers().length
    return Math.max(1, Math.min(Number.isInteger(wanted) && wanted > 0 ? wanted : 3, brokers))
  }

  private async create(): Promise<void> {
    const configs = {
      // Kafka's offsets topic settings: compacted, the producer's (our) codec, 100 MiB segments.
      'cleanup.policy': 'compact',
      'compression.type': 'producer',
      'segment.bytes': this.broker.props['offsets.topic.segment.bytes'] ?? '104857600',
    }
    try {
      const rf = this.replicationFactor()
      await this.broker.metadata.createTopic(OFFSETS_TOPIC, this.configuredPartitions(), rf, configs)
      this.broker.logger('info', `created ${OFFSETS_TOPIC} with ${this.configuredPartitions()} partitions, replication factor ${rf}`)
    } catch (err) {
      if (err instanceof KafkaError && err.code === ErrorCode.TOPIC_ALREADY_EXISTS) return
      this.broker.logger('error', `cannot create ${OFFSETS_TOPIC}: ${(err as Error).message}`)
      throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${OFFSETS_TOPIC} cannot be created`)
    }
  }

  append(groupId: string, records: StoreRecord[], timestamp: number): void {
    if (records.length === 0) return
    const topic = this.broker.metadata.topic(OFFSETS_TOPIC)
    const partition = partitionForGroup(groupId, this.partitionCount())
    const image = topic?.partitions[partition]
    // A follower's replica is written only by replication; appending here would fork the log.
    if (image && image.leader !== this.broker.nodeId) throw new KafkaError(ErrorCode.NOT_COORDINATOR, `this node does not lead ${OFFSETS_TOPIC}-${partition}`)
    const log = topic && this.broker.replicaManager.getLog(OFFSETS_TOPIC, partition)
    if (!log) throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${OFFSETS_TOPIC}-${partition} is not available`)
    const batch = encodeRecordBatch({records: records.map((r) => ({key: r.key, value: r.value, timestamp}))})
    try {
      log.append(batch, {leaderEpoch: topic.partitions[partition]?.leaderEpoch ?? 0})
    } catch (err) {
      this.broker.logger('error', `append to ${OFFSETS_TOPIC}-${partition} failed: ${(err as Error).message}`)
      throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'the group metadata could not be stored')
    }
  }

  replay(apply: (key: Buffer, value: Buffer | null) => void, partitions?: number[]): void {
    const topic = this.broker.metadata.topic(OFFSETS_TOPIC)
    if (!topic) return
    for (const p of topic.partitions) {
      if (partitions && !partitions.includes(p.partition)) continue
      const log = this.broker.replicaManager.getLog(OFFSETS_TOPIC, p.partition)
      if (!log) continue
      let offset = log.logStartOffset
      const end = log.logEndOffset
      // Bounded: every pass advances past at least one batch.
      while (offset < end) {
        const read = log.read(offset, 4 << 20, true, end)
        if (read.errorCode !== 0 || read.size === 0) break
        const before = offset
        for (const chunk of read.records) {
          for (const batch of decodeRecordBatches(chunk)) {
            const next = batch.baseOffset + BigInt(batch.lastOffsetDelta) + 1n
            if (!batch.isControl) {
              for (const r of batch.records) if (r.offset >= offset && r.key !== null) apply(r.key, r.value)
            }
            if (next > offset) offset = next
          }
        }
        if (offset === before) break
      }
    }
  }
}
