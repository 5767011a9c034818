/**
 * The admin side of groups: DescribeGroups, ListGroups and DeleteGroups over the coordinator's
 * groups. Unknown groups describe as Dead (Kafka's answer before DescribeGroups v6).
 */
import {ErrorCode} from '../../protocol/index.js'
import type {GroupCoordinator} from './coordinator.js'
import {GroupState} from './group-metadata.js'
import {EMPTY} from './member.js'

/** DescribeGroups' view of a group. */
export interface GroupDescription {
  errorCode: number; groupId: string; groupState: string; protocolType: string; protocolData: string
  members: {memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string; memberMetadata: Buffer; memberAssignment: Buffer}[]
}

/** Handles DescribeGroups for one group (unknown groups read as Dead, like Kafka). */
export function describeGroup(coord: GroupCoordinator, groupId: string): GroupDescription {
  const base = {groupId, errorCode: ErrorCode.NONE, groupState: GroupState.Dead as string, protocolType: '', protocolData: '', members: []}
  if (!coord.serves(groupId)) return {...base, errorCode: ErrorCode.NOT_COORDINATOR}
  const group = coord.groups.get(groupId)
  if (!group) return base
  const stable = group.is(GroupState.Stable)
  return {
    ...base, groupState: group.state, protocolType: group.protocolType ?? '', protocolData: stable ? group.protocolName ?? '' : '',
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
      // Metadata and assignment only mean something once the generation is stable.
      memberMetadata: stable ? m.metadataFor(group.protocolName) : EMPTY, memberAssignment: stable ? m.assignment : EMPTY,
    })),
  }
}

/** Handles ListGroups: every live group, optionally only those in `states` (case-insensitive). */
export function listGroups(coord: GroupCoordinator, states: string[]): {groupId: string; protocolType: string; groupState: string}[] {
  const wanted = new Set(states.map((s) => s.toLowerCase()))
  return [...coord.groups.values()]
    .filter((g) => !g.is(GroupState.Dead) && (wanted.size === 0 || wanted.has(g.state.toLowerCase())))
    .map((g) => ({groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state}))
}

/** Handles DeleteGroups: only empty groups go, with tombstones for the group and all its offsets. */
export function deleteGroups(coord: GroupCoordinator, groupIds: string[]): {groupId: string; errorCode: number}[] {
  return groupIds.map((groupId) => {
    if (!coord.serves(groupId)) return {groupId, errorCode: ErrorCode.NOT_COORDINATOR}
    const group = coord.groups.get(groupId)
    if (!group || group.is(GroupState.Dead)) return {groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND}
    if (!group.is(GroupState.Empty)) return {groupId, errorCode: ErrorCode.NON_EMPTY_GROUP}
    try {
      coord.removeGroup(group)
    } catch {
      return {groupId, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE}
    }
    return {groupId, errorCode: ErrorCode.NONE}
  })
}

