/**
 * EndQuorumEpoch (54): a KRaft quorum request, answered by this node's KafkaRaftClient (src/controller/raft).
 * A node without a Raft client (bare test contexts) refuses it with BROKER_NOT_AVAILABLE.
 */
import {ErrorCode} from '../../protocol/index.js'
import type {BrokerContext} from '../context.js'
import type {Handler, RequestContext} from './types.js'

/** EndQuorumEpoch handler. */
export const endQuorumEpochHandler: Handler = {
  apiKey: 54,
  minVersion: 0,
  maxVersion: 0,
  handle(broker: BrokerContext, request: any, ctx: RequestContext) {
    if (!broker.raft) return {errorCode: ErrorCode.BROKER_NOT_AVAILABLE, topics: []}
    return broker.raft.handleEndQuorumEpoch(request, ctx.header.apiVersion)
  },
}
