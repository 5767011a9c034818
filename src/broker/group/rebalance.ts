/**
 * The rebalance of a classic group, as Kafka's GroupCoordinator drives it: prepareRebalance
 * (PreparingRebalance, waiting for members to rejoin; a new group first waits the initial delay),
 * onCompleteJoin (a new generation, CompletingRebalance, every join answered), the delayed sync
 * (members that never sync are removed), and the leader's assignment stored and propagated
 * (Stable). Also the JoinGroup/SyncGroup answers. Separate from join-group.ts (how a join lands)
 * and membership.ts (how members leave), which both end up here.
 */
import {ErrorCode} from '../../protocol/index.js'
import type {GroupCoordinator} from './coordinator.js'
import {GroupState, type GroupMetadata} from './group-metadata.js'
import {EMPTY, type JoinResult, type SyncResult} from './member.js'
import {storeGroup, storeGroupQuietly} from './group-metadata-store.js'

/** Starts a rebalance unless the group's state forbids one (Dead, or already preparing). */
export function maybePrepareRebalance(coord: GroupCoordinator, group: GroupMetadata, reason: string): void {
  if (group.canRebalance()) prepareRebalance(coord, group, reason)
}

function prepareRebalance(coord: GroupCoordinator, group: GroupMetadata, reason: string): void {
  if (group.is(GroupState.CompletingRebalance)) resetAndPropagateAssignmentError(coord, group, ErrorCode.REBALANCE_IN_PROGRESS)
  group.syncTimer?.cancel()
  group.syncTimer = null
  group.pendingSyncMembers.clear()
  group.joinTimer?.cancel()
  const initial = group.is(GroupState.Empty)
  group.transitionTo(GroupState.PreparingRebalance, coord.clock.now())
  coord.logger('info', `group ${group.groupId}: preparing to rebalance in generation ${group.generationId} (${reason})`)
  if (initial) {
    const delay = coord.config.initialRebalanceDelayMs
    scheduleInitialJoin(coord, group, delay, Math.max(group.rebalanceTimeoutMs() - delay, 0))
  } else {
    group.joinTimer = coord.clock.schedule(group.rebalanceTimeoutMs(), () => completeJoin(coord, group))
    group.initialDelay = false
  }
}

/** The initial delay of a new group: extended (up to the rebalance timeout) while members keep arriving. */
function scheduleInitialJoin(coord: GroupCoordinator, group: GroupMetadata, delayMs: number, remainingMs: number): void {
  group.initialDelay = true
  group.joinTimer = coord.clock.schedule(delayMs, () => {
    if (group.newMemberAdded && remainingMs !== 0) {
      group.newMemberAdded = false
      const next = Math.min(coord.config.initialRebalanceDelayMs, remainingMs)
      scheduleInitialJoin(coord, group, next, Math.max(remainingMs - next, 0))
    } else {
      completeJoin(coord, group)
    }
  })
}

/** Completes the join phase early when every member has rejoined (never during the initial delay). */
export function tryCompleteJoin(coord: GroupCoordinator, group: GroupMetadata): void {
  if (group.is(GroupState.PreparingRebalance) && !group.initialDelay && group.hasAllMembersJoined()) completeJoin(coord, group)
}

/** The join phase ends: drop members that did not rejoin, start the next generation, answer the joins. */
function completeJoin(coord: GroupCoordinator, group: GroupMetadata): void {
  group.joinTimer?.cancel()
  group.joinTimer = null
  group.initialDelay = false
  if (!group.is(GroupState.PreparingRebalance) || coord.groups.get(group.groupId) !== group) return
  for (const m of [...group.members.values()]) {
    // Static members keep their place; only their session timeout removes them.
    if (!m.isAwaitingJoin && m.groupInstanceId === null) {
      m.heartbeatTimer?.cancel()
      group.remove(m.memberId)
    }
  }
  if (group.leaderId !== null && !group.members.get(group.leaderId)?.isAwaitingJoin) {
    const joined = [...group.members.values()].find((m) => m.isAwaitingJoin)
    if (joined) group.leaderId = joined.memberId
    else if (group.size > 0) {
      // Only static members that have not rejoined: wait another round for them.
      group.joinTimer = coord.clock.schedule(group.rebalanceTimeoutMs(), () => completeJoin(coord, group))
      return
    }
  }
  const now = coord.clock.now()
  group.generationId++
  if (group.size === 0) {
    group.protocolName = null
    group.leaderId = null
    group.transitionTo(GroupState.Empty, now)
    coord.logger('info', `group ${group.groupId} with generation ${group.generationId} is now empty`)
    storeGroupQuietly(coord, group)
    return
  }
  group.protocolName = group.selectProtocol()
  group.transitionTo(GroupState.CompletingRebalance, now)
  coord.logger('info', `group ${group.groupId}: generation ${group.generationId} (${group.protocolName}) with ${group.size} members`)
  for (const m of group.members.values()) {
    if (!m.isAwaitingJoin) continue
    m.isNew = false
    group.pendingSyncMembers.add(m.memberId)
    m.completeJoin(currentJoinResult(group, m.memberId))
    coord.scheduleHeartbeat(group, m)
  }
  const generation = group.generationId
  group.syncTimer = coord.clock.schedule(group.rebalanceTimeoutMs(), () => expirePendingSync(coord, group, generation))
}

