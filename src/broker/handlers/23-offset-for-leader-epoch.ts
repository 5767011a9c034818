/**
 * OffsetForLeaderEpoch (23), v0-4: where a leader epoch ends in the leader's log (Kafka's rules in
 * LeaderEpochFileCache.endOffsetFor). Followers (replicaId >= 0) ask it before fetching to find where
 * their log diverges; clients use it to detect truncation. Only the leader answers, with the usual
 * leadership and currentLeaderEpoch checks; replicaId -2 (debugging) may read a follower's cache.
 */
import {ErrorCode} from '../../protocol/index.js'
import type {BrokerContext, CoreBrokerContext} from '../context.js'
import type {Handler, RequestContext} from './types.js'

const DEBUGGING_REPLICA_ID = -2

interface Answer { errorCode: number; partition: number; leaderEpoch: number; endOffset: bigint }

function lookup(broker: CoreBrokerContext, topic: string, p: {partition: number; currentLeaderEpoch: number; leaderEpoch: number},
  replicaId: number): Answer {
  const fail = (errorCode: number): Answer => ({errorCode, partition: p.partition, leaderEpoch: -1, endOffset: -1n})
  const image = broker.metadata.topic(topic)?.partitions[p.partition]
  if (!image) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  const replica = broker.replicaManager.partition(topic, p.partition)
  if (!replica) return fail(image.leader < 0 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NOT_LEADER_OR_FOLLOWER)
  const err = replicaId === DEBUGGING_REPLICA_ID ? replica.epochCheck(p.currentLeaderEpoch) : replica.leaderCheck(p.currentLeaderEpoch)
  if (err !== ErrorCode.NONE) return fail(err)
  const log = replica.log
  const r = log.leaderEpochCache.endOffsetFor(p.leaderEpoch, log.logEndOffset)
  return {errorCode: ErrorCode.NONE, partition: p.partition, leaderEpoch: r.epoch, endOffset: r.endOffset}
}

export const offsetForLeaderEpochHandler: Handler = {
  apiKey: 23,
  minVersion: 0,
  maxVersion: 4,
  handle(b: BrokerContext, req: any, ctx: RequestContext) {
    const broker = b as CoreBrokerContext
    // v0-2 have no replicaId: those callers are followers of old brokers or clients; treat them as clients.
    const replicaId: number = ctx.header.apiVersion >= 3 ? req.replicaId : -1
    return {
      throttleTimeMs: 0,
      topics: (req.topics as {topic: string; partitions: any[]}[]).map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => lookup(broker, t.topic, p, replicaId)),
      })),
    }
  },
}
