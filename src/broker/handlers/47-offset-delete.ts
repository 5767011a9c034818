/**
 * OffsetDelete (47) v0 (KIP-496): deletes committed offsets of an empty group, or of topics a live
 * consumer group no longer subscribes to (GROUP_SUBSCRIBED_TO_TOPIC otherwise).
 */
import {ErrorCode} from '../../protocol/index.js'
import type {BrokerContext} from '../context.js'
import type {Handler} from './types.js'

export const offsetDeleteHandler: Handler = {
  apiKey: 47,
  minVersion: 0,
  maxVersion: 0,
  handle(broker: BrokerContext, req: any) {
    const topics = req.topics as {name: string; partitions: {partitionIndex: number}[]}[]
    const coord = broker.groupCoordinator
    if (!coord) return {errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, throttleTimeMs: 0, topics: []}
    const wanted: {topic: string; partition: number}[] = []
    const errors = topics.map((t) => t.partitions.map((p) => {
      const image = broker.metadata.topic(t.name)
      if (!image || !image.partitions.some((x) => x.partition === p.partitionIndex)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
      wanted.push({topic: t.name, partition: p.partitionIndex})
      return -999
    }))
    const r = coord.deleteOffsets(req.groupId, wanted)
    if (r.errorCode !== ErrorCode.NONE) return {errorCode: r.errorCode, throttleTimeMs: 0, topics: []}
    let i = 0
    return {
      errorCode: ErrorCode.NONE, throttleTimeMs: 0,
      topics: topics.map((t, ti) => ({
        name: t.name,
        partitions: t.partitions.map((p, pi) => ({partitionIndex: p.partitionIndex, errorCode: errors[ti][pi] === -999 ? r.errors[i++] : errors[ti][pi]})),
      })),
    }
  },
}
