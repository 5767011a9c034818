/**
 * RaftCore: the state machine of the KRaft quorum (roles, epochs, votes, timers), the part of
 * KafkaRaftClient that does not answer requests; log appends, commits and delivery to listeners come
 * from RaftReplication below it. One serial path: every change happens in a synchronous step of the
 * event loop, and each await re-checks that the epoch it started in is still current. Only
 * KafkaRaftClient extends it.
 */
import {NodeChannel} from '../network/node-channel.js'
import type {QuorumStateStore} from './quorum-state.js'
import {LeaderState} from './leader-state.js'
import {leaderChangeBatch} from './control-records.js'
import {RaftReplication} from './raft-replication.js'

export type {KafkaRaftClientOptions} from './raft-options.js'
export type {RaftRole} from './raft-replication.js'

/** The Raft state machine (see file comment). */
export abstract class RaftCore extends RaftReplication {
  protected store!: QuorumStateStore
  protected votedId = -1
  private roleTimer: NodeJS.Timeout | null = null
  private readonly channels = new Map<number, NodeChannel>()

  /** The connection to voter `id`, opened on first use. */
  protected channel(id: number): NodeChannel {
    let c = this.channels.get(id)
    if (!c) this.channels.set(id, (c = new NodeChannel(this.voters.get(id)!, `raft-client-${this.nodeId}`)))
    return c
  }

  /** Writes the election state to quorum-state (durably, before any answer depends on it). */
  protected persist(): void {
    this.store.write({leaderEpoch: this.epoch, leaderId: this.leaderId, votedId: this.votedId, committedOffset: this.highWatermark.toString()})
  }

  /** Arms the role's one timer (election or fetch timeout), replacing the previous one. */
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
    if (this.role === 'leader' || this.role === 'resigned') this.dropLeadership()
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

  /** Stops timers, fails pending appends and parked fetches, closes connections and the log. */
  protected closeCore(): void {
    if (this.closed) return
    this.clearTimer()
    this.cancelFlush()
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
