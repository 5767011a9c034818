/**
 * Leader election and replica placement rules of the QuorumController (Kafka's PartitionChangeBuilder
 * and StripedReplicaPlacer, simplified): pure functions over a partition and the set of usable brokers,
 * so the controller's operations and the tests share one definition.
 */
import {ErrorCode, KafkaError} from '../protocol/index.js'
import type {PartitionImage} from '../broker/context.js'
import {MetadataRecordType, NO_LEADER_CHANGE, type MetadataRecord} from '../broker/metadata/records.js'

/** A leader and ISR chosen for a partition. */
export interface LeaderAndIsr { leader: number; isr: number[] }

/**
 * The first replica in assignment order that is in the ISR and usable; with `unclean`, when none is,
 * the first usable replica at all (its ISR becomes just itself). Leader -1 when nobody qualifies.
 */
export function electLeader(p: PartitionImage, isr: number[], usable: (id: number) => boolean, unclean: boolean): LeaderAndIsr {
  const clean = p.replicas.find((r) => isr.includes(r) && usable(r))
  if (clean !== undefined) return {leader: clean, isr}
  if (unclean) {
    const any = p.replicas.find((r) => usable(r))
    if (any !== undefined) return {leader: any, isr: [any]}
  }
  return {leader: -1, isr}
}

/**
 * The change that takes broker `id` out of a partition (fencing, controlled shutdown): out of the
 * ISR unless it is the last member (then the ISR stays, so the partition can come back with it),
 * and a new leader when it led. Undefined when nothing changes.
 */
export function removeBrokerChange(p: PartitionImage, id: number, usable: (id: number) => boolean, unclean: boolean): LeaderAndIsr | undefined {
  const shrunk = p.isr.filter((r) => r !== id)
  const isr = shrunk.length > 0 ? shrunk : p.isr
  let leader = p.leader
  let newIsr = isr
  if (p.leader === id || p.leader === -1) ({leader, isr: newIsr} = electLeader(p, isr, usable, unclean))
  if (leader === p.leader && sameMembers(newIsr, p.isr)) return undefined
  return {leader, isr: newIsr}
}

/** True when both lists hold the same ids, order aside. */
export function sameMembers(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x))
}

/** A PartitionChangeRecord from the old image to the chosen leader and ISR (only what differs). */
export function partitionChangeRecord(topicId: string, p: PartitionImage, next: LeaderAndIsr): MetadataRecord {
  return {type: MetadataRecordType.PartitionChange, data: {
    partitionId: p.partition, topicId,
    isr: sameMembers(next.isr, p.isr) ? null : next.isr,
    leader: next.leader === p.leader ? NO_LEADER_CHANGE : next.leader,
    replicas: null, removingReplicas: null, addingReplicas: null,
  }}
}

/**
 * Replica lists for new partitions `first`..`first+count-1` over the usable brokers, as Kafka's
 * rack-unaware assignment: partition p's leader is broker (start + p); its followers follow at a
 * distance that shifts by one after every full round of brokers, so that with 3 brokers partitions 0
 * and 3 get [0,1,2] and [0,2,1]: a broker's followers (and the load of a failed broker's
 * leaderships) spread over all the others rather than always landing on the same neighbour.
 */
export function placeReplicas(brokers: number[], first: number, count: number, rf: number, start: number): number[][] {
  if (rf > brokers.length) {
    throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR,
      `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only ${brokers.length} broker(s) are registered.`)
  }
  const sorted = [...brokers].sort((a, b) => a - b)
  const n = sorted.length
  const out: number[][] = []
  for (let p = first; p < first + count; p++) {
    const leader = (start + p) % n
    const shift = start + Math.floor(p / n)
    const replicas = [sorted[leader]]
    for (let j = 0; j < rf - 1; j++) replicas.push(sorted[(leader + 1 + ((shift + j) % (n - 1))) % n])
    out.push(replicas)
  }
  return out
}
