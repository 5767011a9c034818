/**
 * ConsumerCoordinator: group membership of one consumer. It joins the group (JoinGroup, with
 * MEMBER_ID_REQUIRED from v4), runs the assignor when elected leader, syncs, heartbeats in the
 * background on a timer, and applies assignments through SubscriptionState, eagerly (revoke all,
 * then assign) or cooperatively (KIP-429: revoke only what moved, then rejoin once more).
 * Owned by the Consumer, which calls poll() from its own poll() so rebalance callbacks run there.
 */
import {Cluster, sleep} from '../client/index.js'
import {ErrorCode, KafkaError} from '../protocol/index.js'
import {assignorsFor, type PartitionAssignor, type RebalanceProtocol} from './assignors/index.js'
import type {ResolvedConsumerConfig} from './config.js'
import {decodeAssignment, encodeSubscription} from './consumer-protocol.js'
import {CoordinatorClient, COORDINATOR_ERRORS, type MemberIdentity} from './coordinator-client.js'
import {performAssignment} from './leader-assignment.js'
import type {SubscriptionState} from './subscription-state.js'
import {tpKey, type TopicPartition} from './types.js'

const JOIN_GROUP = 11
const HEARTBEAT = 12
const LEAVE_GROUP = 13
const SYNC_GROUP = 14

/** What the coordinator needs from the Consumer around a rebalance. */
export interface RebalanceHooks {
  /** Commits consumed positions of `tps` before they are given up (auto commit). */
  commitBeforeRevoke(tps: TopicPartition[]): Promise<void>
  revoked(tps: TopicPartition[]): Promise<void>
  assigned(tps: TopicPartition[]): Promise<void>
  lost(tps: TopicPartition[]): Promise<void>
  /** A background event (heartbeat saw a rebalance) wants poll() to run. */
  wake(): void
  /** A background error poll() should throw. */
  fail(err: Error): void
}

/** Group membership state machine of one consumer. */
export class ConsumerCoordinator {
  readonly client: CoordinatorClient
  readonly assignors: PartitionAssignor[]
  readonly protocol: RebalanceProtocol
  memberId = ''
  generationId = -1
  protocolName: string | null = null
  leaderId = ''
  private rejoinNeeded = true
  /** Set when the coordinator forgot this member: owned partitions are lost, not revoked. */
  private membershipLost = false
  private heartbeatTimer: NodeJS.Timeout | undefined
  private heartbeatInFlight = false
  private closed = false
  /** Time poll() last ran (max.poll.interval.ms is measured from it). */
  lastPoll = Date.now()
  /** Topics with their partition counts as the leader saw them at the last assignment. */
  private assignedMetadata = new Map<string, number>()

  constructor(private readonly cluster: Cluster, private readonly config: ResolvedConsumerConfig & {groupId: string},
    private readonly subs: SubscriptionState, private readonly hooks: RebalanceHooks) {
    this.client = new CoordinatorClient(cluster, config.groupId, config)
    this.assignors = assignorsFor(config.partitionAssignmentStrategy)
    // A mix of eager and cooperative assignors must behave eagerly (the safe upgrade path).
    this.protocol = this.assignors.every((a) => a.rebalanceProtocol === 'COOPERATIVE') ? 'COOPERATIVE' : 'EAGER'
  }

  /** Identity sent with commits. */
  get identity(): MemberIdentity {
    return {generationId: this.generationId, memberId: this.memberId, groupInstanceId: this.config.groupInstanceId ?? null}
  }

  /** True when the next poll() must (re)join. */
  get needsJoin(): boolean {
    return this.rejoinNeeded
  }

  /** Asks for a rejoin at the next poll() (subscription or metadata change, cooperative follow-up). */
  requestRejoin(): void {
    this.rejoinNeeded = true
    this.hooks.wake()
  }

  /** True when the leader's view of the subscribed topics' partition counts is out of date. */
  metadataChanged(counts: Map<string, number>): boolean {
    if (this.leaderId !== this.memberId || this.assignedMetadata.size === 0) return false
    for (const [t, n] of counts) if ((this.assignedMetadata.get(t) ?? 0) !== n) return true
    return false
  }

  /** Joins (or rejoins) the group when needed; returns once the member has an assignment. */
  async poll(): Promise<void> {
    this.lastPoll = Date.now()
    const deadline = Date.now() + this.config.rebalanceTimeoutMs + this.config.sessionTimeoutMs
    let prepared = false
    for (let attempt = 0; this.rejoinNeeded && !this.closed; attempt++) {
      if (Date.now() > deadline) throw new KafkaError(ErrorCode.REBALANCE_IN_PROGRESS, `could not join group "${this.config.groupId}" in time`)
      if (!prepared || this.membershipLost) {
        await this.onJoinPrepare()
        prepared = true
      }
      try {
        await this.joinAndSync()
      } catch (err) {
        if (!(err instanceof KafkaError) || !this.retriableJoinError(err.code)) throw err
        await sleep(Math.min(1000, this.config.retryBackoffMs * (1 + Math.min(attempt, 5))))
      }
    }
  }

