/** DeleteGroups (42) v0-2: removes empty groups with their offsets (NON_EMPTY_GROUP otherwise). */
import {ErrorCode} from '../../protocol/index.js'
import type {BrokerContext} from '../context.js'
import type {Handler} from './types.js'

export const deleteGroupsHandler: Handler = {
  apiKey: 42,
  minVersion: 0,
  maxVersion: 2,
  handle(broker: BrokerContext, req: any) {
    const names = req.groupsNames as string[]
    const coord = broker.groupCoordinator
    const results = coord ? coord.deleteGroups(names) : names.map((groupId) => ({groupId, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE}))
    return {throttleTimeMs: 0, results}
  },
}
