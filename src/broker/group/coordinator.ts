/**
 * GroupCoordinator: Kafka's classic group protocol on one node. Members JoinGroup; the group waits
 * (PreparingRebalance) until every known member has rejoined or the rebalance timeout passes -- a
 * new group first waits group.initial.rebalance.delay.ms for more members -- then starts a new
 * generation (CompletingRebalance), picks the protocol by vote, and answers every join; the leader
 * gets the member list. The leader's SyncGroup carries the assignment, which is stored in
 * __consumer_offsets and handed to every member (Stable). Heartbeats keep members alive; a missed
 * session timeout or a LeaveGroup removes a member and starts another rebalance.
 * All state changes run synchronously on the event loop, so nothing interleaves; delayed answers
 * are pending promises completed later by callbacks. Offsets: see offsets.ts.
 */
import {randomUUID} from 'node:crypto'
import {ErrorCode} from '../../protocol/index.js'
import {systemClock, type GroupClock, type GroupTimer} from './clock.js'
import type {GroupConfig} from './config.js'
import {GroupMetadata, GroupState} from './group-metadata.js'
import {EMPTY, MemberMetadata, type JoinResult, type MemberProtocol, type SyncResult} from './member.js'
import {describeGroup, listGroups, deleteGroups, type GroupDescription} from './admin.js'
import {commitOffsets, deleteOffsets, fetchOffsets, removeExpiredOffsets, type CommitRequest, type FetchResult} from './offsets.js'
import {groupMetadataKey, groupMetadataValue, offsetCommitKey} from './records.js'
import {abandonGroup, ownsGroup, startOwnership} from './ownership.js'
import type {GroupStore, StoreRecord} from './offsets-topic.js'

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
    return new Promise((resolve) => this.doJoin(p, resolve))
  }

  private doJoin(p: JoinGroupParams, respond: (r: JoinResult) => void): void {
    const isUnknown = p.memberId === ''
    let group = this.groups.get(p.groupId)
    if (!group) {
      if (!isUnknown) return respond(joinError(ErrorCode.UNKNOWN_MEMBER_ID, p.memberId))
      group = new GroupMetadata(p.groupId, this.clock.now())
      this.groups.set(p.groupId, group)
    }
    if (!group.has(p.memberId) && !group.pendingMembers.has(p.memberId) && group.size >= this.config.maxGroupSize) {
      respond(joinError(ErrorCode.GROUP_MAX_SIZE_REACHED, p.memberId))
    } else if (isUnknown) {
      this.joinNewMember(group, p, respond)
    } else {
      this.joinExistingMember(group, p, respond)
    }
    this.dropIfUnused(group)
  }

  private joinNewMember(group: GroupMetadata, p: JoinGroupParams, respond: (r: JoinResult) => void): void {
    if (group.is(GroupState.Dead)) return respond(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, p.memberId))
    if (!group.supportsProtocols(p.protocolType, p.protocols)) return respond(joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, p.memberId))
    const memberId = `${p.clientId}-${randomUUID()}`
    if (p.groupInstanceId !== null) return this.joinStaticMember(group, p, memberId, respond)
    if (p.requireKnownMemberId) {
      // KIP-394: the member must come back with this id; until then it counts as joining.
      group.pendingMembers.set(memberId, this.clock.schedule(p.sessionTimeoutMs, () => this.expirePendingMember(group, memberId)))
      return respond({...joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId)})
    }
    this.addMemberAndRebalance(group, p, memberId, respond)
  }

  /** A static member (group.instance.id) joining without a member id: new, or a restart that takes over. */
  private joinStaticMember(group: GroupMetadata, p: JoinGroupParams, memberId: string, respond: (r: JoinResult) => void): void {
    const oldId = group.staticMemberId(p.groupInstanceId)
    const old = oldId === undefined ? undefined : group.members.get(oldId)
    if (!old) return this.addMemberAndRebalance(group, p, memberId, respond)
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
      this.storeGroupQuietly(group)
      this.scheduleHeartbeat(group, member)
      return respond(this.currentJoinResult(group, memberId))
    }
    this.updateMemberAndRebalance(group, member, p, respond)
  }

  private joinExistingMember(group: GroupMetadata, p: JoinGroupParams, respond: (r: JoinResult) => void): void {
    if (group.is(GroupState.Dead)) return respond(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, p.memberId))
    if (!group.supportsProtocols(p.protocolType, p.protocols)) return respond(joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, p.memberId))
    if (group.pendingMembers.has(p.memberId)) return this.addMemberAndRebalance(group, p, p.memberId, respond)
    if (group.isStaticMemberFenced(p.memberId, p.groupInstanceId)) return respond(joinError(ErrorCode.FENCED_INSTANCE_ID, p.memberId))
    const member = group.members.get(p.memberId)
    if (!member) return respond(joinError(ErrorCode.UNKNOWN_MEMBER_ID, p.memberId))
    switch (group.state) {
      case GroupState.PreparingRebalance:
        return this.updateMemberAndRebalance(group, member, p, respond)
      case GroupState.CompletingRebalance:
        // A retried join with nothing new gets the current generation again.
        if (member.matches(p.protocols)) return respond(this.currentJoinResult(group, p.memberId))
        return this.updateMemberAndRebalance(group, member, p, respond)
      case GroupState.Stable:
        // The leader rejoining means it wants a new assignment (e.g. metadata changed).
        if (p.memberId === group.leaderId || !member.matches(p.protocols)) return this.updateMemberAndRebalance(group, member, p, respond)
        return respond(this.currentJoinResult(group, p.memberId))
      default:
        return respond(joinError(ErrorCode.UNKNOWN_MEMBER_ID, p.memberId))
    }
  }

  private addMemberAndRebalance(group: GroupMetadata, p: JoinGroupParams, memberId: string, respond: (r: JoinResult) => void): void {
    const member = new MemberMetadata(memberId, p.groupInstanceId, p.clientId, p.clientHost, p.rebalanceTimeoutMs,
      p.sessionTimeoutMs, p.protocolType, p.protocols)
    member.isNew = true
    // During the initial delay each newcomer extends the wait once more.
    if (group.is(GroupState.PreparingRebalance) && group.generationId === 0) group.newMemberAdded = true
    group.add(member)
    member.awaitingJoin = respond
    this.scheduleHeartbeat(group, member, this.config.newMemberJoinTimeoutMs)
    this.maybePrepareRebalance(group, `adding new member ${memberId}`)
    this.tryCompleteJoin(group)
  }

  private updateMemberAndRebalance(group: GroupMetadata, member: MemberMetadata, p: JoinGroupParams, respond: (r: JoinResult) => void): void {
    member.protocols = p.protocols
    member.rebalanceTimeoutMs = p.rebalanceTimeoutMs
    member.sessionTimeoutMs = p.sessionTimeoutMs
    member.clientId = p.clientId
    member.clientHost = p.clientHost
    // A join retried while the first is still pending: both get the generation's answer.
    const previous = member.awaitingJoin
    member.awaitingJoin = previous ? (r) => { previous(r); respond(r) } : respond
    this.maybePrepareRebalance(group, `member ${member.memberId} rejoined`)
    this.tryCompleteJoin(group)
  }

  private maybePrepareRebalance(group: GroupMetadata, reason: string): void {
    if (group.canRebalance()) this.prepareRebalance(group, reason)
  }

  private prepareRebalance(group: GroupMetadata, reason: string): void {
    if (group.is(GroupState.CompletingRebalance)) this.resetAndPropagateAssignmentError(group, ErrorCode.REBALANCE_IN_PROGRESS)
    group.syncTimer?.cancel()
    group.syncTimer = null
    group.pendingSyncMembers.clear()
    group.joinTimer?.cancel()
    const initial = group.is(GroupState.Empty)
    group.transitionTo(GroupState.PreparingRebalance, this.clock.now())
    this.logger('info', `group ${group.groupId}: preparing to rebalance in generation ${group.generationId} (${reason})`)
    if (initial) {
      const delay = this.config.initialRebalanceDelayMs
      this.scheduleInitialJoin(group, delay, Math.max(group.rebalanceTimeoutMs() - delay, 0))
    } else {
      group.joinTimer = this.clock.schedule(group.rebalanceTimeoutMs(), () => this.completeJoin(group))
      group.initialDelay = false
    }
  }

  /** The initial delay of a new group: extended (up to the rebalance timeout) while members keep arriving. */
  private scheduleInitialJoin(group: GroupMetadata, delayMs: number, remainingMs: number): void {
    group.initialDelay = true
    group.joinTimer = this.clock.schedule(delayMs, () => {
      if (group.newMemberAdded && remainingMs !== 0) {
        group.newMemberAdded = false
        const next = Math.min(this.config.initialRebalanceDelayMs, remainingMs)
        this.scheduleInitialJoin(group, next, Math.max(remainingMs - next, 0))
      } else {
        this.completeJoin(group)
      }
    })
  }

  /** Completes the join phase early when every member has rejoined (never during the initial delay). */
  private tryCompleteJoin(group: GroupMetadata): void {
    if (group.is(GroupState.PreparingRebalance) && !group.initialDelay && group.hasAllMembersJoined()) this.completeJoin(group)
  }

  /** The join phase ends: drop members that did not rejoin, start the next generation, answer the joins. */
  private completeJoin(group: GroupMetadata): void {
    group.joinTimer?.cancel()
    group.joinTimer = null
    group.initialDelay = false
    if (!group.is(GroupState.PreparingRebalance) || this.groups.get(group.groupId) !== group) return
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
        group.joinTimer = this.clock.schedule(group.rebalanceTimeoutMs(), () => this.completeJoin(group))
        return
      }
    }
    const now = this.clock.now()
    group.generationId++
    if (group.size === 0) {
      group.protocolName = null
      group.leaderId = null
      group.transitionTo(GroupState.Empty, now)
      this.logger('info', `group ${group.groupId} with generation ${group.generationId} is now empty`)
      this.storeGroupQuietly(group)
      return
    }
    group.protocolName = group.selectProtocol()
    group.transitionTo(GroupState.CompletingRebalance, now)
    this.logger('info', `group ${group.groupId}: generation ${group.generationId} (${group.protocolName}) with ${group.size} members`)
    for (const m of group.members.values()) {
      if (!m.isAwaitingJoin) continue
      m.isNew = false
      group.pendingSyncMembers.add(m.memberId)
      m.completeJoin(this.currentJoinResult(group, m.memberId))
      this.scheduleHeartbeat(group, m)
    }
    const generation = group.generationId
    group.syncTimer = this.clock.schedule(group.rebalanceTimeoutMs(), () => this.expirePendingSync(group, generation))
  }

  /** Members that got their join answer but never synced within the rebalance timeout are removed. */
  private expirePendingSync(group: GroupMetadata, generation: number): void {
    group.syncTimer = null
    if (generation !== group.generationId || group.pendingSyncMembers.size === 0) return
    if (!group.is(GroupState.CompletingRebalance) && !group.is(GroupState.Stable)) return
    for (const id of [...group.pendingSyncMembers]) {
      group.members.get(id)?.heartbeatTimer?.cancel()
      group.remove(id)
    }
    group.pendingSyncMembers.clear()
    this.maybePrepareRebalance(group, 'members did not sync in time')
    this.tryCompleteJoin(group)
  }

  private currentJoinResult(group: GroupMetadata, memberId: string): JoinResult {
    const isLeader = memberId === group.leaderId
    return {
      errorCode: ErrorCode.NONE, generationId: group.generationId, protocolType: group.protocolType,
      protocolName: group.protocolName, leader: group.leaderId ?? '', memberId,
      members: isLeader
        ? [...group.members.values()].map((m) => ({memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadataFor(group.protocolName)}))
        : [],
    }
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
        this.markSynced(group, p.memberId)
        this.scheduleHeartbeat(group, member)
        return {errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment}
      default:
        break
    }
    return new Promise((resolve) => {
      const previous = member.awaitingSync
      member.awaitingSync = previous ? (r) => { previous(r); resolve(r) } : resolve
      this.markSynced(group, p.memberId)
      if (p.memberId === group.leaderId) this.applyLeaderAssignment(group, p.assignments)
    })
  }

  private markSynced(group: GroupMetadata, memberId: string): void {
    group.pendingSyncMembers.delete(memberId)
    if (group.pendingSyncMembers.size === 0) {
      group.syncTimer?.cancel()
      group.syncTimer = null
    }
  }

  /** Stores the leader's assignment with the group, then hands each member its part (Stable). */
  private applyLeaderAssignment(group: GroupMetadata, list: {memberId: string; assignment: Buffer}[]): void {
    const assignment = new Map<string, Buffer>()
    for (const a of list) if (group.has(a.memberId)) assignment.set(a.memberId, a.assignment ?? EMPTY)
    try {
      this.storeGroup(group, assignment)
    } catch (err) {
      this.logger('error', `group ${group.groupId}: storing the assignment failed: ${(err as Error).message}`)
      this.resetAndPropagateAssignmentError(group, ErrorCode.COORDINATOR_NOT_AVAILABLE)
      this.maybePrepareRebalance(group, 'storing the assignment failed')
      return
    }
    for (const m of group.members.values()) m.assignment = assignment.get(m.memberId) ?? EMPTY
    group.transitionTo(GroupState.Stable, this.clock.now())
    this.propagateAssignment(group, ErrorCode.NONE)
    this.logger('info', `group ${group.groupId}: generation ${group.generationId} is stable`)
  }

  private resetAndPropagateAssignmentError(group: GroupMetadata, errorCode: number): void {
    for (const m of group.members.values()) m.assignment = EMPTY
    this.propagateAssignment(group, errorCode)
  }

  /** Answers every waiting SyncGroup and restarts the session timers (expiries were ignored meanwhile). */
  private propagateAssignment(group: GroupMetadata, errorCode: number): void {
    for (const m of group.members.values()) {
      if (m.isAwaitingSync) {
        m.completeSync({errorCode, protocolType: group.protocolType, protocolName: group.protocolName, assignment: errorCode === 0 ? m.assignment : EMPTY})
      }
      this.scheduleHeartbeat(group, m)
    }
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
    const members = leaving.map((ref) => ({...ref, errorCode: this.leaveOne(group, ref)}))
    this.dropIfUnused(group)
    return {errorCode: ErrorCode.NONE, members}
  }

  private leaveOne(group: GroupMetadata, ref: MemberRef): number {
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
      this.tryCompleteJoin(group)
      return ErrorCode.NONE
    }
    const member = group.members.get(memberId)
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID
    this.logger('info', `group ${group.groupId}: member ${memberId} left`)
    this.removeMemberAndUpdateGroup(group, member, `member ${memberId} left the group`)
    return ErrorCode.NONE
  }

  /** Internal: a member is gone (left or expired); the group rebalances without it. */
  removeMemberAndUpdateGroup(group: GroupMetadata, member: MemberMetadata, reason: string): void {
    member.completeJoin(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId))
    member.completeSync(syncError(ErrorCode.UNKNOWN_MEMBER_ID))
    member.heartbeatTimer?.cancel()
    group.remove(member.memberId)
    switch (group.state) {
      case GroupState.Stable:
      case GroupState.CompletingRebalance:
        this.maybePrepareRebalance(group, reason)
        this.tryCompleteJoin(group)
        break
      case GroupState.PreparingRebalance:
        this.tryCompleteJoin(group)
        break
      default:
        break
    }
  }

  /** Internal: (re)starts a member's session timer; `timeoutMs` defaults to its session timeout. */
  scheduleHeartbeat(group: GroupMetadata, member: MemberMetadata, timeoutMs = member.sessionTimeoutMs): void {
    member.heartbeatTimer?.cancel()
    member.heartbeatTimer = this.clock.schedule(timeoutMs, () => this.onHeartbeatExpired(group, member))
  }

  private onHeartbeatExpired(group: GroupMetadata, member: MemberMetadata): void {
    member.heartbeatTimer = null
    if (!this.active || group.members.get(member.memberId) !== member) return
    // Mid-rebalance the rebalance timeout governs existing members; new ones have their own deadline.
    if (!member.isNew && (member.isAwaitingJoin || member.isAwaitingSync)) return this.scheduleHeartbeat(group, member)
    this.logger('info', `group ${group.groupId}: member ${member.memberId} expired (session timeout ${member.sessionTimeoutMs} ms)`)
    this.removeMemberAndUpdateGroup(group, member, `member ${member.memberId} session expired`)
  }

  private expirePendingMember(group: GroupMetadata, memberId: string): void {
    if (!group.pendingMembers.delete(memberId)) return
    this.tryCompleteJoin(group)
    this.dropIfUnused(group)
  }

  /** A group made only by a failed first join (no members, no offsets, no history) is forgotten. */
  private dropIfUnused(group: GroupMetadata): void {
    if (group.is(GroupState.Empty) && group.size === 0 && group.pendingMembers.size === 0 && group.generationId === 0 &&
      !group.hasOffsets && this.groups.get(group.groupId) === group) {
      this.groups.delete(group.groupId)
    }
  }

  /** Internal: writes the group metadata record (with `assignment` overriding the members' current ones). */
  storeGroup(group: GroupMetadata, assignment?: Map<string, Buffer>): void {
    const now = this.clock.now()
    const value = groupMetadataValue({
      protocolType: group.protocolType ?? '', generation: group.generationId, protocol: group.protocolName,
      leader: group.leaderId, currentStateTimestamp: BigInt(group.currentStateTimestamp),
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs, sessionTimeout: m.sessionTimeoutMs,
        subscription: m.metadataFor(group.protocolName), assignment: assignment?.get(m.memberId) ?? m.assignment,
      })),
    })
    this.store.append(group.groupId, [{key: groupMetadataKey(group.groupId), value}], now)
  }

  private storeGroupQuietly(group: GroupMetadata): void {
    try {
      this.storeGroup(group)
    } catch (err) {
      this.logger('error', `group ${group.groupId}: storing group metadata failed: ${(err as Error).message}`)
    }
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

  /** Internal: tombstones the group and its offsets, then forgets it (Dead). */
  removeGroup(group: GroupMetadata): void {
    const records: StoreRecord[] = []
    for (const [topic, parts] of group.offsets) for (const p of parts.keys()) records.push({key: offsetCommitKey(group.groupId, topic, p), value: null})
    records.push({key: groupMetadataKey(group.groupId), value: null})
    this.store.append(group.groupId, records, this.clock.now())
    group.offsets.clear()
    group.joinTimer?.cancel()
    group.syncTimer?.cancel()
    for (const t of group.pendingMembers.values()) t.cancel()
    group.transitionTo(GroupState.Dead, this.clock.now())
    this.groups.delete(group.groupId)
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

/** A JoinGroup error answer. */
export function joinError(errorCode: number, memberId: string): JoinResult {
  return {errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: []}
}

/** A SyncGroup error answer. */
export function syncError(errorCode: number): SyncResult {
  return {errorCode, protocolType: null, protocolName: null, assignment: EMPTY}
}
