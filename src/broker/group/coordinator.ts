/**
 * GroupCoordinator: Kafka's classic group protocol on one node. Members JoinGroup; the group waits
 * (PreparingRebalance) until every known member has rejoined or the rebalance timeout passes -- a
 * new group first waits group.initial.rebalance.delay.ms for more members -- then starts a new
 * generation (CompletingRebalance), picks the protocol by vote, and answers every join; the leader
 * gets the member list. The leader's SyncGroup carries the assignment, which is stored in
 * __consumer_offsets and handed to every member (Stable). Heartbeats keep members alive; a missed
 * session timeout or a LeaveGroup removes a member and starts another rebalance.
 * All state changes run synchronously on the event loop, so nothing interleaves; delayed answers
 * are pending promises completed later by callbacks.
 * This class checks each request and owns the node's lifecycle; the work is in join-group.ts
 * (how a join lands), rebalance.ts (the phases), membership.ts (session expiry, LeaveGroup),
 * group-metadata-store.ts (group records), offsets.ts, admin.ts, ownership.ts and replay.ts.
 */
import {ErrorCode} from '../../protocol/index.js'
import {systemClock, type GroupClock, type GroupTimer} from './clock.js'
import type {GroupConfig} from './config.js'
import {GroupState, type GroupMetadata} from './group-metadata.js'
import type {JoinResult, MemberMetadata, MemberProtocol, SyncResult} from './member.js'
import {describeGroup, listGroups, deleteGroups, type GroupDescription} from './admin.js'
import {commitOffsets, deleteOffsets, fetchOffsets, removeExpiredOffsets, type CommitRequest, type FetchResult} from './offsets.js'
import {abandonGroup, ownsGroup, startOwnership} from './ownership.js'
import type {GroupStore} from './offsets-topic.js'
import {doJoin} from './join-group.js'
import {applyLeaderAssignment, joinError, markSynced, syncError} from './rebalance.js'
import {dropIfUnused, leaveOne, scheduleHeartbeat} from './membership.js'
import {removeGroup} from './group-metadata-store.js'

export {joinError, syncError} from './rebalance.js'

type Logger = (level: 'info' | 'warn' | 'error', msg: string) => void

/** offsets.commit.timeout.ms: how long a commit waits for the ISR. */
const OFFSET_COMMIT_TIMEOUT_MS = 5000

/** A JoinGroup as the coordinator sees it. */
export interface JoinGroupParams {
  groupId: string; memberId: string; groupInstanceId: string | null
  /** JoinGroup v4+: a member without an id first gets one with MEMBER_ID_REQUIRED. */
  requireKnownMemberId: boolean
  clientId: string; clientHost: string; rebalanceTimeoutMs: number; sessionTimeoutMs: number
  protocolType: string; protocols: MemberProtocol[]
}

/** A SyncGroup as the coordinator sees it. */
export interface SyncGroupParams {
  groupId: string; generationId: number; memberId: string; groupInstanceId: string | null
  assignments: {memberId: string; assignment: Buffer}[]
}

/** Identifies a member in Heartbeat/LeaveGroup/OffsetCommit. */
export interface MemberRef { memberId: string; groupInstanceId: string | null }

/** The group coordinator of this node; see the file comment. */
export class GroupCoordinator {
  /** Internal to the group package (offsets.ts, replay.ts): the groups by id. */
  readonly groups = new Map<string, GroupMetadata>()
  /** Internal (ownership.ts): offsets-topic partitions this node leads and serves; null = it owns every group. */
  owned: Set<number> | null = null
  private active = false
  private retentionTimer: GroupTimer | null = null

  constructor(
    readonly store: GroupStore,
    readonly config: GroupConfig,
    readonly clock: GroupClock = systemClock,
    readonly logger: Logger = () => {},
  ) {}

  /** Loads the groups of the offsets partitions this node leads (following leadership from now on), then serves. */
  startup(): void {
    startOwnership(this)
    this.active = true
    this.scheduleRetention()
  }

  /** Stops serving: pending joins and syncs answer NOT_COORDINATOR, all timers stop. */
  shutdown(): void {
    if (!this.active) return
    this.active = false
    this.retentionTimer?.cancel()
    for (const group of this.groups.values()) abandonGroup(group)
  }

  /** True between startup() and shutdown(). */
  get isActive(): boolean {
    return this.active
  }

  /** True when this node coordinates `groupId` now: running, and leading the group's __consumer_offsets partition. */
  serves(groupId: string): boolean {
    return this.active && ownsGroup(this, groupId)
  }

