/**
 * RaftCore: the state machine of the KRaft quorum (roles, epochs, votes, timers, log appends, commit
 * delivery), the part of KafkaRaftClient that does not answer requests. One serial path: every change
 * happens in a synchronous step of the event loop, and each await re-checks that the epoch it started
 * in is still current. Only KafkaRaftClient extends it.
 */
import {ErrorCode, KafkaError} from '../../protocol/index.js'
import {encodeRecordBatch} from '../../records/index.js'
import {NodeChannel, type NodeAddress} from '../network/node-channel.js'
import {RaftLog, toCommittedBatch} from './raft-log.js'
import {QuorumStateStore} from './quorum-state.js'
import {LeaderState} from './leader-state.js'
import {leaderChangeBatch} from './control-records.js'
import type {LeaderAndEpoch, RaftListener} from './types.js'
import type {KafkaRaftClientOptions} from './raft-options.js'

export type {KafkaRaftClientOptions} from './raft-options.js'

/** Roles of a voter (KRaft's EpochState kinds). */
export type RaftRole = 'unattached' | 'follower' | 'candidate' | 'leader' | 'resigned'

/** The Raft state machine (see file comment). */
export abstract class RaftCore {
  readonly nodeId: number
  protected readonly clusterId: string
  protected readonly voters: Map<number, NodeAddress>
  protected readonly electionTimeoutMs: number
  protected readonly fetchTimeoutMs: number
  protected readonly fetchMaxWaitMs: number
  protected readonly fetchMaxBytes: number
  protected readonly logger: (level: 'info' | 'warn' | 'error', msg: string) => void
  protected readonly clock: () => number
  protected readonly random: () => number
  protected log!: RaftLog
  protected store!: QuorumStateStore
  protected role: RaftRole = 'unattached'
  protected epoch = 0
  protected leaderId = -1
  protected votedId = -1
  /** Exclusive offset below which the log is committed. */
  protected highWatermark = 0n
  /** Next offset to deliver to listeners. */
  protected deliveredTo = 0n
  protected leader: LeaderState | null = null
  /** Set once onBecomeLeader has been delivered for the current epoch. */
  protected leaderAnnounced = false
  protected readonly listeners: RaftListener[] = []
  protected closed = false
  protected started = false
  private roleTimer: NodeJS.Timeout | null = null
  private flushTimer: NodeJS.Immediate | null = null
  private pending: {lastOffset: bigint; epoch: number; resolve: (o: bigint) => void; reject: (e: Error) => void}[] = []
  private readonly channels = new Map<number, NodeChannel>()
  private readonly wakers = new Set<() => void>()
  private lastAnnounced: LeaderAndEpoch = {leaderId: -1, epoch: -1}
  private caughtUpResolve!: () => void
  private readonly caughtUpPromise = new Promise<void>((resolve) => (this.caughtUpResolve = resolve))

  constructor(opts: KafkaRaftClientOptions) {
    this.nodeId = opts.nodeId
    this.clusterId = opts.clusterId
    this.voters = new Map(opts.voters)
    this.electionTimeoutMs = opts.electionTimeoutMs ?? 1000
    this.fetchTimeoutMs = opts.fetchTimeoutMs ?? 2000
    // A parked fetch must come back well before the follower's fetch timeout would fire.
    this.fetchMaxWaitMs = Math.min(opts.fetchMaxWaitMs ?? 500, Math.floor(this.fetchTimeoutMs / 2))
    this.fetchMaxBytes = opts.fetchMaxBytes ?? 1 << 20
    this.logger = opts.logger ?? (() => {})
    this.clock = opts.clock ?? Date.now
    this.random = opts.random ?? Math.random
  }

  /** True when this node is one of the voters. */
  protected get isVoter(): boolean {
    return this.voters.has(this.nodeId)
  }

  protected get majority(): number {
    return Math.floor(this.voters.size / 2) + 1
  }

  /** Leadership as this node sees it. */
  leaderAndEpoch(): LeaderAndEpoch {
    return {leaderId: this.leaderId, epoch: this.epoch}
  }

  isLeader(): boolean {
    return this.role === 'leader'
  }

  /** The current role (tests, status). */
  get state(): RaftRole {
    return this.role
  }

  /** The exclusive committed offset this node knows. */
  get committedOffset(): bigint {
    return this.highWatermark
  }

  /**
   * Resolves once this node has delivered everything the quorum had committed when it first heard
   * from a leader (as leader: when onBecomeLeader fires): broker start-up may wait for it before serving.
   */
  caughtUp(): Promise<void> {
    return this.caughtUpPromise
  }

  protected markCaughtUp(): void {
    this.caughtUpResolve()
  }

  /** The end offset of the local log. */
  get logEndOffset(): bigint {
    return this.log.endOffset
  }

  protected channel(id: number): NodeChannel {
    let c = this.channels.get(id)
    if (!c) this.channels.set(id, (c = new NodeChannel(this.voters.get(id)!, `raft-client-${this.nodeId}`)))
    return c
  }

