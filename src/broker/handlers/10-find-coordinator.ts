/**
 * FindCoordinator (10) v0-4: a group's coordinator is the leader of its __consumer_offsets
 * partition (COORDINATOR_NOT_AVAILABLE while that partition has no leader). Asking for a group
 * creates __consumer_offsets on first use, as Kafka does. There is no transaction coordinator (key
 * type 1 answers COORDINATOR_NOT_AVAILABLE). v4 (KIP-699) answers a batch of keys.
 */
import {ErrorCode, errorInfo} from '../../protocol/index.js'
import type {BrokerContext} from '../context.js'
import {OFFSETS_TOPIC, partitionForGroup} from '../group/offsets-topic.js'
import {advertisedEndpoint} from './3-metadata.js'
import type {Handler, RequestContext} from './types.js'

const GROUP_KEY = 0
const TRANSACTION_KEY = 1

interface Coordinator { key: string; nodeId: number; host: string; port: number; errorCode: number; errorMessage: string | null }

/** The node leading `key`'s offsets partition with its endpoint, or an error code. */
export function groupCoordinatorNode(broker: BrokerContext, key: string): {nodeId: number; host: string; port: number} | number {
  const topic = broker.metadata.topic(OFFSETS_TOPIC)
  if (!topic || topic.partitions.length === 0) return ErrorCode.COORDINATOR_NOT_AVAILABLE
  const leader = topic.partitions[partitionForGroup(key, topic.partitions.length)]?.leader ?? -1
  if (leader === broker.nodeId) return {nodeId: leader, ...advertisedEndpoint(broker)}
  const node = broker.metadata.brokers().find((b) => b.id === leader && !b.fenced)
  if (leader < 0 || !node || node.port <= 0) return ErrorCode.COORDINATOR_NOT_AVAILABLE
  return {nodeId: leader, host: node.host, port: node.port}
}

async function findOne(broker: BrokerContext, key: string, keyType: number): Promise<Coordinator> {
  const failed = (errorCode: number): Coordinator => ({key, nodeId: -1, host: '', port: -1, errorCode, errorMessage: errorInfo(errorCode).message})
  if (keyType === TRANSACTION_KEY) return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE)
  if (keyType !== GROUP_KEY) return failed(ErrorCode.INVALID_REQUEST)
  const coord = broker.groupCoordinator
  const errorCode = coord ? await coord.ensureStorage() : ErrorCode.COORDINATOR_NOT_AVAILABLE
  if (errorCode !== ErrorCode.NONE) return failed(errorCode)
  const node = groupCoordinatorNode(broker, key)
  if (typeof node === 'number') return failed(node)
  return {key, ...node, errorCode: ErrorCode.NONE, errorMessage: null}
}

export const findCoordinatorHandler: Handler = {
  apiKey: 10,
  minVersion: 0,
  maxVersion: 4,
  async handle(broker: BrokerContext, req: any, ctx: RequestContext) {
    const version = ctx.header.apiVersion
    if (version >= 4) {
      const coordinators = await Promise.all((req.coordinatorKeys as string[]).map((k) => findOne(broker, k, req.keyType)))
      return {throttleTimeMs: 0, coordinators}
    }
    const c = await findOne(broker, req.key, req.keyType)
    return {throttleTimeMs: 0, errorCode: c.errorCode, errorMessage: c.errorMessage, nodeId: c.nodeId, host: c.host, port: c.port}
  },
}
