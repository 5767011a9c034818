/**
 * Envelope (58) v0: an admin request (CreateTopics, DeleteTopics, CreatePartitions, AlterConfigs,
 * IncrementalAlterConfigs) forwarded whole by another samsa node. It runs through the ordinary
 * handler, but on this node's controller only and on behalf of the forwarding broker: if this node
 * is not the active controller the answer is NOT_CONTROLLER and the sender retries elsewhere.
 */
import {ErrorCode, decodeRequestBody, decodeRequestHeader, encodeResponse} from '../../protocol/index.js'
import type {BrokerContext} from '../context.js'
import {ClusterMetadataManager} from '../metadata/cluster-metadata-manager.js'
import type {Handler, RequestContext} from './types.js'
import {forwardingNode, errorCodeOf} from './controller-access.js'
import {handlerFor} from './index.js'

/** The admin APIs a node may forward. */
const FORWARDABLE = new Set([19, 20, 33, 37, 44])

export const envelopeHandler: Handler = {
  apiKey: 58,
  minVersion: 0,
  maxVersion: 0,
  async handle(broker: BrokerContext, req: any, ctx: RequestContext) {
    const origin = forwardingNode(ctx)
    if (origin === undefined) return {responseData: null, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED}
    const m = broker.metadata
    if (!(m instanceof ClusterMetadataManager) || !m.activeController()) return {responseData: null, errorCode: ErrorCode.NOT_CONTROLLER}
    try {
      const frame: Buffer = req.requestData
      const {header, bodyOffset} = decodeRequestHeader(frame)
      const inner = handlerFor(header.apiKey)
      if (!FORWARDABLE.has(header.apiKey) || !inner || header.apiVersion < inner.minVersion || header.apiVersion > inner.maxVersion) {
        return {responseData: null, errorCode: ErrorCode.INVALID_REQUEST}
      }
      const body = decodeRequestBody(header.apiKey, header.apiVersion, frame, bodyOffset)
      const context: BrokerContext = {...broker, nodeId: origin, metadata: m.controllerView(origin)}
      const response = await inner.handle(context, body, {...ctx, header})
      if (typeof response !== 'object') return {responseData: null, errorCode: ErrorCode.INVALID_REQUEST}
      return {responseData: encodeResponse(header.apiKey, header.apiVersion, header.correlationId, response).subarray(4), errorCode: ErrorCode.NONE}
    } catch (err) {
      return {responseData: null, errorCode: errorCodeOf(broker, err, 'Envelope').errorCode}
    }
  },
}
