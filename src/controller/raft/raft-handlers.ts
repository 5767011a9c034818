/**
 * The answers of the Raft APIs (Vote, BeginQuorumEpoch, EndQuorumEpoch, DescribeQuorum, Fetch of the
 * metadata partition), computed from a narrow view of KafkaRaftClient's state. Requests are untrusted:
 * anything malformed gets an error answer, never an exception.
 */
import {ErrorCode} from '../../protocol/index.js'
import type {NodeAddress} from '../network/node-channel.js'
import type {RaftLog} from './raft-log.js'
import type {LeaderState} from './leader-state.js'
import type {RaftRole} from './raft-core.js'
import {METADATA_PARTITION, METADATA_TOPIC, fetchResponse, metadataPartition, partitionResponse, topLevelError} from './raft-messages.js'

/** What the handlers may see and do of the client. */
export interface RaftInternals {
  readonly nodeId: number; readonly clusterId: string; readonly closed: boolean
  readonly role: RaftRole; readonly epoch: number; readonly leaderId: number; readonly votedId: number
  readonly highWatermark: bigint; readonly log: RaftLog; readonly leader: LeaderState | null
  readonly electionTimeoutMs: number
  voters: Map<number, NodeAddress>; clock: () => number; random: () => number
  isVoter(id: number): boolean
  observeEpoch(epoch: number, leaderId: number): boolean
  grantVote(candidateId: number): void
  electSoon(delayMs: number): void
  becomeUnattached(epoch: number, delayMs: number): void
  replicaFetched(id: number, fetchOffset: bigint): void
  park(maxWaitMs: number, answer: () => object): Promise<object>
}

const int32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v)

/** A request from another cluster must not touch our state. */
function wrongCluster(r: RaftInternals, req: any): boolean {
  return req?.clusterId !== null && req?.clusterId !== undefined && req.clusterId !== r.clusterId
}

function leaderFields(r: RaftInternals): {leaderId: number; leaderEpoch: number} {
  return {leaderId: r.leaderId, leaderEpoch: r.epoch}
}

/** Vote: one vote per epoch, persisted before the answer, only for a log at least as up to date as ours. */
export function answerVote(r: RaftInternals, req: any): object {
  if (wrongCluster(r, req)) return topLevelError(ErrorCode.INCONSISTENT_CLUSTER_ID)
  if (r.closed) return topLevelError(ErrorCode.BROKER_NOT_AVAILABLE)
  const p = metadataPartition(req)
  if (!p || !int32(p.candidateEpoch) || !int32(p.candidateId) || !int32(p.lastOffsetEpoch) || typeof p.lastOffset !== 'bigint') {
    return partitionResponse({errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ...leaderFields(r), voteGranted: false})
  }
  const refuse = (errorCode: number) => partitionResponse({errorCode, ...leaderFields(r), voteGranted: false})
  if (!r.isVoter(p.candidateId) || !r.isVoter(r.nodeId)) return refuse(ErrorCode.INCONSISTENT_VOTER_SET)
  if (p.candidateEpoch < r.epoch) return refuse(ErrorCode.FENCED_LEADER_EPOCH)
  if (p.candidateEpoch > r.epoch) r.observeEpoch(p.candidateEpoch, -1)
  let granted = false
  if (r.role === 'unattached' && r.leaderId < 0) {
    if (r.votedId >= 0) granted = r.votedId === p.candidateId
    else {
      const ourEpoch = r.log.lastEpoch
      const upToDate = p.lastOffsetEpoch > ourEpoch || (p.lastOffsetEpoch === ourEpoch && p.lastOffset >= r.log.endOffset)
      if (upToDate) {
        r.grantVote(p.candidateId)
        granted = true
      }
    }
  } else if (r.role === 'candidate') granted = r.votedId === p.candidateId
  return partitionResponse({errorCode: ErrorCode.NONE, ...leaderFields(r), voteGranted: granted})
}

