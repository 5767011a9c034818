/**
 * Fetch (1), v4-12, without fetch sessions: every request is a full fetch and the answer carries
 * session id 0, which tells clients no session was created. Records go out as the log's own bytes
 * (Buffer slices of segment data, never re-encoded). When fewer than minBytes are available the
 * request waits in the purgatory and answers as soon as appends bring enough bytes, or at maxWaitMs.
 * Only the leader serves a partition. Consumers (replicaId < 0) read up to the high watermark and wake
 * when it moves; followers (replicaId >= 0) read up to the log end offset, and each follower fetch
 * tells the leader the follower's log end offset (ISR and high watermark bookkeeping in Partition).
 * Leadership errors carry currentLeader (v12) so clients can skip a metadata refresh.
 */
import {ErrorCode} from '../../protocol/index.js'
import type {Log} from '../../storage/index.js'
import type {BrokerContext, CoreBrokerContext} from '../context.js'
import type {Partition} from '../partition.js'
import type {Handler, RequestContext} from './types.js'

/** Where a Fetch answer carries the pooled chunks its records are views of (not a protocol field). */
export const FETCH_LEASES = Symbol('fetch leases')

/** A Raft fetch of the metadata partition (served by the quorum, not by the replica manager). */
export function isMetadataFetch(request: any): boolean {
  return request?.topics?.length === 1 && request.topics[0].topic === '__cluster_metadata'
}

/** Session epoch meaning "full fetch, no session" (and 0: "full fetch, create a session"). */
const FINAL_EPOCH = -1
const INITIAL_EPOCH = 0

interface WantedPartition {
  topic: string; partition: number; fetchOffset: bigint; maxBytes: number
  log?: Log; replica?: Partition; errorCode: number
  /** v12 currentLeader on leadership errors. */
  currentLeader?: {leaderId: number; leaderEpoch: number}
}

/** Resolves each requested partition to its log or an error, once per request; records follower positions. */
function plan(broker: CoreBrokerContext, req: any, replicaId: number): WantedPartition[] {
  const out: WantedPartition[] = []
  for (const t of req.topics as {topic: string; partitions: any[]}[]) {
    const image = broker.metadata.topic(t.topic)
    for (const p of t.partitions) {
      const w: WantedPartition = {topic: t.topic, partition: p.partition, fetchOffset: p.fetchOffset, maxBytes: p.partitionMaxBytes, errorCode: 0}
      out.push(w)
      const pi = image?.partitions[p.partition]
      const replica = pi && broker.replicaManager.partition(t.topic, p.partition)
      if (!pi) {
        w.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
        continue
      }
      w.errorCode = replica ? replica.leaderCheck(p.currentLeaderEpoch)
        : pi.leader < 0 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NOT_LEADER_OR_FOLLOWER
      if (w.errorCode === ErrorCode.NONE && replicaId >= 0 && !replica!.updateFollowerFetchState(replicaId, p.fetchOffset)) {
        w.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER // not a replica of this partition
      }
      if (w.errorCode === ErrorCode.NONE) {
        w.log = replica!.log
        w.replica = replica
      } else if (w.errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
        w.currentLeader = {leaderId: pi.leader, leaderEpoch: pi.leaderEpoch}
      }
    }
  }
  return out
}