  protected persist(): void {
    this.store.write({leaderEpoch: this.epoch, leaderId: this.leaderId, votedId: this.votedId, committedOffset: this.highWatermark.toString()})
  }

  protected setTimer(ms: number, fn: () => void): void {
    this.clearTimer()
    if (this.closed) return
    this.roleTimer = setTimeout(() => {
      this.roleTimer = null
      if (!this.closed) fn()
    }, Math.max(0, ms))
  }

  protected clearTimer(): void {
    if (this.roleTimer) clearTimeout(this.roleTimer)
    this.roleTimer = null
  }

  /** electionTimeout + random(0, electionTimeout), as KRaft randomizes it. */
  protected randomElectionTimeout(): number {
    return this.electionTimeoutMs + Math.floor(this.random() * this.electionTimeoutMs)
  }

  // ---- transitions --------------------------------------------------------------------------

  /** Unattached in `epoch` (no known leader); keeps the vote when the epoch does not change. */
  protected becomeUnattached(epoch: number, electionDelayMs = this.randomElectionTimeout()): void {
    this.leaveRole()
    if (epoch > this.epoch) this.votedId = -1
    this.epoch = epoch
    this.role = 'unattached'
    this.leaderId = -1
    this.persist()
    this.announce()
    if (this.isVoter) this.setTimer(electionDelayMs, () => this.becomeCandidate())
    this.onRoleChange()
  }

  /** Follower of `leaderId` in `epoch`: fetches from it, and stands for election when it goes silent. */
  protected becomeFollower(epoch: number, leaderId: number): void {
    this.leaveRole()
    if (epoch > this.epoch) this.votedId = -1
    this.epoch = epoch
    this.role = 'follower'
    this.leaderId = leaderId
    this.persist()
    this.logger('info', `raft: node ${this.nodeId} follows ${leaderId} in epoch ${epoch}`)
    this.announce()
    this.resetFetchTimer()
    this.onRoleChange()
  }

  /** (Re)arms the follower's fetch timeout. */
  protected resetFetchTimer(): void {
    if (this.role === 'follower' && this.isVoter) this.setTimer(this.fetchTimeoutMs, () => this.becomeCandidate())
  }

  /** Bumps the epoch, votes for itself and asks the other voters. */
  protected becomeCandidate(): void {
    if (this.closed || !this.isVoter) return
    this.leaveRole()
    this.epoch += 1
    this.role = 'candidate'
    this.leaderId = -1
    this.votedId = this.nodeId
    this.persist()
    this.announce()
    const epoch = this.epoch
    const granted = new Set<number>([this.nodeId])
    this.logger('info', `raft: node ${this.nodeId} stands for election in epoch ${epoch}`)
    if (granted.size >= this.majority) return this.becomeLeader(granted)
    this.setTimer(this.randomElectionTimeout(), () => this.becomeCandidate())
    this.requestVotes(epoch, granted)
  }

  /** Sends Vote to the other voters; the answers arrive asynchronously. */
  protected abstract requestVotes(epoch: number, granted: Set<number>): void

  /** Starts the epoch: LeaderChange control batch first, then BeginQuorumEpoch to the voters. */
  protected becomeLeader(granted: Set<number>): void {
    this.leaveRole()
    this.role = 'leader'
    this.leaderId = this.nodeId
    this.persist()
    this.leaderAnnounced = false
    const start = this.log.endOffset
    this.leader = new LeaderState(this.nodeId, this.epoch, start, [...this.voters.keys()], this.clock())
    this.log.appendAsLeader(leaderChangeBatch(this.epoch, this.nodeId, [...this.voters.keys()], [...granted], this.clock()), this.epoch)
    this.logger('info', `raft: node ${this.nodeId} is leader in epoch ${this.epoch} (epoch starts at offset ${start})`)
    this.announce()
    this.scheduleFlush()
    this.onRoleChange()
  }

  /** Hook for the subclass: a role was entered (start fetching, send BeginQuorumEpoch...). */
  protected abstract onRoleChange(): void

  /** Clears the old role's timers and fails what only a leader could finish. */
  private leaveRole(): void {
    this.clearTimer()
    if (this.role === 'leader' || this.role === 'resigned') {
      this.leader = null
      this.leaderAnnounced = false
      const lost = this.pending
      this.pending = []
      for (const p of lost) p.reject(new KafkaError(ErrorCode.NOT_CONTROLLER, `leadership of epoch ${p.epoch} lost before offset ${p.lastOffset} committed`))
    }
    this.wakeFetches()
  }

  /** Moves to a higher epoch (or learns the leader of the current one) seen in any request or response. */
  protected observeEpoch(epoch: number, leaderId: number): boolean {
    if (this.closed || epoch < this.epoch) return false
    const knownLeader = leaderId >= 0 && leaderId !== this.nodeId && this.voters.has(leaderId)
    if (epoch > this.epoch) {
      if (knownLeader) this.becomeFollower(epoch, leaderId)
      else this.becomeUnattached(epoch)
      return true
    }
    if (knownLeader && (this.role === 'unattached' || this.role === 'candidate')) {
      this.becomeFollower(epoch, leaderId)
      return true
    }
    return false
  }

