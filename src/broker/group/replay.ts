/**
 * Startup load of __consumer_offsets (Kafka's GroupMetadataManager loading): the last record per
 * key wins, tombstones delete. Groups with stored metadata come back with their generation,
 * protocol, leader and members (Stable when it has members, whose sessions restart now, so members
 * that do not return expire and the group rebalances); offsets without group metadata belong to
 * "simple" Empty groups.
 */
import type {GroupCoordinator} from './coordinator.js'
import {GroupMetadata, GroupState, type CommittedOffset} from './group-metadata.js'
import {MemberMetadata} from './member.js'
import {decodeOffsetsTopicRecord, type GroupMetadataValue} from './records.js'

/** Rebuilds the coordinator's groups from the store (only from `partitions` when given). */
export function replayGroups(coord: GroupCoordinator, partitions?: number[]): void {
  const metadata = new Map<string, GroupMetadataValue>()
  const offsets = new Map<string, Map<string, CommittedOffset>>()
  let bad = 0
  const before = coord.groups.size
  coord.store.replay((key, value) => {
    let rec
    try {
      rec = decodeOffsetsTopicRecord(key, value)
    } catch {
      bad++
      return
    }
    if (!rec) return
    if (rec.kind === 'group') {
      if (rec.value === null) metadata.delete(rec.group)
      else metadata.set(rec.group, rec.value)
      return
    }
    let byGroup = offsets.get(rec.group)
    if (!byGroup) offsets.set(rec.group, (byGroup = new Map()))
    const k = `${rec.partition}\u0000${rec.topic}`
    if (rec.value === null) byGroup.delete(k)
    else {
      byGroup.set(k, {
        offset: rec.value.offset, leaderEpoch: rec.value.leaderEpoch, metadata: rec.value.metadata,
        commitTimestamp: Number(rec.value.commitTimestamp), expireTimestamp: Number(rec.value.expireTimestamp),
      })
    }
  }, partitions)
  if (bad > 0) coord.logger('warn', `skipped ${bad} undecodable records of __consumer_offsets`)
  const now = coord.clock.now()
  for (const [groupId, v] of metadata) coord.groups.set(groupId, restoreGroup(coord, groupId, v, now))
  for (const [groupId, byGroup] of offsets) {
    if (byGroup.size === 0) continue
    let group = coord.groups.get(groupId)
    if (!group) coord.groups.set(groupId, (group = new GroupMetadata(groupId, now)))
    for (const [k, o] of byGroup) {
      const sep = k.indexOf('\u0000')
      group.setOffset(k.slice(sep + 1), Number(k.slice(0, sep)), o)
    }
  }
  if (coord.groups.size > before && !partitions) coord.logger('info', `loaded ${coord.groups.size} groups from __consumer_offsets`)
}

function restoreGroup(coord: GroupCoordinator, groupId: string, v: GroupMetadataValue, now: number): GroupMetadata {
  const group = new GroupMetadata(groupId, v.currentStateTimestamp >= 0n ? Number(v.currentStateTimestamp) : now)
  group.generationId = v.generation
  group.protocolName = v.protocol
  for (const m of v.members) {
    const member = new MemberMetadata(m.memberId, m.groupInstanceId, m.clientId, m.clientHost, m.rebalanceTimeout,
      m.sessionTimeout, v.protocolType, v.protocol === null ? [] : [{name: v.protocol, metadata: m.subscription}])
    member.assignment = m.assignment
    group.add(member)
  }
  group.protocolType = v.protocolType === '' ? null : v.protocolType
  group.leaderId = v.leader !== null && group.has(v.leader) ? v.leader : group.leaderId
  // Empty -> PreparingRebalance -> CompletingRebalance -> Stable would be a rebalance; a load just sets it.
  if (group.size > 0) group.state = GroupState.Stable
  for (const m of group.members.values()) coord.scheduleHeartbeat(group, m)
  return group
}