/**
 * The checks BeginQuorumEpoch and EndQuorumEpoch share: the sender is a voter of this cluster naming
 * a leader epoch not older than ours. Returns the metadata partition's request, or the error answer.
 */
function leaderRequest(r: RaftInternals, req: any): {partition: any} | {answer: object} {
  if (wrongCluster(r, req)) return {answer: topLevelError(ErrorCode.INCONSISTENT_CLUSTER_ID)}
  if (r.closed) return {answer: topLevelError(ErrorCode.BROKER_NOT_AVAILABLE)}
  const p = metadataPartition(req)
  const fail = (errorCode: number) => ({answer: partitionResponse({errorCode, ...leaderFields(r)})})
  if (!p || !int32(p.leaderId) || !int32(p.leaderEpoch)) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  if (!r.isVoter(p.leaderId)) return fail(ErrorCode.INCONSISTENT_VOTER_SET)
  if (p.leaderEpoch < r.epoch) return fail(ErrorCode.FENCED_LEADER_EPOCH)
  return {partition: p}
}

/** BeginQuorumEpoch: the sender won the election of its epoch; follow it. */
export function answerBeginQuorumEpoch(r: RaftInternals, req: any): object {
  const checked = leaderRequest(r, req)
  if ('answer' in checked) return checked.answer
  const p = checked.partition
  r.observeEpoch(p.leaderEpoch, p.leaderId)
  const errorCode = r.epoch === p.leaderEpoch && r.leaderId === p.leaderId ? ErrorCode.NONE : ErrorCode.INCONSISTENT_VOTER_SET
  return partitionResponse({errorCode, ...leaderFields(r)})
}

/** EndQuorumEpoch: the leader resigns; the preferred successors stand first, the first one at once. */
export function answerEndQuorumEpoch(r: RaftInternals, req: any): object {
  const checked = leaderRequest(r, req)
  if ('answer' in checked) return checked.answer
  const p = checked.partition
  const successors: number[] = Array.isArray(p.preferredSuccessors) ? p.preferredSuccessors : []
  const position = successors.indexOf(r.nodeId)
  const step = Math.max(10, Math.floor(r.electionTimeoutMs / 4))
  const delay = position < 0 ? r.electionTimeoutMs + Math.floor(r.random() * r.electionTimeoutMs)
    : position * step + Math.floor(r.random() * Math.min(step, 50))
  if (p.leaderEpoch > r.epoch) r.becomeUnattached(p.leaderEpoch, delay)
  else if (r.role === 'follower' && r.leaderId === p.leaderId) r.electSoon(delay)
  return partitionResponse({errorCode: ErrorCode.NONE, ...leaderFields(r)})
}

/** DescribeQuorum: only the leader knows the replication state (NOT_LEADER_OR_FOLLOWER elsewhere, as Kafka). */
export function answerDescribeQuorum(r: RaftInternals, req: any): object {
  const p = metadataPartition(req)
  const base = {partitionIndex: METADATA_PARTITION, leaderId: r.leaderId, leaderEpoch: r.epoch, highWatermark: r.highWatermark,
    currentVoters: [] as object[], observers: [] as object[]}
  const answer = (partition: object) => ({errorCode: ErrorCode.NONE, topics: [{topicName: METADATA_TOPIC, partitions: [partition]}]})
  if (!p) return answer({...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION})
  if (r.closed || r.role !== 'leader' || !r.leader) return answer({...base, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER})
  const d = r.leader.describe()
  const replica = (v: {nodeId: number; logEndOffset: bigint; lastFetchTimestamp: number; lastCaughtUpTimestamp: number}) => ({
    replicaId: v.nodeId, logEndOffset: v.logEndOffset, lastFetchTimestamp: BigInt(v.lastFetchTimestamp), lastCaughtUpTimestamp: BigInt(v.lastCaughtUpTimestamp)})
  return answer({...base, errorCode: ErrorCode.NONE, highWatermark: d.highWatermark, currentVoters: d.voters.map(replica), observers: d.observers.map(replica)})
}