  /** Sends LeaveGroup (not for static members) and stops heartbeating. */
  async close(leave: boolean): Promise<void> {
    this.stopHeartbeat()
    if (leave) await this.leaveGroup()
    this.closed = true
    this.memberId = ''
    this.generationId = -1
    this.client.close()
  }

  /** LeaveGroup for a dynamic member (static members stay until their session times out). */
  private async leaveGroup(): Promise<void> {
    if (this.memberId !== '' && this.config.groupInstanceId === undefined) {
      try {
        const conn = await this.client.connection()
        const v3 = conn.versionFor(LEAVE_GROUP) >= 3
        await conn.send(LEAVE_GROUP, v3
          ? {groupId: this.config.groupId, members: [{memberId: this.memberId, groupInstanceId: null}]}
          : {groupId: this.config.groupId, memberId: this.memberId}, {timeoutMs: this.config.requestTimeoutMs})
      } catch {
        // The session timeout removes the member anyway.
      }
    }
  }

  private retriableJoinError(code: number): boolean {
    return COORDINATOR_ERRORS.has(code) || code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS || code === ErrorCode.REBALANCE_IN_PROGRESS ||
      code === ErrorCode.UNKNOWN_MEMBER_ID || code === ErrorCode.ILLEGAL_GENERATION || code === ErrorCode.MEMBER_ID_REQUIRED
  }

  /** Before joining: commit, then revoke (eager: everything; cooperative: only unsubscribed topics). */
  private async onJoinPrepare(): Promise<void> {
    this.stopHeartbeat()
    const owned = this.subs.assignment()
    if (this.membershipLost) {
      // The membership was lost (session expired, fenced): another member may own these already,
      // so nothing is committed.
      this.membershipLost = false
      this.subs.setAssignment([])
      if (owned.length > 0) await this.hooks.lost(owned)
      return
    }
    const revoke = this.protocol === 'EAGER' ? owned : owned.filter((tp) => !this.subs.matches(tp.topic))
    if (revoke.length === 0) return
    await this.hooks.commitBeforeRevoke(revoke)
    this.subs.removePartitions(revoke)
    await this.hooks.revoked(revoke)
  }

