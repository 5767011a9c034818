/**
 * JoinGroup (11) v0-7: hands the join to the group coordinator and answers when the rebalance
 * gets there (a pending promise; the socket server keeps per-connection response order).
 * v0 has no rebalance timeout (the session timeout serves); v4+ gets MEMBER_ID_REQUIRED on a first
 * join without member id; v5+ carries the static group instance id.
 */
import {ErrorCode} from '../../protocol/index.js'
import type {BrokerContext} from '../context.js'
import {joinError} from '../group/index.js'
import type {Handler, RequestContext} from './types.js'

export const joinGroupHandler: Handler = {
  apiKey: 11,
  minVersion: 0,
  maxVersion: 7,
  async handle(broker: BrokerContext, req: any, ctx: RequestContext) {
    const version = ctx.header.apiVersion
    const coord = broker.groupCoordinator
    const r = coord
      ? await coord.joinGroup({
        groupId: req.groupId, memberId: req.memberId, groupInstanceId: req.groupInstanceId ?? null,
        requireKnownMemberId: version >= 4, clientId: ctx.header.clientId ?? '', clientHost: `/${ctx.clientHost}`,
        rebalanceTimeoutMs: version === 0 || req.rebalanceTimeoutMs < 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs,
        sessionTimeoutMs: req.sessionTimeoutMs, protocolType: req.protocolType,
        protocols: (req.protocols as {name: string; metadata: Buffer}[]).map((p) => ({name: p.name, metadata: Buffer.from(p.metadata)})),
      })
      : joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, req.memberId)
    return {
      throttleTimeMs: 0, errorCode: r.errorCode, generationId: r.generationId, protocolType: r.protocolType,
      // The protocol name is nullable only from v7.
      protocolName: version >= 7 ? r.protocolName : r.protocolName ?? '',
      leader: r.leader, memberId: r.memberId, members: r.members,
    }
  },
}
