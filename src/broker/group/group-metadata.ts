/**
 * GroupMetadata: the state of one classic group -- its state machine (Empty, PreparingRebalance,
 * CompletingRebalance, Stable, Dead), generation, chosen protocol, leader, members (and static
 * members by instance id, and "pending" members that got MEMBER_ID_REQUIRED but have not yet
 * rejoined), and its committed offsets. Pure bookkeeping: the coordinator drives the transitions.
 */
import type {GroupTimer} from './clock.js'
import type {MemberMetadata, MemberProtocol} from './member.js'

/** Kafka's classic group states; the names are what DescribeGroups/ListGroups report. */
export enum GroupState {
  Empty = 'Empty',
  PreparingRebalance = 'PreparingRebalance',
  CompletingRebalance = 'CompletingRebalance',
  Stable = 'Stable',
  Dead = 'Dead',
}

/** Which states each state may be entered from. */
const VALID_PREVIOUS: Record<GroupState, GroupState[]> = {
  [GroupState.Empty]: [GroupState.PreparingRebalance],
  [GroupState.PreparingRebalance]: [GroupState.Stable, GroupState.CompletingRebalance, GroupState.Empty],
  [GroupState.CompletingRebalance]: [GroupState.PreparingRebalance],
  [GroupState.Stable]: [GroupState.CompletingRebalance],
  [GroupState.Dead]: [GroupState.Stable, GroupState.PreparingRebalance, GroupState.CompletingRebalance, GroupState.Empty, GroupState.Dead],
}

/** A committed offset of one partition. */
export interface CommittedOffset {
  offset: bigint
  leaderEpoch: number
  metadata: string
  commitTimestamp: number
  /** -1 = none: retention is then counted from when the group became empty. */
  expireTimestamp: number
}

/** The state of one group; see the file comment. */
export class GroupMetadata {
  state = GroupState.Empty
  generationId = 0
  protocolType: string | null = null
  protocolName: string | null = null
  leaderId: string | null = null
  readonly members = new Map<string, MemberMetadata>()
  /** groupInstanceId -> memberId of static members. */
  readonly staticMembers = new Map<string, string>()
  /** Member ids handed out with MEMBER_ID_REQUIRED, with their expiry timers. */
  readonly pendingMembers = new Map<string, GroupTimer>()
  /** Members that got a join response but have not sent SyncGroup yet. */
  readonly pendingSyncMembers = new Set<string>()
  /** During the initial delay: a member joined, so the delay is extended once more. */
  newMemberAdded = false
  /** When the group entered its current state (retention of an empty group counts from here). */
  currentStateTimestamp: number
  /** The delayed join (initial delay or rebalance timeout) and the pending-sync deadline. */
  joinTimer: GroupTimer | null = null
  /** The pending join is the initial delay of a new group, which only its timer completes. */
  initialDelay = false
  syncTimer: GroupTimer | null = null
  /** topic -> partition -> committed offset. */
  readonly offsets = new Map<string, Map<number, CommittedOffset>>()

  constructor(readonly groupId: string, now: number) {
    this.currentStateTimestamp = now
  }

  is(state: GroupState): boolean {
    return this.state === state
  }

  /** Changes state; an invalid transition is a coordinator bug, so it throws. */
  transitionTo(state: GroupState, now: number): void {
    if (!VALID_PREVIOUS[state].includes(this.state)) {
      throw new Error(`group ${this.groupId}: invalid transition from ${this.state} to ${state}`)
    }
    this.state = state
    this.currentStateTimestamp = now
  }

  /** Rebalances start only from these states. */
  canRebalance(): boolean {
    return VALID_PREVIOUS[GroupState.PreparingRebalance].includes(this.state)
  }

  has(memberId: string): boolean {
    return this.members.has(memberId)
  }

  get size(): number {
    return this.members.size
  }

