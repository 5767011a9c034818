/**
 * RaftReplication: the state every part of the Raft client reads (configuration, role, epoch, leader,
 * the metadata log and its high watermark) and the replication path that moves the high watermark:
 * leader appends, their flush and commit, delivery of committed batches, parked fetches. Separate from
 * RaftCore, which owns the role transitions (elections, epochs, votes, timers) built on top of it.
 * Only RaftCore extends it; same serial path as RaftCore.
 */
import {ErrorCode, KafkaError} from '../../protocol/index.js'
import {encodeRecordBatch} from '../../records/index.js'
import type {NodeAddress} from '../network/node-channel.js'
import type {RaftLog} from './raft-log.js'
import type {LeaderState} from './leader-state.js'
import {AppendPurgatory, FetchPurgatory} from './raft-purgatory.js'
import {ListenerContext} from './listener-context.js'
import type {LeaderAndEpoch, RaftListener} from './types.js'
import type {KafkaRaftClientOptions} from './raft-options.js'

/** Roles of a voter (KRaft's EpochState kinds). */
export type RaftRole = 'unattached' | 'follower' | 'candidate' | 'leader' | 'resigned'

/** The Raft client's shared state and its replication path (see file comment). */
export abstract class RaftReplication {
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
  protected role: RaftRole = 'unattached'
  protected epoch = 0
  protected leaderId = -1
  /** Exclusive offset below which the log is committed. */
  protected highWatermark = 0n
  protected leader: LeaderState | null = null
  /** Set once onBecomeLeader has been delivered for the current epoch. */
  protected leaderAnnounced = false
  protected closed = false
  protected started = false
  private flushTimer: NodeJS.Immediate | null = null
  private readonly appends = new AppendPurgatory()
  private readonly fetches = new FetchPurgatory()
  private readonly context: ListenerContext

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
    this.context = new ListenerContext(this.logger)
  }

  /** The registered listeners (KafkaRaftClient.register adds to them). */
  protected get listeners(): RaftListener[] {
    return this.context.listeners
  }

  /** Next offset to deliver to listeners. */
  protected get deliveredTo(): bigint {
    return this.context.deliveredTo
  }

  /** True when this node is one of the voters. */
  protected get isVoter(): boolean {
    return this.voters.has(this.nodeId)
  }

  /** Votes (or replicas) that make a majority of the voters. */
  protected get majority(): number {
    return Math.floor(this.voters.size / 2) + 1
  }

  /** Leadership as this node sees it. */
  leaderAndEpoch(): LeaderAndEpoch {
    return {leaderId: this.leaderId, epoch: this.epoch}
  }

  /** True while this node is the leader of its epoch. */
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
    return this.context.caughtUp
  }

  protected markCaughtUp(): void {
    this.context.markCaughtUp()
  }

  /** The end offset of the local log. */
  get logEndOffset(): bigint {
    return this.log.endOffset
  }

  /** Tells listeners when (leader, epoch) changed. */
  protected announce(): void {
    this.context.announce(this.leaderAndEpoch())
  }

  /** Calls one listener, logging (not throwing) its failure. */
  protected callListener(fn: () => void): void {
    this.context.call(fn)
  }

  /** Leadership ended: forget the replicas' state and fail what only a leader could finish. */
  protected dropLeadership(): void {
    this.leader = null
    this.leaderAnnounced = false
    this.appends.failAll()
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
    const done = this.appends.await(lastOffset, this.epoch)
    this.scheduleFlush()
    this.wakeFetches()
    return done
  }

  /** Coalesces the fsyncs of appends made in one event-loop turn; the leader counts its entries once durable. */
  protected scheduleFlush(): void {
    if (this.flushTimer) return
    this.flushTimer = setImmediate(() => {
      this.flushTimer = null
      if (this.closed || this.role !== 'leader' || !this.leader) return
      this.log.flush()
      if (this.leader.updateLocalEnd(this.log.endOffset, this.clock())) this.advanceHighWatermark(this.leader.highWatermark)
    })
  }

  /** Drops a scheduled flush (close). */
  protected cancelFlush(): void {
    if (this.flushTimer) clearImmediate(this.flushTimer)
    this.flushTimer = null
  }

  /** The high watermark moved: deliver committed batches, settle appends, announce leadership, wake fetches. */
  protected advanceHighWatermark(hw: bigint): void {
    if (hw > this.log.endOffset) hw = this.log.endOffset
    if (hw <= this.highWatermark) return
    this.highWatermark = hw
    this.deliver()
    if (this.role === 'leader' && this.leader && !this.leaderAnnounced && hw > this.leader.epochStartOffset) {
      this.leaderAnnounced = true
      this.context.becomeLeader(this.epoch)
    }
    this.appends.completeBelow(hw)
    this.wakeFetches()
  }

  /** Delivers committed batches not yet delivered, in order; control batches are Raft's own. */
  protected deliver(): void {
    this.context.deliver(this.log, this.highWatermark)
  }

  /** Parks a leader-side fetch until new data, a high watermark move or a role change (or the timeout). */
  protected park(maxWaitMs: number, answer: () => object): Promise<object> {
    return this.fetches.await(maxWaitMs, answer)
  }

  /** Answers every parked fetch (something they wait for may have changed). */
  protected wakeFetches(): void {
    this.fetches.completeAll()
  }
}
