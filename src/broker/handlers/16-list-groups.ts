/** ListGroups (16) v0-4: the groups this node coordinates; v4 filters by state (KIP-518). */
import {ErrorCode} from '../../protocol/index.js'
import type {BrokerContext} from '../context.js'
import type {Handler} from './types.js'

export const listGroupsHandler: Handler = {
  apiKey: 16,
  minVersion: 0,
  maxVersion: 4,
  handle(broker: BrokerContext, req: any) {
    const coord = broker.groupCoordinator
    if (!coord?.isActive) return {throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: []}
    return {throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups: coord.listGroups(req.statesFilter ?? [])}
  },
}