/** Reads every partition within the response's maxBytes; the first data returned may exceed the limits (one whole batch). */
function read(wanted: WantedPartition[], maxBytes: number, follower: boolean, allocate?: (length: number) => Buffer): {responses: object[]; bytes: number; errors: boolean} {
  const byTopic = new Map<string, object[]>()
  const responses: object[] = []
  let remaining = maxBytes
  let bytes = 0
  let errors = false
  for (const w of wanted) {
    let partitions = byTopic.get(w.topic)
    if (!partitions) {
      byTopic.set(w.topic, (partitions = []))
      responses.push({topic: w.topic, partitions})
    }
    const out: Record<string, unknown> & {errorCode: number; highWatermark: bigint; lastStableOffset: bigint; logStartOffset: bigint; records: Buffer[]} = {
      partitionIndex: w.partition, errorCode: w.errorCode, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n,
      abortedTransactions: null, preferredReadReplica: -1, records: [] as Buffer[],
    }
    if (w.currentLeader) out.currentLeader = w.currentLeader
    partitions.push(out)
    if (!w.log || w.log.isClosed) {
      if (out.errorCode === 0) out.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
      errors = true
      continue
    }
    const limit = Math.max(0, Math.min(w.maxBytes, remaining))
    // Leadership may have moved while the fetch was parked.
    if (w.replica && !w.replica.isLeader) {
      out.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER
      out.currentLeader = {leaderId: w.replica.leaderId, leaderEpoch: w.replica.leaderEpoch}
      errors = true
      continue
    }
    const maxOffset = follower ? w.log.logEndOffset : w.log.highWatermark
    const r = limit > 0 || bytes === 0 ? w.log.read(w.fetchOffset, limit, bytes === 0, maxOffset, allocate) : undefined
    out.highWatermark = r?.highWatermark ?? w.log.highWatermark
    // No transactions here, so the last stable offset is the high watermark.
    out.lastStableOffset = out.highWatermark
    out.logStartOffset = r?.logStartOffset ?? w.log.logStartOffset
    if (!r) continue
    if (r.errorCode !== 0) {
      out.errorCode = r.errorCode
      errors = true
      continue
    }
    out.records = r.records
    bytes += r.size
    remaining -= r.size
  }
  return {responses, bytes, errors}
}

export const fetchHandler: Handler = {
  apiKey: 1,
  minVersion: 4,
  maxVersion: 12,
  handle(b: BrokerContext, req: any, _ctx: RequestContext) {
    // The metadata partition belongs to the Raft quorum, not to the replica manager.
    if (b.raft && isMetadataFetch(req)) return b.raft.handleFetch(req, _ctx.header.apiVersion)
    const broker = b as CoreBrokerContext
    if (req.sessionId !== 0 || (req.sessionEpoch !== FINAL_EPOCH && req.sessionEpoch !== INITIAL_EPOCH)) {
      // We never hand out sessions, so any incremental fetch names one we do not have.
      return {throttleTimeMs: 0, errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: []}
    }
    const maxBytes: number = req.maxBytes > 0 ? req.maxBytes : 0x7fffffff
    const follower = req.replicaId >= 0
    const wanted = plan(broker, req, req.replicaId)
    // Segment bytes are read into pooled chunks that go back to the pool once the socket wrote them (see encode in broker.ts).
    const leases: Buffer[] = []
    const pool = broker.readBufferPool
    const allocate = pool ? (length: number) => pool.allocate(length, leases) : undefined
    const first = read(wanted, maxBytes, follower, allocate)
    const answer = (r: {responses: object[]}) => ({throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: r.responses,
      [FETCH_LEASES]: leases})
    if (req.maxWaitMs <= 0 || first.bytes >= req.minBytes || first.errors || wanted.length === 0) return answer(first)
    // The first read is not sent: its chunks are free again, and the completion reads afresh.
    if (pool) pool.release(leases.splice(0))

    // Long poll: bytes appended since now (for consumers: once the high watermark moved) count towards
    // minBytes; re-read everything on completion.
    const logs = wanted.map((w) => w.log!)
    const replicas = wanted.map((w) => w.replica!)
    const sizesAtPark = logs.map((l) => l.size)
    const hwAtPark = logs.map((l) => l.highWatermark)
    const satisfied = () => {
      let available = first.bytes
      for (let i = 0; i < logs.length; i++) {
        if (logs[i].isClosed || !replicas[i].isLeader) return true
        if (follower || logs[i].highWatermark > hwAtPark[i]) available += Math.max(0, logs[i].size - sizesAtPark[i])
      }
      return available >= req.minBytes
    }
    const complete = () => answer(read(wanted, maxBytes, follower, allocate))
    // Followers wake on appends; consumers when the high watermark moves (Partition's 'hw').
    return follower ? broker.purgatory.park(logs, req.maxWaitMs, satisfied, complete)
      : broker.purgatory.park(replicas, req.maxWaitMs, satisfied, complete, 'hw')
  },
}
