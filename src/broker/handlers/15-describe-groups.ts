/** DescribeGroups (15) v0-5: state, protocol and members of each group (unknown groups read as Dead). */
import type {BrokerContext} from '../context.js'
import {ErrorCode} from '../../protocol/index.js'
import type {Handler} from './types.js'

/** Without an authorizer every group operation is allowed: READ (3), DELETE (6), DESCRIBE (8). */
const GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8)
const NOT_REQUESTED = -2147483648

export const describeGroupsHandler: Handler = {
  apiKey: 15,
  minVersion: 0,
  maxVersion: 5,
  handle(broker: BrokerContext, req: any) {
    const coord = broker.groupCoordinator
    const groups = (req.groups as string[]).map((groupId) => {
      const d = coord?.describeGroup(groupId) ??
        {errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groupId, groupState: '', protocolType: '', protocolData: '', members: []}
      return {...d, authorizedOperations: req.includeAuthorizedOperations ? GROUP_OPERATIONS : NOT_REQUESTED}
    })
    return {throttleTimeMs: 0, groups}
  },
}
