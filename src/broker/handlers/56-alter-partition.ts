/**
 * AlterPartition (56) v2: a partition leader asks this node's active controller to change the ISR.
 * Each partition is validated on its own (FENCED_LEADER_EPOCH, INVALID_UPDATE_VERSION, INELIGIBLE_REPLICA...).
 */
import {ErrorCode} from '../../protocol/index.js'
import type {BrokerContext} from '../context.js'
import type {Handler} from './types.js'
import {activeController, errorCodeOf} from './controller-access.js'

export const alterPartitionHandler: Handler = {
  apiKey: 56,
  minVersion: 2,
  maxVersion: 2,
  async handle(broker: BrokerContext, req: any) {
    let controller
    try {
      controller = activeController(broker)
    } catch (err) {
      return {throttleTimeMs: 0, errorCode: errorCodeOf(broker, err, 'AlterPartition').errorCode, topics: []}
    }
    const topics = []
    for (const t of req.topics) {
      const partitions = []
      for (const p of t.partitions) {
        try {
          const image = await controller.alterPartition(t.topicId, p.partitionIndex,
            {leaderId: req.brokerId, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, newIsr: p.newIsr})
          partitions.push({partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, leaderId: image.leader, leaderEpoch: image.leaderEpoch,
            isr: image.isr, leaderRecoveryState: 0, partitionEpoch: image.partitionEpoch})
        } catch (err) {
          partitions.push({partitionIndex: p.partitionIndex, errorCode: errorCodeOf(broker, err, 'AlterPartition').errorCode,
            leaderId: -1, leaderEpoch: -1, isr: [], leaderRecoveryState: 0, partitionEpoch: -1})
        }
      }
      topics.push({topicId: t.topicId, partitions})
    }
    return {throttleTimeMs: 0, errorCode: ErrorCode.NONE, topics}
  },
}
