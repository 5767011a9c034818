/**
 * DescribeCluster (60) v0-1: cluster id, the controller and the brokers, as admin clients
 * (KIP-700) ask for them: the live (unfenced) brokers and the active controller.
 */
import {ErrorCode} from '../../protocol/index.js'
import type {BrokerContext} from '../context.js'
import type {Handler, RequestContext} from './types.js'
import {liveBrokers} from './3-metadata.js'

/** Endpoint types of DescribeCluster v1 (KIP-919). */
export const ENDPOINT_BROKER = 1
export const ENDPOINT_CONTROLLER = 2

// AclOperation codes a cluster resource supports; without an authorizer every one is allowed.
const CLUSTER_OPERATIONS = [
  5, // CREATE
  7, // ALTER
  8, // DESCRIBE
  9, // CLUSTER_ACTION
  10, // DESCRIBE_CONFIGS
  11, // ALTER_CONFIGS
  12, // IDEMPOTENT_WRITE
  13, // CREATE_TOKENS
  14, // DESCRIBE_TOKENS
]
/** Bit field of the allowed cluster operations (bit n = AclOperation n). */
export const CLUSTER_AUTHORIZED_OPERATIONS = CLUSTER_OPERATIONS.reduce((bits, op) => bits | (1 << op), 0)
/** "Not requested" on the wire: Integer.MIN_VALUE. */
const OPERATIONS_OMITTED = -2147483648

/** DescribeCluster handler. */
export const describeClusterHandler: Handler = {
  apiKey: 60,
  minVersion: 0,
  maxVersion: 1,
  handle(broker: BrokerContext, request: any, ctx: RequestContext) {
    const base = {throttleTimeMs: 0, endpointType: ENDPOINT_BROKER, clusterId: broker.clusterId}
    const endpointType = ctx.header.apiVersion >= 1 ? request.endpointType : ENDPOINT_BROKER
    if (endpointType === ENDPOINT_CONTROLLER) {
      return {...base, errorCode: ErrorCode.MISMATCHED_ENDPOINT_TYPE, errorMessage: 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER', controllerId: -1, brokers: []}
    }
    if (endpointType !== ENDPOINT_BROKER) {
      return {...base, errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, errorMessage: `Unsupported endpoint type ${endpointType}`, controllerId: -1, brokers: []}
    }
    return {
      ...base,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      controllerId: broker.metadata.controllerId(),
      brokers: liveBrokers(broker).map((b) => ({brokerId: b.nodeId, host: b.host, port: b.port, rack: b.rack})),
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? CLUSTER_AUTHORIZED_OPERATIONS : OPERATIONS_OMITTED,
    }
  },
}
