/**
 * OffsetFetcher: ListOffsets lookups (log start, log end, first offset at or after a timestamp),
 * grouped into one request per partition leader. Used by the Consumer for seek and resets and for
 * beginningOffsets/endOffsets.
 */
import {Cluster} from '../client/index.js'
import {ErrorCode, KafkaError} from '../protocol/index.js'
import {tpKey, type TopicPartition} from './types.js'

const LIST_OFFSETS = 2
/** ListOffsets timestamps with special meaning. */
export const LATEST_TIMESTAMP = -1n
export const EARLIEST_TIMESTAMP = -2n

/** Errors that a metadata refresh and a retry cure. */
export const STALE_METADATA = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.FENCED_LEADER_EPOCH, ErrorCode.UNKNOWN_LEADER_EPOCH, ErrorCode.REPLICA_NOT_AVAILABLE,
  ErrorCode.OFFSET_NOT_AVAILABLE, ErrorCode.NOT_ENOUGH_REPLICAS, ErrorCode.BROKER_NOT_AVAILABLE,
])

/** One answer: the offset (-1 when no record has a timestamp at or after the one asked for). */
export interface ListedOffset { offset: bigint; timestamp: bigint }

/** ListOffsets client of one consumer. */
export class OffsetFetcher {
  private lastError: KafkaError | undefined
  constructor(private readonly cluster: Cluster, private readonly readCommitted: boolean, private readonly retryBackoffMs: number) {}

  /** Looks up `timestamp` (or LATEST/EARLIEST) for every partition; retries stale-metadata errors a bounded number of times. */
  async listOffsets(requests: Map<string, {tp: TopicPartition; timestamp: bigint}>): Promise<Map<string, ListedOffset>> {
    const out = new Map<string, ListedOffset>()
    let pending = [...requests.values()]
    let lastError: KafkaError | undefined
    this.lastError = undefined
    for (let attempt = 0; attempt < 6 && pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, this.retryBackoffMs * attempt))
      const byLeader = new Map<number, typeof pending>()
      const retry: typeof pending = []
      for (const req of pending) {
        let leader: number
        try {
          leader = await this.cluster.leaderFor(req.tp.topic, req.tp.partition)
        } catch (err) {
          if (err instanceof KafkaError && err.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && attempt >= 2) throw err
          lastError = err instanceof KafkaError ? err : lastError
          retry.push(req)
          continue
        }
        let list = byLeader.get(leader)
        if (!list) byLeader.set(leader, (list = []))
        list.push(req)
      }
      // One partition per request, pipelined on the leader's connection: librdkafka's mock cluster
      // (2.0.x) mis-encodes v4+ answers that hold several partitions of one topic.
      const single = [...byLeader].flatMap(([leader, reqs]) => reqs.map((r) => [leader, [r]] as [number, typeof reqs]))
      await Promise.all(single.map(async ([leader, reqs]) => {
        try {
          await this.send(leader, reqs, out, retry)
        } catch (err) {
          if (!(err instanceof KafkaError) || !err.retriable && err.code !== ErrorCode.NETWORK_EXCEPTION) throw err
          lastError = err
          retry.push(...reqs)
        }
      }))
      if (retry.length > 0) await this.cluster.refreshMetadata([...new Set(retry.map((r) => r.tp.topic))]).catch(() => undefined)
      pending = retry
      lastError = this.lastError ?? lastError
    }
    if (pending.length > 0) {
      const tp = pending[0].tp
      throw lastError ?? new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `cannot list offsets of ${tp.topic}-${tp.partition}`)
    }
    return out
  }

  private async send(leader: number, reqs: Array<{tp: TopicPartition; timestamp: bigint}>, out: Map<string, ListedOffset>,
    retry: Array<{tp: TopicPartition; timestamp: bigint}>): Promise<void> {
    const conn = await this.cluster.connectionTo(leader)
    const byTopic = new Map<string, Array<{partitionIndex: number; currentLeaderEpoch: number; timestamp: bigint; maxNumOffsets: number}>>()
    for (const r of reqs) {
      let parts = byTopic.get(r.tp.topic)
      if (!parts) byTopic.set(r.tp.topic, (parts = []))
      parts.push({partitionIndex: r.tp.partition, currentLeaderEpoch: -1, timestamp: r.timestamp, maxNumOffsets: 1})
    }
    const body = await conn.send<any>(LIST_OFFSETS, {
      replicaId: -1,
      isolationLevel: this.readCommitted ? 1 : 0,
      topics: [...byTopic].map(([name, partitions]) => ({name, partitions})),
    })
    for (const t of body.topics) {
      for (const p of t.partitions) {
        const key = tpKey(t.name, p.partitionIndex)
        const req = reqs.find((r) => r.tp.topic === t.name && r.tp.partition === p.partitionIndex)
        if (!req) continue
        if (p.errorCode === ErrorCode.NONE) {
          // v0 answers with a list of offsets instead of one.
          const offset = p.oldStyleOffsets && p.oldStyleOffsets.length > 0 ? p.oldStyleOffsets[0] : p.offset
          out.set(key, {offset, timestamp: p.timestamp ?? -1n})
        } else if (STALE_METADATA.has(p.errorCode)) {
          this.lastError = p.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
            ? new KafkaError(p.errorCode, `topic "${t.name}" (partition ${p.partitionIndex}) does not exist`)
            : new KafkaError(p.errorCode, `cannot list offsets of ${t.name}-${p.partitionIndex}: ${ErrorCode[p.errorCode]}`)
          retry.push(req)
        } else {
          throw new KafkaError(p.errorCode, `cannot list offsets of ${t.name}-${p.partitionIndex}: ${ErrorCode[p.errorCode] ?? p.errorCode}`)
        }
      }
    }
  }
}
