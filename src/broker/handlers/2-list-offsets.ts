/**
 * ListOffsets (2), v0-7: offsets by timestamp. -1 = latest (the high watermark, which is also the
 * last stable offset here), -2 = earliest (log start offset), -3 = the record with the largest
 * timestamp (v7), otherwise the first record whose timestamp is >= the given one.
 * v0 answers with a list of offsets (`oldStyleOffsets`) instead of one offset and timestamp.
 * Only the partition's leader answers (NOT_LEADER_OR_FOLLOWER / LEADER_NOT_AVAILABLE / epoch errors otherwise).
 */
import {ErrorCode} from '../../protocol/index.js'
import type {BrokerContext, CoreBrokerContext, PartitionImage} from '../context.js'
import type {Handler, RequestContext} from './types.js'

const LATEST = -1n
const EARLIEST = -2n
const MAX_TIMESTAMP = -3n

interface Found { errorCode: number; offset: bigint; timestamp: bigint; leaderEpoch: number }

function lookup(broker: BrokerContext, topic: string, p: {partitionIndex: number; currentLeaderEpoch: number; timestamp: bigint},
  version: number): Found {
  const none = (errorCode: number): Found => ({errorCode, offset: -1n, timestamp: -1n, leaderEpoch: -1})
  const image: PartitionImage | undefined = broker.metadata.topic(topic)?.partitions[p.partitionIndex]
  if (!image) return none(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  const replica = (broker as CoreBrokerContext).replicaManager.partition(topic, p.partitionIndex)
  if (!replica) return none(image.leader < 0 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NOT_LEADER_OR_FOLLOWER)
  const notLeader = replica.leaderCheck(p.currentLeaderEpoch)
  if (notLeader !== ErrorCode.NONE) return none(notLeader)
  const log = replica.log
  const epoch = replica.leaderEpoch
  switch (p.timestamp) {
    case LATEST:
      return {errorCode: 0, offset: log.highWatermark, timestamp: -1n, leaderEpoch: epoch}
    case EARLIEST:
      return {errorCode: 0, offset: log.logStartOffset, timestamp: -1n, leaderEpoch: epoch}
    case MAX_TIMESTAMP: {
      // -3 exists from v7; older versions treat it as an (impossible) timestamp and find nothing.
      const max = version >= 7 ? log.maxTimestamp() : null
      return max ? {errorCode: 0, offset: max.offset, timestamp: max.timestamp, leaderEpoch: epoch} : {...none(0), leaderEpoch: -1}
    }
    default: {
      const found = log.offsetForTimestamp(p.timestamp)
      return found ? {errorCode: 0, offset: found.offset, timestamp: found.timestamp, leaderEpoch: epoch} : none(0)
    }
  }
}

export const listOffsetsHandler: Handler = {
  apiKey: 2,
  minVersion: 0,
  maxVersion: 7,
  handle(broker: BrokerContext, req: any, ctx: RequestContext) {
    const version = ctx.header.apiVersion
    const topics = (req.topics as {name: string; partitions: any[]}[]).map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const f = lookup(broker, t.name, p, version)
        const oldStyleOffsets = version === 0 && f.errorCode === 0 && f.offset >= 0n && p.maxNumOffsets > 0 ? [f.offset] : []
        return {
          partitionIndex: p.partitionIndex, errorCode: f.errorCode, oldStyleOffsets,
          timestamp: f.timestamp, offset: f.offset, leaderEpoch: f.leaderEpoch,
        }
      }),
    }))
    return {throttleTimeMs: 0, topics}
  },
}
