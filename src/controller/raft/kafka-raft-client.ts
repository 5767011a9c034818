/**
 * KafkaRaftClient: this node's member of the KRaft controller quorum over `__cluster_metadata-0`.
 * Answers the quorum's requests (Vote, BeginQuorumEpoch, EndQuorumEpoch, DescribeQuorum and Fetch of
 * the metadata partition) and drives its own side of them: votes as candidate, BeginQuorumEpoch as new
 * leader, the fetch loop as follower. broker.ts owns one, routes those requests here, and registers
 * the controller as listener; the QuorumController writes through appendAndCommit.
 */
import {ErrorCode} from '../../protocol/index.js'
import {RaftCore, type KafkaRaftClientOptions} from './raft-core.js'
import {RaftLog, toCommittedBatch} from './raft-log.js'
import {QuorumStateStore} from './quorum-state.js'
import {API_BEGIN_QUORUM_EPOCH, API_END_QUORUM_EPOCH, API_FETCH, API_VOTE, fetchRequest, fetchResponsePartition,
  partitionRequest, responsePartition} from './raft-messages.js'
import {answerBeginQuorumEpoch, answerDescribeQuorum, answerEndQuorumEpoch, answerFetch, answerVote} from './raft-handlers.js'
import type {QuorumState, RaftClientApi, RaftListener} from './types.js'

export type {KafkaRaftClientOptions} from './raft-core.js'

/** Pause after a failed fetch or BeginQuorumEpoch before trying that node again. */
const RETRY_BACKOFF_MS = 100

/** The Raft client of one node (see file comment). */
export class KafkaRaftClient extends RaftCore implements RaftClientApi {
  /** Bumped whenever the follower fetch loop must stop (role change, close). */
  private fetchGeneration = 0
  private checkQuorumTimer: NodeJS.Timeout | null = null

  constructor(opts: KafkaRaftClientOptions) {
    super(opts)
    this.dataDir = opts.dataDir
  }

  private readonly dataDir: string

  /**
   * Opens the log and quorum-state, delivers what is known committed, and takes up the stored role;
   * a single voter becomes leader at once. Must run before LogManager.open (clean-shutdown marker).
   */
  start(): void {
    if (this.started) return
    this.log = RaftLog.open(this.dataDir, this.logger)
    this.store = new QuorumStateStore(this.log.dir)
    this.started = true
    const s = this.store.read()
    this.epoch = s.leaderEpoch
    this.votedId = s.votedId
    if (s.committedOffset !== undefined) {
      const c = BigInt(s.committedOffset)
      this.highWatermark = c < this.log.endOffset ? c : this.log.endOffset
      this.deliver()
    }
    if (this.isVoter && this.voters.size === 1) return this.becomeCandidate()
    if (s.leaderId >= 0 && s.leaderId !== this.nodeId && this.voters.has(s.leaderId)) this.becomeFollower(this.epoch, s.leaderId)
    // A restarted former leader waits (with its vote kept) to hear from the epoch's successor.
    else this.becomeUnattached(this.epoch)
  }

  /** How many voters the quorum has (1: a single node). */
  get voterCount(): number {
    return this.voters.size
  }

  /** Adds a listener; batches already delivered are replayed to it first. */
  register(listener: RaftListener): void {
    if (this.started && this.deliveredTo > 0n) {
      for (const b of this.log.readBatches(0n, this.deliveredTo)) {
        if (!b.isControl) this.callListener(() => listener.onCommit(toCommittedBatch(b)))
      }
    }
    this.listeners.push(listener)
    if (this.role === 'leader' && this.leaderAnnounced) this.callListener(() => listener.onBecomeLeader(this.epoch))
  }

  /** The quorum's state: complete on the leader; elsewhere what this node knows. */
  describeQuorum(): QuorumState {
    if (this.role === 'leader' && this.leader) {
      const d = this.leader.describe()
      return {leaderId: d.leaderId, leaderEpoch: d.leaderEpoch, highWatermark: d.highWatermark, voters: d.voters}
    }
    return {leaderId: this.leaderId, leaderEpoch: this.epoch, highWatermark: this.highWatermark,
      voters: [{nodeId: this.nodeId, logEndOffset: this.started ? this.log.endOffset : 0n, lastFetchTimestamp: -1, lastCaughtUpTimestamp: -1}]}
  }

  /** Observers (non-voters fetching from the leader), as the leader sees them. */
  describeObservers(): QuorumState['voters'] {
    return this.role === 'leader' && this.leader ? this.leader.describe().observers : []
  }

  // ---- inbound requests (the handlers in src/broker/handlers/52..55 and the Fetch branch) -----

  handleVote(request: any, _apiVersion = 0): object {
    return answerVote(this.internals(), request)
  }

  handleBeginQuorumEpoch(request: any, _apiVersion = 0): object {
    return answerBeginQuorumEpoch(this.internals(), request)
  }