/** Members that got their join answer but never synced within the rebalance timeout are removed. */
function expirePendingSync(coord: GroupCoordinator, group: GroupMetadata, generation: number): void {
  group.syncTimer = null
  if (generation !== group.generationId || group.pendingSyncMembers.size === 0) return
  if (!group.is(GroupState.CompletingRebalance) && !group.is(GroupState.Stable)) return
  for (const id of [...group.pendingSyncMembers]) {
    group.members.get(id)?.heartbeatTimer?.cancel()
    group.remove(id)
  }
  group.pendingSyncMembers.clear()
  maybePrepareRebalance(coord, group, 'members did not sync in time')
  tryCompleteJoin(coord, group)
}

/** The JoinGroup answer of the current generation; only the leader gets the members. */
export function currentJoinResult(group: GroupMetadata, memberId: string): JoinResult {
  const isLeader = memberId === group.leaderId
  return {
    errorCode: ErrorCode.NONE, generationId: group.generationId, protocolType: group.protocolType,
    protocolName: group.protocolName, leader: group.leaderId ?? '', memberId,
    members: isLeader
      ? [...group.members.values()].map((m) => ({memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadataFor(group.protocolName)}))
      : [],
  }
}

/** A member has sent its SyncGroup: once nobody is left to sync, the pending-sync deadline goes. */
export function markSynced(group: GroupMetadata, memberId: string): void {
  group.pendingSyncMembers.delete(memberId)
  if (group.pendingSyncMembers.size === 0) {
    group.syncTimer?.cancel()
    group.syncTimer = null
  }
}

/** Stores the leader's assignment with the group, then hands each member its part (Stable). */
export function applyLeaderAssignment(coord: GroupCoordinator, group: GroupMetadata, list: {memberId: string; assignment: Buffer}[]): void {
  const assignment = new Map<string, Buffer>()
  for (const a of list) if (group.has(a.memberId)) assignment.set(a.memberId, a.assignment ?? EMPTY)
  try {
    storeGroup(coord, group, assignment)
  } catch (err) {
    coord.logger('error', `group ${group.groupId}: storing the assignment failed: ${(err as Error).message}`)
    resetAndPropagateAssignmentError(coord, group, ErrorCode.COORDINATOR_NOT_AVAILABLE)
    maybePrepareRebalance(coord, group, 'storing the assignment failed')
    return
  }
  for (const m of group.members.values()) m.assignment = assignment.get(m.memberId) ?? EMPTY
  group.transitionTo(GroupState.Stable, coord.clock.now())
  propagateAssignment(coord, group, ErrorCode.NONE)
  coord.logger('info', `group ${group.groupId}: generation ${group.generationId} is stable`)
}

function resetAndPropagateAssignmentError(coord: GroupCoordinator, group: GroupMetadata, errorCode: number): void {
  for (const m of group.members.values()) m.assignment = EMPTY
  propagateAssignment(coord, group, errorCode)
}

/** Answers every waiting SyncGroup and restarts the session timers (expiries were ignored meanwhile). */
function propagateAssignment(coord: GroupCoordinator, group: GroupMetadata, errorCode: number): void {
  for (const m of group.members.values()) {
    if (m.isAwaitingSync) {
      m.completeSync({errorCode, protocolType: group.protocolType, protocolName: group.protocolName, assignment: errorCode === 0 ? m.assignment : EMPTY})
    }
    coord.scheduleHeartbeat(group, m)
  }
}

/** A JoinGroup error answer. */
export function joinError(errorCode: number, memberId: string): JoinResult {
  return {errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: []}
}

/** A SyncGroup error answer. */
export function syncError(errorCode: number): SyncResult {
  return {errorCode, protocolType: null, protocolName: null, assignment: EMPTY}
}
