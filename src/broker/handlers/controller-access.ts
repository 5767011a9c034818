/** What the controller API handlers share: finding the active local controller, and knowing forwarded requests. */
import {ErrorCode, KafkaError} from '../../protocol/index.js'
import type {BrokerContext} from '../context.js'
import {ClusterMetadataManager} from '../metadata/cluster-metadata-manager.js'
import type {QuorumController} from '../../controller/quorum-controller.js'
import {FORWARD_CLIENT_PREFIX} from '../../controller/controller-transport.js'
import type {RequestContext} from './types.js'

/** The node's controller when it is active; throws NOT_CONTROLLER otherwise (requests are never forwarded on). */
export function activeController(broker: BrokerContext): QuorumController {
  const c = broker.metadata instanceof ClusterMetadataManager ? broker.metadata.activeController() : undefined
  if (!c) throw new KafkaError(ErrorCode.NOT_CONTROLLER, `Node ${broker.nodeId} is not the active controller.`)
  return c
}

/** The node id of the samsa node that forwarded this request, or undefined for a client's request. */
export function forwardingNode(ctx: RequestContext): number | undefined {
  const id = ctx.header.clientId
  if (!id?.startsWith(FORWARD_CLIENT_PREFIX)) return undefined
  const n = Number(id.slice(FORWARD_CLIENT_PREFIX.length))
  return Number.isInteger(n) && n >= 0 ? n : undefined
}

/** The error code of a failure (KafkaError's code, else UNKNOWN_SERVER_ERROR, logged). */
export function errorCodeOf(broker: BrokerContext, err: unknown, what: string): {errorCode: number; errorMessage: string | null} {
  if (err instanceof KafkaError) return {errorCode: err.code, errorMessage: err.message}
  broker.logger('error', `${what}: ${(err as Error)?.stack ?? String(err)}`)
  return {errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: (err as Error)?.message ?? String(err)}
}
