/**
 * The group side of the GroupMetadataManager's writes to __consumer_offsets: a group's metadata
 * record (storeGroup, written when a generation gets its assignment or a group empties) and the
 * tombstones of a deleted group. Offset records are written by offsets.ts; this is kept apart from
 * the rebalance so the record layout lives in one place.
 */
import type {GroupCoordinator} from './coordinator.js'
import {GroupState, type GroupMetadata} from './group-metadata.js'
import {groupMetadataKey, groupMetadataValue, offsetCommitKey} from './records.js'
import type {StoreRecord} from './offsets-topic.js'

/** Writes the group metadata record (with `assignment` overriding the members' current ones). */
export function storeGroup(coord: GroupCoordinator, group: GroupMetadata, assignment?: Map<string, Buffer>): void {
  const now = coord.clock.now()
  const value = groupMetadataValue({
    protocolType: group.protocolType ?? '', generation: group.generationId, protocol: group.protocolName,
    leader: group.leaderId, currentStateTimestamp: BigInt(group.currentStateTimestamp),
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
      rebalanceTimeout: m.rebalanceTimeoutMs, sessionTimeout: m.sessionTimeoutMs,
      subscription: m.metadataFor(group.protocolName), assignment: assignment?.get(m.memberId) ?? m.assignment,
    })),
  })
  coord.store.append(group.groupId, [{key: groupMetadataKey(group.groupId), value}], now)
}

/** storeGroup where a failed write must not stop the group: it is logged. */
export function storeGroupQuietly(coord: GroupCoordinator, group: GroupMetadata): void {
  try {
    storeGroup(coord, group)
  } catch (err) {
    coord.logger('error', `group ${group.groupId}: storing group metadata failed: ${(err as Error).message}`)
  }
}

/** Tombstones the group and its offsets, then forgets it (Dead). */
export function removeGroup(coord: GroupCoordinator, group: GroupMetadata): void {
  const records: StoreRecord[] = []
  for (const [topic, parts] of group.offsets) for (const p of parts.keys()) records.push({key: offsetCommitKey(group.groupId, topic, p), value: null})
  records.push({key: groupMetadataKey(group.groupId), value: null})
  coord.store.append(group.groupId, records, coord.clock.now())
  group.offsets.clear()
  group.joinTimer?.cancel()
  group.syncTimer?.cancel()
  for (const t of group.pendingMembers.values()) t.cancel()
  group.transitionTo(GroupState.Dead, coord.clock.now())
  coord.groups.delete(group.groupId)
}