/**
 * Fetch of `__cluster_metadata-0`. The leader checks the follower's epoch and its (lastFetchedEpoch,
 * fetchOffset) against its own epoch history, answering divergingEpoch on a mismatch; otherwise the
 * fetch offset counts as the replica's end offset (the high watermark may move) and the answer carries
 * the entries after it, long-polled when there are none.
 */
export function answerFetch(r: RaftInternals, req: any): object | Promise<object> {
  if (wrongCluster(r, req)) return fetchResponse({errorCode: 0, highWatermark: -1n, leaderId: -1, leaderEpoch: -1}, ErrorCode.INCONSISTENT_CLUSTER_ID)
  const p = metadataPartition(req, 'topic', 'partition')
  const replicaId: number = int32(req?.replicaId) ? req.replicaId : -1
  const fail = (errorCode: number) => fetchResponse({errorCode, highWatermark: r.highWatermark, ...leaderFields(r)})
  if (!p || typeof p.fetchOffset !== 'bigint') return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  if (r.closed || r.role !== 'leader' || !r.leader) return fail(ErrorCode.NOT_LEADER_OR_FOLLOWER)
  const current: number = int32(p.currentLeaderEpoch) ? p.currentLeaderEpoch : -1
  if (current >= 0 && current < r.epoch) return fail(ErrorCode.FENCED_LEADER_EPOCH)
  if (current > r.epoch) return fail(ErrorCode.UNKNOWN_LEADER_EPOCH)
  const fetchOffset: bigint = p.fetchOffset
  if (fetchOffset < 0n) return fail(ErrorCode.OFFSET_OUT_OF_RANGE)
  const lastFetchedEpoch: number = int32(p.lastFetchedEpoch) ? p.lastFetchedEpoch : -1
  if (fetchOffset > 0n || lastFetchedEpoch > 0) {
    const mine = r.log.endOffsetForEpoch(Math.max(0, lastFetchedEpoch))
    if (mine.endOffset < fetchOffset || mine.epoch < lastFetchedEpoch) {
      return fetchResponse({errorCode: ErrorCode.NONE, highWatermark: r.highWatermark, ...leaderFields(r), divergingEpoch: mine})
    }
  }
  if (replicaId >= 0) r.replicaFetched(replicaId, fetchOffset)
  const epoch = r.epoch
  const maxBytes = Math.max(1, Math.min(int32(req.maxBytes) && req.maxBytes > 0 ? req.maxBytes : 1 << 20,
    int32(p.partitionMaxBytes) && p.partitionMaxBytes > 0 ? p.partitionMaxBytes : 1 << 20))
  const answer = (): object => {
    if (r.closed || r.role !== 'leader' || r.epoch !== epoch) return fail(ErrorCode.NOT_LEADER_OR_FOLLOWER)
    // Replicas read up to the log end (they replicate uncommitted entries); others only what is committed.
    const upTo = replicaId >= 0 ? r.log.endOffset : r.highWatermark
    const records = r.log.read(fetchOffset, maxBytes, upTo)
    r.leader?.noteHighWatermarkSent(replicaId, r.highWatermark)
    return fetchResponse({errorCode: ErrorCode.NONE, highWatermark: r.highWatermark, ...leaderFields(r), records})
  }
  const maxWaitMs: number = int32(req.maxWaitMs) ? req.maxWaitMs : 0
  const hasData = fetchOffset < (replicaId >= 0 ? r.log.endOffset : r.highWatermark)
  // A replica that has not been told the current high watermark learns it now, not after the long poll.
  const stale = replicaId >= 0 && !r.leader.knowsHighWatermark(replicaId, r.highWatermark)
  if (hasData || maxWaitMs <= 0 || stale) return answer()
  return r.park(maxWaitMs, answer)
}