  handleEndQuorumEpoch(request: any, _apiVersion = 0): object {
    return answerEndQuorumEpoch(this.internals(), request)
  }

  handleDescribeQuorum(request: any, _apiVersion = 1): object {
    return answerDescribeQuorum(this.internals(), request)
  }

  /** A Fetch of `__cluster_metadata`; long-polls (a Promise) when there is nothing new for a follower. */
  handleFetch(request: any, _apiVersion = 12): object | Promise<object> {
    return answerFetch(this.internals(), request)
  }

  /** The narrow view of the state machine the request handlers work with. */
  private internals() {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this
    return {
      get nodeId() { return self.nodeId }, get clusterId() { return self.clusterId }, get closed() { return self.closed || !self.started },
      get role() { return self.role }, get epoch() { return self.epoch }, get leaderId() { return self.leaderId },
      get votedId() { return self.votedId }, get highWatermark() { return self.highWatermark }, get log() { return self.log },
      get leader() { return self.leader }, get electionTimeoutMs() { return self.electionTimeoutMs },
      voters: this.voters, clock: this.clock, random: this.random,
      isVoter: (id: number) => this.voters.has(id),
      observeEpoch: (epoch: number, leaderId: number) => this.observeEpoch(epoch, leaderId),
      grantVote: (candidateId: number) => {
        this.votedId = candidateId
        this.persist()
        this.setTimer(this.randomElectionTimeout(), () => this.becomeCandidate())
      },
      electSoon: (delayMs: number) => this.electSoon(delayMs),
      becomeUnattached: (epoch: number, delayMs: number) => this.becomeUnattached(epoch, delayMs),
      replicaFetched: (id: number, offset: bigint) => {
        if (this.leader?.updateReplica(id, offset, this.log.endOffset, this.clock())) this.advanceHighWatermark(this.leader.highWatermark)
      },
      park: (maxWaitMs: number, answer: () => object) => this.park(maxWaitMs, answer),
    }
  }

  /** EndQuorumEpoch from our leader: stop fetching and stand for election after `delayMs` (the leader stays known, so no vote goes to a stale candidate of this epoch). */
  private electSoon(delayMs: number): void {
    if (this.role !== 'follower') return
    this.fetchGeneration++
    this.setTimer(delayMs, () => this.becomeCandidate())
  }

  // ---- outbound: votes, BeginQuorumEpoch, follower fetches ------------------------------------

  protected requestVotes(epoch: number, granted: Set<number>): void {
    const body = partitionRequest(this.clusterId, {candidateEpoch: epoch, candidateId: this.nodeId,
      lastOffsetEpoch: this.log.lastEpoch, lastOffset: this.log.endOffset})
    for (const id of this.voters.keys()) {
      if (id === this.nodeId) continue
      this.channel(id).send(API_VOTE, body, {timeoutMs: this.electionTimeoutMs}).then((resp) => {
        if (this.closed) return
        if (resp.errorCode !== ErrorCode.NONE) return this.logger('warn', `raft: vote request to ${id} failed: error ${resp.errorCode}`)
        const p = responsePartition(resp)
        if (!p) return
        if (this.observeEpoch(p.leaderEpoch, p.leaderId)) return
        if (this.role !== 'candidate' || this.epoch !== epoch || !p.voteGranted) return
        granted.add(id)
        if (granted.size >= this.majority) this.becomeLeader(granted)
      }, () => {})
    }
  }

  protected onRoleChange(): void {
    this.fetchGeneration++
    if (this.checkQuorumTimer) clearInterval(this.checkQuorumTimer)
    this.checkQuorumTimer = null
    if (this.role === 'follower') void this.fetchLoop(this.fetchGeneration)
    if (this.role === 'leader') {
      for (const id of this.voters.keys()) if (id !== this.nodeId) void this.beginQuorumEpoch(id, this.epoch)
      // Check quorum: a leader cut off from a majority steps down instead of holding writes forever.
      if (this.voters.size > 1) {
        const window = Math.floor(this.fetchTimeoutMs * 1.5)
        this.checkQuorumTimer = setInterval(() => {
          const l = this.leader
          const now = this.clock()
          if (this.role !== 'leader' || !l || now - l.startedMs < window || l.hasMajorityContact(now, window)) return
          this.logger('warn', `raft: leader ${this.nodeId} lost contact with a majority in epoch ${this.epoch}; resigning`)
          this.becomeUnattached(this.epoch)
        }, Math.max(50, Math.floor(this.fetchTimeoutMs / 2)))
      }
    }
  }

