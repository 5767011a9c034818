/**
 * DeleteRecords (21) v0-2: moves each partition's log start offset forward (offset -1 = the high
 * watermark) through Log.deleteRecordsBefore and answers with the new low watermark.
 */
import {ErrorCode, KafkaError} from '../../protocol/index.js'
import type {BrokerContext} from '../context.js'
import type {Handler, RequestContext} from './types.js'
import {effectiveTopicConfig, splitList} from '../config-defs.js'

/** Deletes records below `offset` in one partition; returns the new log start offset or throws a KafkaError. */
function deleteBefore(broker: BrokerContext, topic: string, partition: number, offset: bigint): bigint {
  const image = broker.metadata.topic(topic)
  const p = image?.partitions.find((x) => x.partition === partition)
  if (!image || !p) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  const log = broker.replicaManager.getLog(topic, partition)
  if (!log || p.leader !== broker.nodeId) throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER)
  const props = {...broker.props, ...broker.metadata.brokerConfigOverrides()}
  const policy = splitList(effectiveTopicConfig(image.configs, props)['cleanup.policy'] ?? 'delete')
  // Kafka refuses on compacted-only topics: deleting a prefix would break compaction's guarantees.
  if (!policy.includes('delete')) {
    throw new KafkaError(ErrorCode.POLICY_VIOLATION, `Records of partition ${topic}-${partition} can not be deleted due to the configured policy`)
  }
  const hw = log.highWatermark
  const target = offset === -1n ? hw : offset
  if (target < 0n || target > hw) {
    throw new KafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `Cannot increment the log start offset to ${target} of partition ${topic}-${partition} since it is larger than the high watermark ${hw}`)
  }
  // The log start never moves back; asking for less than it is a no-op that reports the current start.
  if (target <= log.logStartOffset) return log.logStartOffset
  return log.deleteRecordsBefore(target)
}

/** DeleteRecords handler. */
export const deleteRecordsHandler: Handler = {
  apiKey: 21,
  minVersion: 0,
  maxVersion: 2,
  handle(broker: BrokerContext, request: any, _ctx: RequestContext) {
    const topics = request.topics.map((t: any) => ({
      name: t.name,
      partitions: t.partitions.map((p: any) => {
        try {
          return {partitionIndex: p.partitionIndex, lowWatermark: deleteBefore(broker, t.name, p.partitionIndex, BigInt(p.offset)), errorCode: 0}
        } catch (err) {
          let code: number = ErrorCode.UNKNOWN_SERVER_ERROR
          if (err instanceof KafkaError) code = err.code
          else broker.logger('error', `DeleteRecords ${t.name}-${p.partitionIndex}: ${(err as Error)?.stack ?? String(err)}`)
          return {partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: code}
        }
      }),
    }))
    return {throttleTimeMs: 0, topics}
  },
}
