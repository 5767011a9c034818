/** Heartbeat (12) v0-4: keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin. */
import {ErrorCode} from '../../protocol/index.js'
import type {BrokerContext} from '../context.js'
import type {Handler} from './types.js'

export const heartbeatHandler: Handler = {
  apiKey: 12,
  minVersion: 0,
  maxVersion: 4,
  handle(broker: BrokerContext, req: any) {
    const coord = broker.groupCoordinator
    const errorCode = coord
      ? coord.heartbeat(req.groupId, req.generationId, {memberId: req.memberId, groupInstanceId: req.groupInstanceId ?? null})
      : ErrorCode.COORDINATOR_NOT_AVAILABLE
    return {throttleTimeMs: 0, errorCode}
  },
}