  /** Makes sure __consumer_offsets exists (FindCoordinator's duty in Kafka); resolves to an error code. */
  async ensureStorage(): Promise<number> {
    if (!this.active) return ErrorCode.NOT_COORDINATOR
    try {
      await this.store.ensure()
      return ErrorCode.NONE
    } catch {
      return ErrorCode.COORDINATOR_NOT_AVAILABLE
    }
  }

  /** The group, or undefined (Dead groups are dropped from the map). */
  group(groupId: string): GroupMetadata | undefined {
    return this.groups.get(groupId)
  }

  /** Handles JoinGroup; resolves when the rebalance answers this member (or at once on error). */
  async joinGroup(p: JoinGroupParams): Promise<JoinResult> {
    if (!this.serves(p.groupId)) return joinError(ErrorCode.NOT_COORDINATOR, p.memberId)
    if (p.groupId === '') return joinError(ErrorCode.INVALID_GROUP_ID, p.memberId)
    if (p.sessionTimeoutMs < this.config.minSessionTimeoutMs || p.sessionTimeoutMs > this.config.maxSessionTimeoutMs) {
      return joinError(ErrorCode.INVALID_SESSION_TIMEOUT, p.memberId)
    }
    try {
      await this.store.ensure()
    } catch {
      return joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, p.memberId)
    }
    // The topic may have just been created, led by another node.
    if (!this.serves(p.groupId)) return joinError(ErrorCode.NOT_COORDINATOR, p.memberId)
    return new Promise((resolve) => doJoin(this, p, resolve))
  }

  /** Handles SyncGroup; followers wait for the leader's assignment. */
  async syncGroup(p: SyncGroupParams): Promise<SyncResult> {
    if (!this.serves(p.groupId)) return syncError(ErrorCode.NOT_COORDINATOR)
    if (p.groupId === '') return syncError(ErrorCode.INVALID_GROUP_ID)
    const group = this.groups.get(p.groupId)
    if (!group) return syncError(ErrorCode.UNKNOWN_MEMBER_ID)
    if (group.is(GroupState.Dead)) return syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE)
    if (group.isStaticMemberFenced(p.memberId, p.groupInstanceId)) return syncError(ErrorCode.FENCED_INSTANCE_ID)
    const member = group.members.get(p.memberId)
    if (!member) return syncError(ErrorCode.UNKNOWN_MEMBER_ID)
    if (p.generationId !== group.generationId) return syncError(ErrorCode.ILLEGAL_GENERATION)
    switch (group.state) {
      case GroupState.Empty:
        return syncError(ErrorCode.UNKNOWN_MEMBER_ID)
      case GroupState.PreparingRebalance:
        return syncError(ErrorCode.REBALANCE_IN_PROGRESS)
      case GroupState.Stable:
        markSynced(group, p.memberId)
        this.scheduleHeartbeat(group, member)
        return {errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment}
      default:
        break
    }
    return new Promise((resolve) => {
      const previous = member.awaitingSync
      member.awaitingSync = previous ? (r) => { previous(r); resolve(r) } : resolve
      markSynced(group, p.memberId)
      if (p.memberId === group.leaderId) applyLeaderAssignment(this, group, p.assignments)
    })
  }

  /** Handles Heartbeat; returns the error code. */
  heartbeat(groupId: string, generationId: number, ref: MemberRef): number {
    if (!this.serves(groupId)) return ErrorCode.NOT_COORDINATOR
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID
    const group = this.groups.get(groupId)
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID
    if (group.is(GroupState.Dead)) return ErrorCode.COORDINATOR_NOT_AVAILABLE
    if (group.isStaticMemberFenced(ref.memberId, ref.groupInstanceId)) return ErrorCode.FENCED_INSTANCE_ID
    const member = group.members.get(ref.memberId)
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION
    switch (group.state) {
      case GroupState.Empty:
        return ErrorCode.UNKNOWN_MEMBER_ID
      case GroupState.PreparingRebalance:
        this.scheduleHeartbeat(group, member)
        return ErrorCode.REBALANCE_IN_PROGRESS
      default:
        // CompletingRebalance too: members may heartbeat between their join and sync.
        this.scheduleHeartbeat(group, member)
        return ErrorCode.NONE
    }
  }

  /** Handles LeaveGroup: top-level error and one error per leaving member. */
  leaveGroup(groupId: string, leaving: MemberRef[]): {errorCode: number; members: (MemberRef & {errorCode: number})[]} {
    if (!this.serves(groupId)) return {errorCode: ErrorCode.NOT_COORDINATOR, members: []}
    if (groupId === '') return {errorCode: ErrorCode.INVALID_GROUP_ID, members: []}
    const group = this.groups.get(groupId)
    if (!group) return {errorCode: ErrorCode.NONE, members: leaving.map((m) => ({...m, errorCode: ErrorCode.UNKNOWN_MEMBER_ID}))}
    if (group.is(GroupState.Dead)) return {errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: []}
    const members = leaving.map((ref) => ({...ref, errorCode: leaveOne(this, group, ref)}))
    dropIfUnused(this, group)
    return {errorCode: ErrorCode.NONE, members}
  }

  /** Internal (offsets.ts, replay.ts, the rebalance): (re)starts a member's session timer; `timeoutMs` defaults to its session timeout. */
  scheduleHeartbeat(group: GroupMetadata, member: MemberMetadata, timeoutMs = member.sessionTimeoutMs): void {
    scheduleHeartbeat(this, group, member, timeoutMs)
  }

  /** Internal (admin.ts): tombstones the group and its offsets, then forgets it (Dead). */
  removeGroup(group: GroupMetadata): void {
    removeGroup(this, group)
  }

  /** Handles DescribeGroups for one group (unknown groups read as Dead, like Kafka). */
  describeGroup(groupId: string): GroupDescription {
    return describeGroup(this, groupId)
  }

  /** Handles ListGroups: every live group, optionally only those in `states` (case-insensitive). */
  listGroups(states: string[] = []): {groupId: string; protocolType: string; groupState: string}[] {
    return listGroups(this, states)
  }

  /** Handles DeleteGroups: only empty groups go, with tombstones for the group and all its offsets. */
  deleteGroups(groupIds: string[]): {groupId: string; errorCode: number}[] {
    return deleteGroups(this, groupIds)
  }

  /** Handles OffsetCommit; one error code per partition, in request order. */
  async commitOffsets(req: CommitRequest): Promise<number[]> {
    if (!this.serves(req.groupId)) return req.offsets.map(() => ErrorCode.NOT_COORDINATOR)
    try {
      await this.store.ensure()
    } catch {
      return req.offsets.map(() => ErrorCode.COORDINATOR_NOT_AVAILABLE)
    }
    if (!this.serves(req.groupId)) return req.offsets.map(() => ErrorCode.NOT_COORDINATOR)
    const errors = commitOffsets(this, req)
    if (this.store.awaitReplicated && errors.includes(ErrorCode.NONE) &&
      !(await this.store.awaitReplicated(req.groupId, OFFSET_COMMIT_TIMEOUT_MS))) {
      // Not on the ISR in time (Kafka maps its append timeout so): the client retries, possibly at the next coordinator.
      return errors.map((e) => (e === ErrorCode.NONE ? ErrorCode.COORDINATOR_NOT_AVAILABLE : e))
    }
    return errors
  }

  /** Handles OffsetFetch for one group; `topics` null = every committed offset. */
  fetchOffsets(groupId: string, topics: {name: string; partitionIndexes: number[]}[] | null): FetchResult {
    if (!this.serves(groupId)) return {errorCode: ErrorCode.NOT_COORDINATOR, topics: []}
    return fetchOffsets(this, groupId, topics)
  }

  /** Handles OffsetDelete. */
  deleteOffsets(groupId: string, partitions: {topic: string; partition: number}[]): {errorCode: number; errors: number[]} {
    if (!this.serves(groupId)) return {errorCode: ErrorCode.NOT_COORDINATOR, errors: []}
    return deleteOffsets(this, groupId, partitions)
  }

  /** Expires old offsets and forgets empty groups without offsets (also run by the retention timer). */
  cleanupGroupMetadata(): number {
    let removed = 0
    for (const group of [...this.groups.values()]) {
      try {
        removed += removeExpiredOffsets(this, group)
      } catch (err) {
        this.logger('warn', `group ${group.groupId}: offset expiry failed: ${(err as Error).message}`)
      }
    }
    return removed
  }

  private scheduleRetention(): void {
    this.retentionTimer = this.clock.schedule(this.config.retentionCheckIntervalMs, () => {
      if (!this.active) return
      const n = this.cleanupGroupMetadata()
      if (n > 0) this.logger('info', `removed ${n} expired offsets`)
      this.scheduleRetention()
    })
  }
}
