/**
 * OffsetCommit (8) v0-8: partitions of unknown topics get UNKNOWN_TOPIC_OR_PARTITION here; the
 * rest go to the group coordinator, which checks generation and member (or allows a "simple"
 * commit, generation -1, for an Empty group) and stores them in __consumer_offsets.
 * v2-v4 may carry a retention time; v6+ the leader epoch; v7+ the static instance id.
 */
import {ErrorCode} from '../../protocol/index.js'
import type {BrokerContext} from '../context.js'
import type {Handler, RequestContext} from './types.js'

interface PartitionIn { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; committedMetadata: string | null }

/** True when the topic and partition exist. */
function known(broker: BrokerContext, topic: string, partition: number): boolean {
  const t = broker.metadata.topic(topic)
  return t !== undefined && t.partitions.some((p) => p.partition === partition)
}

export const offsetCommitHandler: Handler = {
  apiKey: 8,
  minVersion: 0,
  maxVersion: 8,
  async handle(broker: BrokerContext, req: any, ctx: RequestContext) {
    const version = ctx.header.apiVersion
    const topics = req.topics as {name: string; partitions: PartitionIn[]}[]
    // errors[t][p], filled in request order.
    const errors = topics.map((t) => t.partitions.map((p) => (known(broker, t.name, p.partitionIndex) ? -999 : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)))
    const offsets: {topic: string; partition: number; offset: bigint; leaderEpoch: number; metadata: string | null}[] = []
    const slots: [number, number][] = []
    topics.forEach((t, ti) => t.partitions.forEach((p, pi) => {
      if (errors[ti][pi] !== -999) return
      slots.push([ti, pi])
      offsets.push({topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata})
    }))
    if (offsets.length > 0) {
      const coord = broker.groupCoordinator
      const results = coord
        ? await coord.commitOffsets({
          groupId: req.groupId, memberId: req.memberId, groupInstanceId: req.groupInstanceId ?? null, generationId: req.generationId,
          retentionTimeMs: version >= 2 && version <= 4 ? Number(req.retentionTimeMs) : -1, offsets,
        })
        : offsets.map(() => ErrorCode.COORDINATOR_NOT_AVAILABLE)
      slots.forEach(([ti, pi], i) => (errors[ti][pi] = results[i]))
    }
    return {
      throttleTimeMs: 0,
      topics: topics.map((t, ti) => ({name: t.name, partitions: t.partitions.map((p, pi) => ({partitionIndex: p.partitionIndex, errorCode: errors[ti][pi]}))})),
    }
  },
}
