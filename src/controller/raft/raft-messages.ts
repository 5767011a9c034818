/**
 * Request and response bodies of the Raft APIs for the one partition they concern,
 * `__cluster_metadata-0` (field names as in src/protocol/apis/52..55 and 1-fetch).
 */
import {ErrorCode} from '../../protocol/index.js'

/** The metadata topic and its single partition. */
export const METADATA_TOPIC = '__cluster_metadata'
export const METADATA_PARTITION = 0

export const API_FETCH = 1
export const API_VOTE = 52
export const API_BEGIN_QUORUM_EPOCH = 53
export const API_END_QUORUM_EPOCH = 54
export const API_DESCRIBE_QUORUM = 55

/** The metadata partition's entry of a Raft request, or null when the request does not name it. */
export function metadataPartition(req: any, topicField = 'topicName', partitionField = 'partitionIndex'): any | null {
  if (!req || !Array.isArray(req.topics)) return null
  for (const t of req.topics) {
    if (t?.[topicField] !== METADATA_TOPIC || !Array.isArray(t.partitions)) continue
    for (const p of t.partitions) if (p?.[partitionField] === METADATA_PARTITION) return p
  }
  return null
}

/** A request body addressed to the metadata partition. */
export function partitionRequest(clusterId: string, partition: object): object {
  return {clusterId, topics: [{topicName: METADATA_TOPIC, partitions: [{partitionIndex: METADATA_PARTITION, ...partition}]}]}
}

/** A Vote/BeginQuorumEpoch/EndQuorumEpoch response with one partition entry. */
export function partitionResponse(partition: object, topLevelError = ErrorCode.NONE): object {
  return {errorCode: topLevelError, topics: [{topicName: METADATA_TOPIC, partitions: [{partitionIndex: METADATA_PARTITION, ...partition}]}]}
}

/** A response carrying only a top-level error (wrong cluster id, malformed request). */
export function topLevelError(errorCode: number): object {
  return {errorCode, topics: []}
}

/** The first partition of a Raft response, or null. */
export function responsePartition(resp: any): any | null {
  return resp?.topics?.[0]?.partitions?.[0] ?? null
}

/** A follower's Fetch request (v12) for the metadata partition. */
export function fetchRequest(o: {clusterId: string; replicaId: number; maxWaitMs: number; maxBytes: number; epoch: number;
  fetchOffset: bigint; lastFetchedEpoch: number}): object {
  return {
    clusterId: o.clusterId, replicaId: o.replicaId, maxWaitMs: o.maxWaitMs, minBytes: 1, maxBytes: o.maxBytes,
    isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{topic: METADATA_TOPIC, partitions: [{partition: METADATA_PARTITION, currentLeaderEpoch: o.epoch,
      fetchOffset: o.fetchOffset, lastFetchedEpoch: o.lastFetchedEpoch, logStartOffset: -1n, partitionMaxBytes: o.maxBytes}]}],
    forgottenTopicsData: [], rackId: '',
  }
}

/** The fields of one Fetch answer for the metadata partition. */
export interface FetchPartitionAnswer {
  errorCode: number; highWatermark: bigint; leaderId: number; leaderEpoch: number
  records?: Buffer[]; divergingEpoch?: {epoch: number; endOffset: bigint}
}

/** A Fetch response (v12 field names) for the metadata partition. */
export function fetchResponse(a: FetchPartitionAnswer, topLevel = ErrorCode.NONE): object {
  return {
    throttleTimeMs: 0, errorCode: topLevel, sessionId: 0,
    responses: topLevel !== ErrorCode.NONE ? [] : [{topic: METADATA_TOPIC, partitions: [{
      partitionIndex: METADATA_PARTITION, errorCode: a.errorCode, highWatermark: a.highWatermark, lastStableOffset: a.highWatermark,
      logStartOffset: 0n, divergingEpoch: a.divergingEpoch ?? {epoch: -1, endOffset: -1n},
      currentLeader: {leaderId: a.leaderId, leaderEpoch: a.leaderEpoch}, snapshotId: {endOffset: -1n, epoch: -1},
      abortedTransactions: null, preferredReadReplica: -1, records: a.records ?? [],
    }]}],
  }
}

/** The metadata partition of a Fetch response, or null. */
export function fetchResponsePartition(resp: any): any | null {
  for (const t of resp?.responses ?? []) {
    if (t?.topic !== METADATA_TOPIC) continue
    for (const p of t.partitions ?? []) if (p?.partitionIndex === METADATA_PARTITION) return p
  }
  return null
}
