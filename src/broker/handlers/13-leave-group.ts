/**
 * LeaveGroup (13) v0-4: v0-2 name one member (its error is the response's error); v3+ (KIP-345)
 * remove a batch of members, static ones also by group instance id alone, with one error each.
 */
import {ErrorCode} from '../../protocol/index.js'
import type {BrokerContext} from '../context.js'
import type {Handler, RequestContext} from './types.js'

export const leaveGroupHandler: Handler = {
  apiKey: 13,
  minVersion: 0,
  maxVersion: 4,
  handle(broker: BrokerContext, req: any, ctx: RequestContext) {
    const batch = ctx.header.apiVersion >= 3
    const leaving: {memberId: string; groupInstanceId: string | null}[] = batch
      ? req.members.map((m: any) => ({memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null}))
      : [{memberId: req.memberId, groupInstanceId: null}]
    const coord = broker.groupCoordinator
    const r = coord ? coord.leaveGroup(req.groupId, leaving) : {errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: []}
    if (batch) return {throttleTimeMs: 0, errorCode: r.errorCode, members: r.errorCode === ErrorCode.NONE ? r.members : []}
    return {throttleTimeMs: 0, errorCode: r.errorCode !== ErrorCode.NONE ? r.errorCode : r.members[0]?.errorCode ?? ErrorCode.NONE}
  },
}
