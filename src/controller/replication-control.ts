/**
 * The records of the QuorumController's leadership and ISR operations (Kafka's ReplicationControlManager):
 * fencing a broker, controlled shutdown, unfencing, AlterPartition and ElectLeaders. Pure functions
 * over the image; the controller commits what they return.
 */
import {ErrorCode, KafkaError} from '../protocol/index.js'
import type {ElectionResult, PartitionImage, TopicImage} from '../broker/context.js'
import type {MetadataImage} from '../broker/metadata/image.js'
import {MetadataRecordType, type MetadataRecord} from '../broker/metadata/records.js'
import {electLeader, partitionChangeRecord, removeBrokerChange, sameMembers} from './partition-change.js'

/** Whether unclean election is allowed for a topic (topic override, else the broker setting). */
export type UncleanPolicy = (topic: TopicImage) => boolean

/** Brokers that may lead or join ISRs: registered, unfenced, not shutting down; `except` excluded. */
export function usableFn(image: MetadataImage, except?: number): (id: number) => boolean {
  return (id) => {
    if (id === except) return false
    const b = image.broker(id)
    return b !== undefined && !b.fenced && !b.inControlledShutdown
  }
}

/** Partition changes that take broker `id` out of every ISR and leadership (fencing, controlled shutdown). */
export function removeBrokerRecords(image: MetadataImage, id: number, unclean: UncleanPolicy): MetadataRecord[] {
  const usable = usableFn(image, id)
  const records: MetadataRecord[] = []
  for (const t of image.topics()) {
    for (const p of t.partitions) {
      if (!p.replicas.includes(id)) continue
      const next = removeBrokerChange(p, id, usable, unclean(t))
      if (next) records.push(partitionChangeRecord(t.topicId, p, next))
    }
  }
  return records
}

/** After `id` is unfenced: it leads offline partitions whose ISR holds it (unclean ones: any replica). */
export function offlinePartitionRecords(image: MetadataImage, id: number, unclean: UncleanPolicy): MetadataRecord[] {
  const base = usableFn(image)
  const usable = (r: number) => r === id || base(r)
  const records: MetadataRecord[] = []
  for (const t of image.topics()) {
    for (const p of t.partitions) {
      if (p.leader !== -1 || !p.replicas.includes(id)) continue
      const next = electLeader(p, p.isr, usable, unclean(t))
      if (next.leader !== -1) records.push(partitionChangeRecord(t.topicId, p, next))
    }
  }
  return records
}

/** Number of partitions broker `id` leads. */
export function leaderCount(image: MetadataImage, id: number): number {
  let n = 0
  for (const t of image.topics()) for (const p of t.partitions) if (p.leader === id) n++
  return n
}

/** The AlterPartition request of a partition leader, validated as Kafka does. */
export interface AlterPartitionChange { leaderId: number; leaderEpoch: number; partitionEpoch: number; newIsr: number[] }

/** Validates an ISR change; returns the record, or null when the ISR is already that. */
export function alterPartitionRecord(image: MetadataImage, topic: TopicImage, partition: number, change: AlterPartitionChange): MetadataRecord | null {
  const p = topic.partitions.find((x) => x.partition === partition)
  if (!p) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Partition ${topic.name}-${partition} does not exist.`)
  if (change.leaderId !== p.leader) {
    throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `Broker ${change.leaderId} is not the leader of ${topic.name}-${partition} (leader ${p.leader}).`)
  }
  if (change.leaderEpoch !== p.leaderEpoch) {
    throw new KafkaError(ErrorCode.FENCED_LEADER_EPOCH, `Leader epoch ${change.leaderEpoch} of ${topic.name}-${partition} is not the current ${p.leaderEpoch}.`)
  }
  if (change.partitionEpoch !== p.partitionEpoch) {
    throw new KafkaError(ErrorCode.INVALID_UPDATE_VERSION, `Partition epoch ${change.partitionEpoch} of ${topic.name}-${partition} is not the current ${p.partitionEpoch}.`)
  }
  if (!change.newIsr.includes(p.leader)) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, `The new ISR of ${topic.name}-${partition} must contain the leader ${p.leader}.`)
  }
  const usable = usableFn(image)
  for (const r of change.newIsr) {
    // Replicas already in the ISR may stay while fencing catches up with them; new members must be live.
    if (!p.replicas.includes(r) || (!p.isr.includes(r) && !usable(r))) {
      throw new KafkaError(ErrorCode.INELIGIBLE_REPLICA, `Broker ${r} is not an eligible ISR member of ${topic.name}-${partition}.`)
    }
  }
  if (sameMembers(change.newIsr, p.isr)) return null
  return partitionChangeRecord(topic.topicId, p, {leader: p.leader, isr: [...new Set(change.newIsr)]})
}

/** ElectLeaders: per-partition results and the records of the elections that happen. */
export function electLeadersRecords(image: MetadataImage, type: 'preferred' | 'unclean',
  partitions: {topic: string; partition: number}[] | null): {results: ElectionResult[]; records: MetadataRecord[]} {
  const wanted = partitions ?? image.topics().flatMap((t) => t.partitions.map((p) => ({topic: t.name, partition: p.partition})))
  const usable = usableFn(image)
  const results: ElectionResult[] = []
  const records: MetadataRecord[] = []
  for (const {topic, partition} of wanted) {
    const t = image.topic(topic)
    const p = t?.partitions.find((x) => x.partition === partition)
    if (!t || !p) {
      results.push({topic, partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'The partition does not exist.', leaderBefore: -1, leaderAfter: -1})
      continue
    }
    const r = elect(p, type, usable)
    results.push({topic, partition, errorCode: r.errorCode, errorMessage: r.errorMessage, leaderBefore: p.leader, leaderAfter: r.next?.leader ?? p.leader})
    if (r.next) records.push(partitionChangeRecord(t.topicId, p, r.next))
  }
  return {results, records}
}

function elect(p: PartitionImage, type: 'preferred' | 'unclean', usable: (id: number) => boolean):
  {errorCode: number; errorMessage: string | null; next?: {leader: number; isr: number[]}} {
  if (type === 'preferred') {
    const preferred = p.replicas[0]
    if (p.leader === preferred) return {errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: 'Leader election not needed for topic partition.'}
    if (!usable(preferred) || !p.isr.includes(preferred)) {
      return {errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, errorMessage: `Failed to elect leader for partition: preferred replica ${preferred} is not alive or not in the ISR.`}
    }
    return {errorCode: ErrorCode.NONE, errorMessage: null, next: {leader: preferred, isr: p.isr}}
  }
  if (p.leader !== -1 && usable(p.leader)) {
    return {errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: 'Leader election not needed for topic partition.'}
  }
  const next = electLeader(p, p.isr, usable, true)
  if (next.leader === -1) return {errorCode: ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE, errorMessage: 'No live replica can lead the partition.'}
  return {errorCode: ErrorCode.NONE, errorMessage: null, next}
}

/** A producer id block of `size` ids for a broker. */
export function producerIdsRecord(image: MetadataImage, brokerId: number, brokerEpoch: bigint, size: bigint): {start: bigint; record: MetadataRecord} {
  const start = image.nextProducerId
  return {start, record: {type: MetadataRecordType.ProducerIds, data: {brokerId, brokerEpoch, nextProducerId: start + size}}}
}
