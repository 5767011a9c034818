/**
 * Fetch (1), v4-12, without fetch sessions: every request is a full fetch and the answer carries
 * session id 0, which tells clients no session was created. Records go out as the log's own bytes
 * (Buffer slices of segment data, never re-encoded). When fewer than minBytes are available the
 * request waits in the purgatory and answers as soon as appends bring enough bytes, or at maxWaitMs.
 */
import {ErrorCode} from '../../protocol/index.js'
import type {Log} from '../../storage/index.js'
import type {BrokerContext, CoreBrokerContext} from '../context.js'
import type {Handler, RequestContext} from './types.js'

/** Session epoch meaning "full fetch, no session" (and 0: "full fetch, create a session"). */
const FINAL_EPOCH = -1
const INITIAL_EPOCH = 0

interface WantedPartition {
  topic: string; partition: number; fetchOffset: bigint; maxBytes: number
  log?: Log; errorCode: number
}

/** Resolves each requested partition to its log or an error, once per request. */
function plan(broker: CoreBrokerContext, req: any): WantedPartition[] {
  const out: WantedPartition[] = []
  for (const t of req.topics as {topic: string; partitions: any[]}[]) {
    const image = broker.metadata.topic(t.topic)
    for (const p of t.partitions) {
      const w: WantedPartition = {topic: t.topic, partition: p.partition, fetchOffset: p.fetchOffset, maxBytes: p.partitionMaxBytes, errorCode: 0}
      const pi = image?.partitions[p.partition]
      const log = pi && broker.replicaManager.getLog(t.topic, p.partition)
      if (!pi || !log) w.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
      else if (p.currentLeaderEpoch >= 0 && p.currentLeaderEpoch !== pi.leaderEpoch) {
        w.errorCode = p.currentLeaderEpoch > pi.leaderEpoch ? ErrorCode.UNKNOWN_LEADER_EPOCH : ErrorCode.FENCED_LEADER_EPOCH
      } else w.log = log
      out.push(w)
    }
  }
  return out
}

/** Reads every partition within the response's maxBytes; the first data returned may exceed the limits (one whole batch). */
function read(wanted: WantedPartition[], maxBytes: number): {responses: object[]; bytes: number; errors: boolean} {
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
    const out = {
      partitionIndex: w.partition, errorCode: w.errorCode, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n,
      abortedTransactions: null, preferredReadReplica: -1, records: [] as Buffer[],
    }
    partitions.push(out)
    if (!w.log || w.log.isClosed) {
      if (out.errorCode === 0) out.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
      errors = true
      continue
    }
    const limit = Math.max(0, Math.min(w.maxBytes, remaining))
    const r = limit > 0 || bytes === 0 ? w.log.read(w.fetchOffset, limit, bytes === 0) : undefined
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
    if (b.raft && req.topics?.length === 1 && req.topics[0].topic === '__cluster_metadata') return b.raft.handleFetch(req, _ctx.header.apiVersion)
    const broker = b as CoreBrokerContext
    if (req.sessionId !== 0 || (req.sessionEpoch !== FINAL_EPOCH && req.sessionEpoch !== INITIAL_EPOCH)) {
      // We never hand out sessions, so any incremental fetch names one we do not have.
      return {throttleTimeMs: 0, errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: []}
    }
    const maxBytes: number = req.maxBytes > 0 ? req.maxBytes : 0x7fffffff
    const wanted = plan(broker, req)
    const first = read(wanted, maxBytes)
    const answer = (r: {responses: object[]}) => ({throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: r.responses})
    if (req.maxWaitMs <= 0 || first.bytes >= req.minBytes || first.errors || wanted.length === 0) return answer(first)

    // Long poll: bytes appended since now count towards minBytes; re-read everything on completion.
    const logs = wanted.map((w) => w.log!)
    const sizesAtPark = logs.map((l) => l.size)
    const satisfied = () => {
      let available = first.bytes
      for (let i = 0; i < logs.length; i++) {
        if (logs[i].isClosed) return true
        available += Math.max(0, logs[i].size - sizesAtPark[i])
      }
      return available >= req.minBytes
    }
    return broker.purgatory.park(logs, req.maxWaitMs, satisfied, () => answer(read(wanted, maxBytes)))
  },
}
