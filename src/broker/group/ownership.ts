/**
 * Which groups this node coordinates (Kafka's GroupMetadataManager ownership): a group belongs to
 * the node leading its __consumer_offsets partition. When this node becomes a partition's leader
 * the coordinator loads that partition's groups and offsets; when leadership moves away it drops
 * them, answering their parked joins and syncs with NOT_COORDINATOR so members find the new leader.
 * Stores without partitions (the unit tests' memory store) keep the old rule: this node owns all.
 */
import {ErrorCode} from '../../protocol/index.js'
import type {GroupCoordinator} from './coordinator.js'
import {joinError, syncError} from './rebalance.js'
import {replayGroups} from './replay.js'
import type {GroupMetadata} from './group-metadata.js'

/** Starts following leadership: loads the partitions led now and subscribes to changes. */
export function startOwnership(coord: GroupCoordinator): void {
  const store = coord.store
  if (!store.partitionOf || !store.ledPartitions || !store.onLeadershipChange) {
    coord.owned = null
    replayGroups(coord)
    return
  }
  coord.owned = new Set()
  for (const p of store.ledPartitions()) loadPartition(coord, p)
  store.onLeadershipChange((partition, leader) => {
    // After shutdown nothing is served; the broker is going away.
    if (!coord.isActive) return
    if (leader) loadPartition(coord, partition)
    else unloadPartition(coord, partition)
  })
}

/** True when this coordinator serves `groupId` now (ownership mode: it leads the group's partition, or the topic does not exist yet). */
export function ownsGroup(coord: GroupCoordinator, groupId: string): boolean {
  if (coord.owned === null) return true
  const p = coord.store.partitionOf!(groupId)
  // No offsets topic yet: the first JoinGroup/OffsetCommit creates it and asks again.
  return p === null || coord.owned.has(p)
}

/** Loads one partition's groups and offsets (replayed from this node's replica of the log). */
export function loadPartition(coord: GroupCoordinator, partition: number): void {
  if (coord.owned === null || coord.owned.has(partition)) return
  // Anything left from an earlier term of leadership is stale: the log is the truth.
  dropGroups(coord, partition)
  const before = coord.groups.size
  replayGroups(coord, [partition])
  coord.owned.add(partition)
  // Quiet for the empty partitions of a new topic (50 of them at once).
  const loaded = coord.groups.size - before
  if (loaded > 0) coord.logger('info', `now coordinating __consumer_offsets-${partition} (${loaded} groups loaded)`)
}

/** Stops coordinating one partition's groups. */
export function unloadPartition(coord: GroupCoordinator, partition: number): void {
  if (coord.owned === null || !coord.owned.delete(partition)) return
  const n = dropGroups(coord, partition)
  if (n > 0) coord.logger('info', `no longer coordinating __consumer_offsets-${partition} (${n} groups unloaded)`)
}

function dropGroups(coord: GroupCoordinator, partition: number): number {
  let n = 0
  for (const group of [...coord.groups.values()]) {
    if (coord.store.partitionOf!(group.groupId) !== partition) continue
    abandonGroup(group)
    coord.groups.delete(group.groupId)
    n++
  }
  return n
}

/** Stops a group's timers and answers its parked joins and syncs NOT_COORDINATOR (this node no longer coordinates it). */
export function abandonGroup(group: GroupMetadata): void {
  group.joinTimer?.cancel()
  group.syncTimer?.cancel()
  for (const t of group.pendingMembers.values()) t.cancel()
  for (const m of group.members.values()) {
    m.heartbeatTimer?.cancel()
    m.completeJoin(joinError(ErrorCode.NOT_COORDINATOR, m.memberId))
    m.completeSync(syncError(ErrorCode.NOT_COORDINATOR))
  }
}
