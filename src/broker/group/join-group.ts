/**
 * How a JoinGroup lands in its group (Kafka's doNewMemberJoinGroup, doStaticNewMemberJoinGroup and
 * doCurrentMemberJoinGroup): a new member (which may first get MEMBER_ID_REQUIRED, KIP-394), a
 * static member's restart taking over its old place (KIP-345), or a known member rejoining -- and
 * whether that starts a rebalance or is answered from the current generation. The rebalance
 * itself is rebalance.ts; the coordinator checks the request before it gets here.
 */
import {randomUUID} from 'node:crypto'
import {ErrorCode} from '../../protocol/index.js'
import type {GroupCoordinator, JoinGroupParams} from './coordinator.js'
import {GroupMetadata, GroupState} from './group-metadata.js'
import {MemberMetadata, type JoinResult} from './member.js'
import {currentJoinResult, joinError, maybePrepareRebalance, syncError, tryCompleteJoin} from './rebalance.js'
import {dropIfUnused, expirePendingMember} from './membership.js'
import {storeGroupQuietly} from './group-metadata-store.js'

type Respond = (r: JoinResult) => void

/** Handles a checked JoinGroup (creating the group on a first join); `respond` answers it, now or when the rebalance does. */
export function doJoin(coord: GroupCoordinator, p: JoinGroupParams, respond: Respond): void {
  const isUnknown = p.memberId === ''
  let group = coord.groups.get(p.groupId)
  if (!group) {
    if (!isUnknown) return respond(joinError(ErrorCode.UNKNOWN_MEMBER_ID, p.memberId))
    group = new GroupMetadata(p.groupId, coord.clock.now())
    coord.groups.set(p.groupId, group)
  }
  if (!group.has(p.memberId) && !group.pendingMembers.has(p.memberId) && group.size >= coord.config.maxGroupSize) {
    respond(joinError(ErrorCode.GROUP_MAX_SIZE_REACHED, p.memberId))
  } else if (isUnknown) {
    joinNewMember(coord, group, p, respond)
  } else {
    joinExistingMember(coord, group, p, respond)
  }
  dropIfUnused(coord, group)
}

function joinNewMember(coord: GroupCoordinator, group: GroupMetadata, p: JoinGroupParams, respond: Respond): void {
  if (group.is(GroupState.Dead)) return respond(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, p.memberId))
  if (!group.supportsProtocols(p.protocolType, p.protocols)) return respond(joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, p.memberId))
  const memberId = `${p.clientId}-${randomUUID()}`
  if (p.groupInstanceId !== null) return joinStaticMember(coord, group, p, memberId, respond)
  if (p.requireKnownMemberId) {
    // KIP-394: the member must come back with this id; until then it counts as joining.
    group.pendingMembers.set(memberId, coord.clock.schedule(p.sessionTimeoutMs, () => expirePendingMember(coord, group, memberId)))
    return respond({...joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId)})
  }
  addMemberAndRebalance(coord, group, p, memberId, respond)
}

/** A static member (group.instance.id) joining without a member id: new, or a restart that takes over. */
function joinStaticMember(coord: GroupCoordinator, group: GroupMetadata, p: JoinGroupParams, memberId: string, respond: Respond): void {
  const oldId = group.staticMemberId(p.groupInstanceId)
  const old = oldId === undefined ? undefined : group.members.get(oldId)
  if (!old) return addMemberAndRebalance(coord, group, p, memberId, respond)
  // The old incarnation is fenced; the new one inherits its place and assignment.
  old.heartbeatTimer?.cancel()
  old.completeJoin(joinError(ErrorCode.FENCED_INSTANCE_ID, old.memberId))
  old.completeSync(syncError(ErrorCode.FENCED_INSTANCE_ID))
  const wasLeader = group.leaderId === old.memberId
  group.remove(old.memberId)
  const member = new MemberMetadata(memberId, p.groupInstanceId, p.clientId, p.clientHost, p.rebalanceTimeoutMs,
    p.sessionTimeoutMs, p.protocolType, p.protocols)
  member.assignment = old.assignment
  group.add(member)
  if (wasLeader) group.leaderId = memberId
  if (group.is(GroupState.Stable) && old.matches(p.protocols)) {
    // Unchanged metadata: no rebalance, the member resumes with its assignment (KIP-345).
    storeGroupQuietly(coord, group)
    coord.scheduleHeartbeat(group, member)
    return respond(currentJoinResult(group, memberId))
  }
  updateMemberAndRebalance(coord, group, member, p, respond)
}

function joinExistingMember(coord: GroupCoordinator, group: GroupMetadata, p: JoinGroupParams, respond: Respond): void {
  if (group.is(GroupState.Dead)) return respond(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, p.memberId))
  if (!group.supportsProtocols(p.protocolType, p.protocols)) return respond(joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, p.memberId))
  if (group.pendingMembers.has(p.memberId)) return addMemberAndRebalance(coord, group, p, p.memberId, respond)
  if (group.isStaticMemberFenced(p.memberId, p.groupInstanceId)) return respond(joinError(ErrorCode.FENCED_INSTANCE_ID, p.memberId))
  const member = group.members.get(p.memberId)
  if (!member) return respond(joinError(ErrorCode.UNKNOWN_MEMBER_ID, p.memberId))
  switch (group.state) {
    case GroupState.PreparingRebalance:
      return updateMemberAndRebalance(coord, group, member, p, respond)
    case GroupState.CompletingRebalance:
      // A retried join with nothing new gets the current generation again.
      if (member.matches(p.protocols)) return respond(currentJoinResult(group, p.memberId))
      return updateMemberAndRebalance(coord, group, member, p, respond)
    case GroupState.Stable:
      // The leader rejoining means it wants a new assignment (e.g. metadata changed).
      if (p.memberId === group.leaderId || !member.matches(p.protocols)) return updateMemberAndRebalance(coord, group, member, p, respond)
      return respond(currentJoinResult(group, p.memberId))
    default:
      return respond(joinError(ErrorCode.UNKNOWN_MEMBER_ID, p.memberId))
  }
}

function addMemberAndRebalance(coord: GroupCoordinator, group: GroupMetadata, p: JoinGroupParams, memberId: string, respond: Respond): void {
  const member = new MemberMetadata(memberId, p.groupInstanceId, p.clientId, p.clientHost, p.rebalanceTimeoutMs,
    p.sessionTimeoutMs, p.protocolType, p.protocols)
  member.isNew = true
  // During the initial delay each newcomer extends the wait once more.
  if (group.is(GroupState.PreparingRebalance) && group.generationId === 0) group.newMemberAdded = true
  group.add(member)
  member.awaitingJoin = respond
  coord.scheduleHeartbeat(group, member, coord.config.newMemberJoinTimeoutMs)
  maybePrepareRebalance(coord, group, `adding new member ${memberId}`)
  tryCompleteJoin(coord, group)
}

function updateMemberAndRebalance(coord: GroupCoordinator, group: GroupMetadata, member: MemberMetadata, p: JoinGroupParams, respond: Respond): void {
  member.protocols = p.protocols
  member.rebalanceTimeoutMs = p.rebalanceTimeoutMs
  member.sessionTimeoutMs = p.sessionTimeoutMs
  member.clientId = p.clientId
  member.clientHost = p.clientHost
  // A join retried while the first is still pending: both get the generation's answer.
  const previous = member.awaitingJoin
  member.awaitingJoin = previous ? (r) => { previous(r); respond(r) } : respond
  maybePrepareRebalance(coord, group, `member ${member.memberId} rejoined`)
  tryCompleteJoin(coord, group)
}