  /** Adds a member; the first member sets the protocol type and becomes leader. */
  add(member: MemberMetadata): void {
    if (this.members.size === 0) this.protocolType = member.protocolType
    this.members.set(member.memberId, member)
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId)
    if (this.leaderId === null) this.leaderId = member.memberId
    this.pendingMembers.get(member.memberId)?.cancel()
    this.pendingMembers.delete(member.memberId)
  }

  /** Removes a member; if it led, another member takes over. */
  remove(memberId: string): void {
    const member = this.members.get(memberId)
    if (!member) return
    this.members.delete(memberId)
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) {
      this.staticMembers.delete(member.groupInstanceId)
    }
    this.pendingSyncMembers.delete(memberId)
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null
  }

  /** The member id a static instance id currently maps to. */
  staticMemberId(groupInstanceId: string | null): string | undefined {
    return groupInstanceId === null ? undefined : this.staticMembers.get(groupInstanceId)
  }

  /** A static member whose instance id now belongs to another member id has been replaced (fenced). */
  isStaticMemberFenced(memberId: string, groupInstanceId: string | null): boolean {
    const current = this.staticMemberId(groupInstanceId)
    return current !== undefined && current !== memberId
  }

  /** Every member has rejoined and nobody we handed a member id to is still on the way. */
  hasAllMembersJoined(): boolean {
    for (const m of this.members.values()) if (!m.isAwaitingJoin) return false
    return this.pendingMembers.size === 0
  }

  /** The longest rebalance timeout of the members: how long a rebalance may wait for them. */
  rebalanceTimeoutMs(): number {
    let max = 0
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs)
    return max
  }

  /** Protocol names every member supports. */
  private candidateProtocols(): Set<string> {
    let candidates: Set<string> | null = null
    for (const m of this.members.values()) {
      const names = new Set(m.protocols.map((p) => p.name))
      const prev: Set<string> | null = candidates
      candidates = prev === null ? names : new Set([...prev].filter((n: string) => names.has(n)))
    }
    return candidates ?? new Set<string>()
  }

  /** A new member's protocols are acceptable: same type and at least one protocol all others support. */
  supportsProtocols(protocolType: string, protocols: MemberProtocol[]): boolean {
    if (this.members.size === 0) return protocolType !== '' && protocols.length > 0
    const candidates = this.candidateProtocols()
    return protocolType === this.protocolType && protocols.some((p) => candidates.has(p.name))
  }

  /** Kafka's vote: each member votes for its most preferred protocol that all members support. */
  selectProtocol(): string | null {
    const candidates = this.candidateProtocols()
    const votes = new Map<string, number>()
    for (const m of this.members.values()) {
      const choice = m.protocols.find((p) => candidates.has(p.name))
      if (choice) votes.set(choice.name, (votes.get(choice.name) ?? 0) + 1)
    }
    let best: string | null = null
    let bestVotes = -1
    for (const [name, n] of votes) if (n > bestVotes) [best, bestVotes] = [name, n]
    return best
  }

  /** Topics the members subscribe to (consumer protocol), or null when unknown (then assume all). */
  subscribedTopics(): Set<string> | null {
    if (this.protocolType !== 'consumer' || this.protocolName === null) return this.members.size === 0 ? new Set() : null
    const topics = new Set<string>()
    for (const m of this.members.values()) {
      const list = consumerSubscriptionTopics(m.metadataFor(this.protocolName))
      if (list === null) return null
      for (const t of list) topics.add(t)
    }
    return topics
  }

  /** The committed offset of a partition. */
  offset(topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.get(topic)?.get(partition)
  }

  setOffset(topic: string, partition: number, o: CommittedOffset): void {
    let byPartition = this.offsets.get(topic)
    if (!byPartition) this.offsets.set(topic, (byPartition = new Map()))
    byPartition.set(partition, o)
  }

  deleteOffset(topic: string, partition: number): boolean {
    const byPartition = this.offsets.get(topic)
    if (!byPartition?.delete(partition)) return false
    if (byPartition.size === 0) this.offsets.delete(topic)
    return true
  }

  get hasOffsets(): boolean {
    return this.offsets.size > 0
  }
}

/**
 * Topics of a ConsumerProtocolSubscription (version i16, topics [string], ...); null when the
 * bytes are not one, since a non-Java client may send anything.
 */
export function consumerSubscriptionTopics(metadata: Buffer): string[] | null {
  try {
    if (metadata.length < 6) return null
    let pos = 2
    const n = metadata.readInt32BE(pos)
    pos += 4
    if (n < 0 || n > 100_000) return null
    const topics: string[] = []
    for (let i = 0; i < n; i++) {
      const len = metadata.readInt16BE(pos)
      pos += 2
      if (len < 0 || pos + len > metadata.length) return null
      topics.push(metadata.toString('utf8', pos, pos + len))
      pos += len
    }
    return topics
  } catch {
    return null
  }
}
