/**
 * The group leader's share of a rebalance: decode every member's subscription, look up partition
 * counts of all subscribed topics, run the chosen assignor and, under the cooperative protocol,
 * hold back partitions that change owner so the previous owner revokes them first (KIP-429).
 */
import type {Cluster} from '../client/index.js'
import {ErrorCode} from '../protocol/index.js'
import type {MemberSubscription, PartitionAssignor, RebalanceProtocol} from './assignors/index.js'
import {CONSUMER_PROTOCOL_VERSION, decodeSubscription, encodeAssignment} from './consumer-protocol.js'
import {tpKey} from './types.js'

/** The leader's SyncGroup assignments and the partition counts it used. */
export interface LeaderAssignment {
  assignments: Array<{memberId: string; assignment: Buffer}>
  partitionCounts: Map<string, number>
}

/** Runs `assignor` over the JoinGroup members (memberId, groupInstanceId, metadata). */
export async function performAssignment(cluster: Cluster, assignor: PartitionAssignor, protocol: RebalanceProtocol,
  members: Array<{memberId: string; groupInstanceId?: string | null; metadata: Buffer}>): Promise<LeaderAssignment> {
  const versions = new Map<string, number>()
  const subs: MemberSubscription[] = members.map((m) => {
    let s
    try {
      s = decodeSubscription(m.metadata)
    } catch {
      // A member whose metadata does not parse gets nothing rather than failing the whole group.
      s = {version: 0, topics: [], userData: null, ownedPartitions: [], generationId: -1, rackId: null}
    }
    versions.set(m.memberId, s.version)
    return {memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null, topics: s.topics, ownedPartitions: s.ownedPartitions, generationId: s.generationId}
  })
  const topics = [...new Set(subs.flatMap((s) => s.topics))].sort()
  const counts = new Map<string, number>()
  if (topics.length > 0) {
    const md = await cluster.refreshMetadata(topics)
    for (const t of topics) {
      const tm = md.topics.get(t)
      if (tm && tm.errorCode === ErrorCode.NONE && tm.partitions.length > 0) counts.set(t, tm.partitions.length)
    }
  }
  const result = assignor.assign(counts, subs)
  if (protocol === 'COOPERATIVE' && assignor.rebalanceProtocol === 'COOPERATIVE') {
    const owner = new Map<string, string>()
    for (const s of subs) for (const tp of s.ownedPartitions) owner.set(tpKey(tp.topic, tp.partition), s.memberId)
    for (const [memberId, tps] of result) {
      result.set(memberId, tps.filter((tp) => {
        const prev = owner.get(tpKey(tp.topic, tp.partition))
        return prev === undefined || prev === memberId
      }))
    }
  }
  const assignments = subs.map((s) => ({
    memberId: s.memberId,
    assignment: encodeAssignment({partitions: result.get(s.memberId) ?? [], userData: null},
      Math.max(0, Math.min(versions.get(s.memberId) ?? 0, CONSUMER_PROTOCOL_VERSION))),
  }))
  return {assignments, partitionCounts: counts}
}
