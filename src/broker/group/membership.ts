/**
 * How members leave a classic group: the session timer (Kafka's DelayedHeartbeat) and its expiry,
 * the expiry of member ids handed out with MEMBER_ID_REQUIRED (KIP-394), LeaveGroup for one member
 * (by member id, or by instance id alone for an admin, KIP-345), and the rebalance a departure
 * starts. Kept apart from join-group.ts so arrivals and departures each read in one place.
 */
import {ErrorCode} from '../../protocol/index.js'
import type {GroupCoordinator, MemberRef} from './coordinator.js'
import {GroupState, type GroupMetadata} from './group-metadata.js'
import type {MemberMetadata} from './member.js'
import {joinError, maybePrepareRebalance, syncError, tryCompleteJoin} from './rebalance.js'

/** (Re)starts a member's session timer; `timeoutMs` defaults to its session timeout. */
export function scheduleHeartbeat(coord: GroupCoordinator, group: GroupMetadata, member: MemberMetadata, timeoutMs = member.sessionTimeoutMs): void {
  member.heartbeatTimer?.cancel()
  member.heartbeatTimer = coord.clock.schedule(timeoutMs, () => onHeartbeatExpired(coord, group, member))
}

function onHeartbeatExpired(coord: GroupCoordinator, group: GroupMetadata, member: MemberMetadata): void {
  member.heartbeatTimer = null
  if (!coord.isActive || group.members.get(member.memberId) !== member) return
  // Mid-rebalance the rebalance timeout governs existing members; new ones have their own deadline.
  if (!member.isNew && (member.isAwaitingJoin || member.isAwaitingSync)) return scheduleHeartbeat(coord, group, member)
  coord.logger('info', `group ${group.groupId}: member ${member.memberId} expired (session timeout ${member.sessionTimeoutMs} ms)`)
  removeMemberAndUpdateGroup(coord, group, member, `member ${member.memberId} session expired`)
}

/** A member id handed out with MEMBER_ID_REQUIRED was not used in time. */
export function expirePendingMember(coord: GroupCoordinator, group: GroupMetadata, memberId: string): void {
  if (!group.pendingMembers.delete(memberId)) return
  tryCompleteJoin(coord, group)
  dropIfUnused(coord, group)
}

/** LeaveGroup for one member; returns its error code. */
export function leaveOne(coord: GroupCoordinator, group: GroupMetadata, ref: MemberRef): number {
  let memberId = ref.memberId
  if (memberId === '' && ref.groupInstanceId !== null) {
    // KIP-345: an admin removes a static member by its instance id alone.
    const id = group.staticMemberId(ref.groupInstanceId)
    if (id === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
    memberId = id
  } else if (group.isStaticMemberFenced(memberId, ref.groupInstanceId)) {
    return ErrorCode.FENCED_INSTANCE_ID
  }
  const pending = group.pendingMembers.get(memberId)
  if (pending) {
    pending.cancel()
    group.pendingMembers.delete(memberId)
    tryCompleteJoin(coord, group)
    return ErrorCode.NONE
  }
  const member = group.members.get(memberId)
  if (!member) return ErrorCode.UNKNOWN_MEMBER_ID
  coord.logger('info', `group ${group.groupId}: member ${memberId} left`)
  removeMemberAndUpdateGroup(coord, group, member, `member ${memberId} left the group`)
  return ErrorCode.NONE
}

/** A member is gone (left or expired); the group rebalances without it. */
export function removeMemberAndUpdateGroup(coord: GroupCoordinator, group: GroupMetadata, member: MemberMetadata, reason: string): void {
  member.completeJoin(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId))
  member.completeSync(syncError(ErrorCode.UNKNOWN_MEMBER_ID))
  member.heartbeatTimer?.cancel()
  group.remove(member.memberId)
  switch (group.state) {
    case GroupState.Stable:
    case GroupState.CompletingRebalance:
      maybePrepareRebalance(coord, group, reason)
      tryCompleteJoin(coord, group)
      break
    case GroupState.PreparingRebalance:
      tryCompleteJoin(coord, group)
      break
    default:
      break
  }
}

/** A group made only by a failed first join (no members, no offsets, no history) is forgotten. */
export function dropIfUnused(coord: GroupCoordinator, group: GroupMetadata): void {
  if (group.is(GroupState.Empty) && group.size === 0 && group.pendingMembers.size === 0 && group.generationId === 0 &&
    !group.hasOffsets && coord.groups.get(group.groupId) === group) {
    coord.groups.delete(group.groupId)
  }
}