  /** Tells one voter about the new epoch, again and again until it answers or fetches. */
  private async beginQuorumEpoch(id: number, epoch: number): Promise<void> {
    const body = partitionRequest(this.clusterId, {leaderId: this.nodeId, leaderEpoch: epoch})
    const interval = Math.max(RETRY_BACKOFF_MS, Math.floor(this.electionTimeoutMs / 4))
    while (!this.closed && this.role === 'leader' && this.epoch === epoch && this.leader?.unacknowledged().includes(id)) {
      try {
        const resp = await this.channel(id).send(API_BEGIN_QUORUM_EPOCH, body, {timeoutMs: this.electionTimeoutMs})
        const p = responsePartition(resp)
        if (this.closed || this.epoch !== epoch) return
        if (resp.errorCode === ErrorCode.NONE && p) {
          if (this.observeEpoch(p.leaderEpoch, p.leaderId)) return
          if (p.errorCode === ErrorCode.NONE) return this.leader?.acknowledge(id)
        }
      } catch { /* unreachable voter: retry below */ }
      await sleep(interval)
    }
  }

  /** The follower's fetch loop: one Fetch in flight to the leader, long-polled there. */
  private async fetchLoop(generation: number): Promise<void> {
    while (!this.closed && generation === this.fetchGeneration && this.role === 'follower') {
      const epoch = this.epoch
      const body = fetchRequest({clusterId: this.clusterId, replicaId: this.nodeId, maxWaitMs: this.fetchMaxWaitMs,
        maxBytes: this.fetchMaxBytes, epoch, fetchOffset: this.log.endOffset, lastFetchedEpoch: this.log.lastEpoch})
      let ok = false
      try {
        const resp = await this.channel(this.leaderId).send(API_FETCH, body, {timeoutMs: this.fetchMaxWaitMs + this.fetchTimeoutMs})
        if (this.closed || generation !== this.fetchGeneration) return
        ok = this.onFetchResponse(resp, epoch)
      } catch (err) {
        if (this.closed || generation !== this.fetchGeneration) return
        this.logger('info', `raft: fetch from leader ${this.leaderId} failed: ${(err as Error).message}`)
      }
      if (!ok) await sleep(RETRY_BACKOFF_MS)
    }
  }

  /** Applies one Fetch answer; returns false when the next fetch should back off. */
  private onFetchResponse(resp: any, epoch: number): boolean {
    if (resp.errorCode !== ErrorCode.NONE) {
      this.logger('warn', `raft: leader ${this.leaderId} refused our fetch: error ${resp.errorCode}`)
      return false
    }
    const p = fetchResponsePartition(resp)
    if (!p) return false
    const cur = p.currentLeader
    if (cur && cur.leaderEpoch >= 0 && this.observeEpoch(cur.leaderEpoch, cur.leaderId)) return true
    if (p.errorCode !== ErrorCode.NONE || this.epoch !== epoch || this.role !== 'follower') return false
    this.resetFetchTimer()
    const div = p.divergingEpoch
    if (div && div.epoch >= 0) {
      const own = this.log.endOffsetForEpoch(div.epoch).endOffset
      let to = div.endOffset < own ? div.endOffset : own
      if (to < this.highWatermark) {
        this.logger('error', `raft: leader asks to truncate below the committed offset ${this.highWatermark}; keeping committed entries`)
        to = this.highWatermark
      }
      this.logger('info', `raft: node ${this.nodeId} truncates its uncommitted tail at ${to} (log end ${this.log.endOffset}, diverging epoch ${div.epoch})`)
      this.log.truncateTo(to)
      return true
    }
    const records: Buffer | null = p.records
    if (records && records.length > 0) {
      try {
        if (this.log.appendAsFollower(records) > 0) this.log.flush()
      } catch (err) {
        this.logger('warn', `raft: ${(err as Error).message}`)
        return false
      }
    }
    const hw: bigint = p.highWatermark
    this.advanceHighWatermark(hw < this.log.endOffset ? hw : this.log.endOffset)
    if (hw >= 0n && hw <= this.log.endOffset && this.deliveredTo >= hw) this.markCaughtUp()
    return true
  }

  /** Resigns (EndQuorumEpoch to the other voters) when leader, then closes. */
  async shutdown(): Promise<void> {
    if (this.closed) return
    if (this.role === 'leader' && this.leader && this.voters.size > 1) {
      const successors = this.leader.preferredSuccessors()
      const epoch = this.epoch
      this.becomeResigned()
      const body = partitionRequest(this.clusterId, {leaderId: this.nodeId, leaderEpoch: epoch, preferredSuccessors: successors})
      const timeoutMs = Math.min(this.electionTimeoutMs, 1000)
      await Promise.allSettled(successors.map((id) => this.channel(id).send(API_END_QUORUM_EPOCH, body, {timeoutMs})))
    }
    this.close()
  }

  /** Stops at once without resigning (a crash, as far as the quorum can tell). */
  close(): void {
    this.fetchGeneration++
    if (this.checkQuorumTimer) clearInterval(this.checkQuorumTimer)
    this.checkQuorumTimer = null
    this.closeCore()
  }

  /** Leader on its way out: no more appends; fetches are told there is no leader. */
  private becomeResigned(): void {
    this.becomeUnattached(this.epoch, 1 << 30)
    this.role = 'resigned'
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
