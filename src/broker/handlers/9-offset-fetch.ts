/**
 * OffsetFetch (9) v0-8: committed offsets of a group (-1 and empty metadata where there are none).
 * v2+ may ask for all topics (null) and has a top-level error; v0-1 report a group-level error on
 * every partition; v8 asks for several groups at once.
 */
import {ErrorCode} from '../../protocol/index.js'
import type {BrokerContext} from '../context.js'
import type {Handler, RequestContext} from './types.js'

type TopicsIn = {name: string; partitionIndexes: number[]}[] | null

function fetchGroup(broker: BrokerContext, groupId: string, topics: TopicsIn) {
  const coord = broker.groupCoordinator
  return coord ? coord.fetchOffsets(groupId, topics) : {errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, topics: []}
}

export const offsetFetchHandler: Handler = {
  apiKey: 9,
  minVersion: 0,
  maxVersion: 8,
  handle(broker: BrokerContext, req: any, ctx: RequestContext) {
    const version = ctx.header.apiVersion
    if (version >= 8) {
      const groups = (req.groups as {groupId: string; topics: TopicsIn}[]).map((g) => {
        const r = fetchGroup(broker, g.groupId, g.topics)
        return {groupId: g.groupId, topics: r.topics, errorCode: r.errorCode}
      })
      return {throttleTimeMs: 0, groups}
    }
    const topicsIn: TopicsIn = version < 2 && req.topics === null ? [] : req.topics
    const r = fetchGroup(broker, req.groupId, topicsIn)
    if (version < 2 && r.errorCode !== ErrorCode.NONE) {
      // No top-level error before v2: every requested partition carries it.
      const topics = (topicsIn ?? []).map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) => ({partitionIndex: p, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: r.errorCode})),
      }))
      return {throttleTimeMs: 0, topics, errorCode: r.errorCode}
    }
    return {throttleTimeMs: 0, topics: r.topics, errorCode: r.errorCode}
  },
}