  /** Tells listeners when (leader, epoch) changed. */
  private announce(): void {
    const now = this.leaderAndEpoch()
    if (now.leaderId === this.lastAnnounced.leaderId && now.epoch === this.lastAnnounced.epoch) return
    this.lastAnnounced = now
    for (const l of this.listeners) this.callListener(() => l.onLeaderChange({...now}))
  }

  protected callListener(fn: () => void): void {
    try {
      fn()
    } catch (err) {
      this.logger('error', `raft: listener failed: ${(err as Error).stack ?? err}`)
    }
  }

  // ---- appends and commits ------------------------------------------------------------------

  /** Leader only: appends the values as one batch and resolves with its last offset once committed. */
  appendAndCommit(values: Buffer[]): Promise<bigint> {
    if (this.closed || this.role !== 'leader') {
      return Promise.reject(new KafkaError(ErrorCode.NOT_CONTROLLER, `node ${this.nodeId} is not the active controller (leader ${this.leaderId}, epoch ${this.epoch})`))
    }
    if (values.length === 0) return Promise.reject(new KafkaError(ErrorCode.INVALID_REQUEST, 'empty metadata batch'))
    const now = this.clock()
    const batch = encodeRecordBatch({partitionLeaderEpoch: this.epoch, records: values.map((value) => ({value, timestamp: now}))})
    const {lastOffset} = this.log.appendAsLeader(batch, this.epoch)
    const epoch = this.epoch
    const done = new Promise<bigint>((resolve, reject) => this.pending.push({lastOffset, epoch, resolve, reject}))
    this.scheduleFlush()
    this.wakeFetches()
    return done
  }

  /** Coalesces the fsyncs of appends made in one event-loop turn; the leader counts its entries once durable. */
  private scheduleFlush(): void {
    if (this.flushTimer) return
    this.flushTimer = setImmediate(() => {
      this.flushTimer = null
      if (this.closed || this.role !== 'leader' || !this.leader) return
      this.log.flush()
      if (this.leader.updateLocalEnd(this.log.endOffset, this.clock())) this.advanceHighWatermark(this.leader.highWatermark)
    })
  }

  /** The high watermark moved: deliver committed batches, settle appends, announce leadership, wake fetches. */
  protected advanceHighWatermark(hw: bigint): void {
    if (hw > this.log.endOffset) hw = this.log.endOffset
    if (hw <= this.highWatermark) return
    this.highWatermark = hw
    this.deliver()
    if (this.role === 'leader' && this.leader && !this.leaderAnnounced && hw > this.leader.epochStartOffset) {
      this.leaderAnnounced = true
      this.markCaughtUp()
      const epoch = this.epoch
      for (const l of this.listeners) this.callListener(() => l.onBecomeLeader(epoch))
    }
    const ready = this.pending.filter((p) => p.lastOffset < hw)
    if (ready.length > 0) {
      this.pending = this.pending.filter((p) => p.lastOffset >= hw)
      for (const p of ready) p.resolve(p.lastOffset)
    }
    this.wakeFetches()
  }

  /** Delivers committed batches not yet delivered, in order; control batches are Raft's own. */
  protected deliver(): void {
    const to = this.highWatermark < this.log.endOffset ? this.highWatermark : this.log.endOffset
    if (this.deliveredTo >= to) return
    for (const b of this.log.readBatches(this.deliveredTo, to)) {
      this.deliveredTo = b.baseOffset + BigInt(b.lastOffsetDelta) + 1n
      if (b.isControl) continue
      const batch = toCommittedBatch(b)
      for (const l of this.listeners) this.callListener(() => l.onCommit(batch))
    }
  }

  /** Parks a leader-side fetch until new data, a high watermark move or a role change (or the timeout). */
  protected park(maxWaitMs: number, answer: () => object): Promise<object> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer)
        this.wakers.delete(wake)
        resolve(answer())
      }
      const timer = setTimeout(wake, Math.min(maxWaitMs, 10_000))
      this.wakers.add(wake)
    })
  }

  protected wakeFetches(): void {
    for (const w of [...this.wakers]) w()
  }

  /** Stops timers, fails pending appends and parked fetches, closes connections and the log. */
  protected closeCore(): void {
    if (this.closed) return
    this.clearTimer()
    if (this.flushTimer) clearImmediate(this.flushTimer)
    this.flushTimer = null
    this.leaveRole()
    this.closed = true
    this.role = 'resigned'
    this.wakeFetches()
    for (const c of this.channels.values()) c.close()
    this.channels.clear()
    if (this.started) {
      try {
        this.persist()
      } catch (err) {
        this.logger('warn', `raft: could not write quorum-state at close: ${(err as Error).message}`)
      }
      this.log.close()
    }
  }
}