  private async joinAndSync(): Promise<void> {
    const owned = this.protocol === 'COOPERATIVE' ? this.subs.assignment() : []
    const topics = [...this.subs.topics].sort()
    const protocols = this.assignors.map((a) => ({
      name: a.name,
      metadata: encodeSubscription({topics, userData: null, ownedPartitions: owned, generationId: this.generationId, rackId: null}),
    }))
    const res = await this.client.send<any>(JOIN_GROUP, {
      groupId: this.config.groupId, sessionTimeoutMs: this.config.sessionTimeoutMs, rebalanceTimeoutMs: this.config.rebalanceTimeoutMs,
      memberId: this.memberId, groupInstanceId: this.config.groupInstanceId ?? null, protocolType: 'consumer', protocols,
    }, this.config.rebalanceTimeoutMs + 5_000)
    switch (res.errorCode) {
      case ErrorCode.NONE:
        break
      case ErrorCode.MEMBER_ID_REQUIRED:
        // JoinGroup v4+: the coordinator hands out the id first; join again with it right away.
        this.memberId = res.memberId
        throw new KafkaError(res.errorCode, 'member id required')
      case ErrorCode.UNKNOWN_MEMBER_ID:
      case ErrorCode.ILLEGAL_GENERATION:
        this.resetGeneration(res.errorCode === ErrorCode.UNKNOWN_MEMBER_ID)
        throw new KafkaError(res.errorCode, `group "${this.config.groupId}" forgot this member`)
      default:
        if (COORDINATOR_ERRORS.has(res.errorCode)) this.client.markUnknown()
        throw new KafkaError(res.errorCode, joinFailure(res.errorCode, this.config.groupId))
    }
    this.memberId = res.memberId
    this.leaderId = res.leader
    this.protocolName = res.protocolName
    const generationId: number = res.generationId
    let assignments: Array<{memberId: string; assignment: Buffer}> = []
    if (res.leader === res.memberId) {
      const assignor = this.assignors.find((a) => a.name === res.protocolName)
      if (!assignor) throw new KafkaError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, `group "${this.config.groupId}" chose unknown assignor "${res.protocolName}"`)
      const result = await performAssignment(this.cluster, assignor, this.protocol, res.members)
      this.assignedMetadata = result.partitionCounts
      assignments = result.assignments
    }
    const sync = await this.client.send<any>(SYNC_GROUP, {
      groupId: this.config.groupId, generationId, memberId: this.memberId,
      groupInstanceId: this.config.groupInstanceId ?? null, protocolType: 'consumer', protocolName: res.protocolName, assignments,
    }, this.config.rebalanceTimeoutMs + 5_000)
    if (sync.errorCode !== ErrorCode.NONE) {
      if (sync.errorCode === ErrorCode.UNKNOWN_MEMBER_ID || sync.errorCode === ErrorCode.ILLEGAL_GENERATION) {
        this.resetGeneration(sync.errorCode === ErrorCode.UNKNOWN_MEMBER_ID)
      }
      if (COORDINATOR_ERRORS.has(sync.errorCode)) this.client.markUnknown()
      throw new KafkaError(sync.errorCode, joinFailure(sync.errorCode, this.config.groupId))
    }
    this.generationId = generationId
    this.rejoinNeeded = false
    await this.onJoinComplete(decodeAssignment(sync.assignment).partitions)
    this.startHeartbeat()
  }

  private async onJoinComplete(assigned: TopicPartition[]): Promise<void> {
    const ownedKeys = new Set(this.subs.assignment().map((tp) => tpKey(tp.topic, tp.partition)))
    const newKeys = new Set(assigned.map((tp) => tpKey(tp.topic, tp.partition)))
    const revoked = this.subs.assignment().filter((tp) => !newKeys.has(tpKey(tp.topic, tp.partition)))
    const added = assigned.filter((tp) => !ownedKeys.has(tpKey(tp.topic, tp.partition)))
    if (revoked.length > 0) {
      // Cooperative: give up what moved, then rejoin so the new owner can get it (KIP-429).
      await this.hooks.commitBeforeRevoke(revoked)
      this.subs.removePartitions(revoked)
      await this.hooks.revoked(revoked)
      this.requestRejoin()
    }
    this.subs.addPartitions(added)
    await this.hooks.assigned(added)
  }

  private resetGeneration(forgetMemberId: boolean): void {
    this.generationId = -1
    this.membershipLost = true
    if (forgetMemberId) this.memberId = ''
    this.rejoinNeeded = true
  }

  private startHeartbeat(): void {
    this.stopHeartbeat()
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.config.heartbeatIntervalMs)
    this.heartbeatTimer.unref?.()
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer)
    this.heartbeatTimer = undefined
  }

  private async heartbeat(): Promise<void> {
    if (this.heartbeatInFlight || this.closed || this.rejoinNeeded) return
    if (Date.now() - this.lastPoll > this.config.maxPollIntervalMs) {
      // The application stopped polling: leave so the group can move on (Kafka's poll timeout).
      this.stopHeartbeat()
      await this.leaveGroup()
      this.resetGeneration(true)
      this.hooks.wake()
      return
    }
    this.heartbeatInFlight = true
    try {
      const res = await this.client.send<any>(HEARTBEAT, {
        groupId: this.config.groupId, generationId: this.generationId, memberId: this.memberId,
        groupInstanceId: this.config.groupInstanceId ?? null,
      })
      switch (res.errorCode) {
        case ErrorCode.NONE:
          return
        case ErrorCode.REBALANCE_IN_PROGRESS:
          this.requestRejoin()
          return
        case ErrorCode.ILLEGAL_GENERATION:
        case ErrorCode.UNKNOWN_MEMBER_ID:
          this.resetGeneration(res.errorCode === ErrorCode.UNKNOWN_MEMBER_ID)
          this.hooks.wake()
          return
        case ErrorCode.FENCED_INSTANCE_ID:
          this.stopHeartbeat()
          this.hooks.fail(new KafkaError(res.errorCode, `group "${this.config.groupId}": another consumer uses group.instance.id "${this.config.groupInstanceId}"`))
          return
        default:
          if (COORDINATOR_ERRORS.has(res.errorCode)) this.client.markUnknown()
      }
    } catch {
      // Network trouble: the next beat looks the coordinator up again.
    } finally {
      this.heartbeatInFlight = false
    }
  }
}

function joinFailure(code: number, groupId: string): string {
  switch (code) {
    case ErrorCode.INCONSISTENT_GROUP_PROTOCOL:
      return `group "${groupId}" has members with no assignment strategy in common with this consumer`
    case ErrorCode.FENCED_INSTANCE_ID:
      return `group "${groupId}": another consumer uses the same group.instance.id`
    case ErrorCode.INVALID_SESSION_TIMEOUT:
      return `group "${groupId}": session.timeout.ms is outside the broker's allowed range`
    default:
      return `cannot join group "${groupId}": ${ErrorCode[code] ?? code}`
  }
}
