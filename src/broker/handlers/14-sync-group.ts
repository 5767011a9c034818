/** SyncGroup (14) v0-4: the leader brings the assignment; every member waits for (and gets) its own. */
import {ErrorCode} from '../../protocol/index.js'
import type {BrokerContext} from '../context.js'
import {syncError} from '../group/index.js'
import type {Handler} from './types.js'

export const syncGroupHandler: Handler = {
  apiKey: 14,
  minVersion: 0,
  maxVersion: 4,
  async handle(broker: BrokerContext, req: any) {
    const coord = broker.groupCoordinator
    const r = coord
      ? await coord.syncGroup({
        groupId: req.groupId, generationId: req.generationId, memberId: req.memberId, groupInstanceId: req.groupInstanceId ?? null,
        // Copies: the request frame's buffer is not ours to keep.
        assignments: (req.assignments as {memberId: string; assignment: Buffer}[]).map((a) => ({memberId: a.memberId, assignment: Buffer.from(a.assignment)})),
      })
      : syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE)
    return {throttleTimeMs: 0, errorCode: r.errorCode, assignment: r.assignment}
  },
}
