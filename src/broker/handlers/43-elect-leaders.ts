/**
 * ElectLeaders (43) v0-2: preferred (0) or unclean (1) leader elections for the named partitions,
 * or all (null). Results per partition (ELECTION_NOT_NEEDED when the leader is already the one).
 * A request forwarded by another node runs on this node's controller only.
 */
import {ErrorCode} from '../../protocol/index.js'
import type {BrokerContext, ElectionResult} from '../context.js'
import type {Handler, RequestContext} from './types.js'
import {activeController, errorCodeOf, forwardingNode} from './controller-access.js'

export const electLeadersHandler: Handler = {
  apiKey: 43,
  minVersion: 0,
  maxVersion: 2,
  async handle(broker: BrokerContext, req: any, ctx: RequestContext) {
    const type = ctx.header.apiVersion >= 1 && req.electionType === 1 ? 'unclean' : 'preferred'
    if (ctx.header.apiVersion >= 1 && req.electionType !== 0 && req.electionType !== 1) {
      return {throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, replicaElectionResults: []}
    }
    const wanted: {topic: string; partition: number}[] | null = req.topicPartitions === null ? null
      : req.topicPartitions.flatMap((t: any) => t.partitions.map((partition: number) => ({topic: t.topic, partition})))
    let results: ElectionResult[]
    try {
      results = forwardingNode(ctx) !== undefined
        ? await activeController(broker).electLeaders(type, wanted)
        : await broker.metadata.electLeaders(type, wanted)
    } catch (err) {
      return {throttleTimeMs: 0, errorCode: errorCodeOf(broker, err, 'ElectLeaders').errorCode, replicaElectionResults: []}
    }
    const byTopic = new Map<string, object[]>()
    for (const r of results) {
      const list = byTopic.get(r.topic) ?? []
      list.push({partitionId: r.partition, errorCode: r.errorCode, errorMessage: r.errorMessage})
      byTopic.set(r.topic, list)
    }
    return {throttleTimeMs: 0, errorCode: ErrorCode.NONE,
      replicaElectionResults: [...byTopic].map(([topic, partitionResult]) => ({topic, partitionResult}))}
  },
}
