/**
 * CreatePartitions (37) v0-3: raises topics' partition counts (never lowers them). Explicit
 * assignments are checked for shape; placement itself is the metadata manager's.
 */
import {ErrorCode, KafkaError} from '../../protocol/index.js'
import type {BrokerContext} from '../context.js'
import type {Handler, RequestContext} from './types.js'

interface Result { name: string; errorCode: number; errorMessage: string | null }

/** Checks explicit assignments of the new partitions: one per new partition, same replica count, no duplicates. */
function checkAssignments(assignments: {brokerIds: number[]}[], added: number, replicationFactor: number, firstNew: number, nodeId: number): void {
  if (assignments.length !== added) {
    throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Increasing the number of partitions by ${added} but ${assignments.length} assignments provided.`)
  }
  assignments.forEach((a, i) => {
    const p = firstNew + i
    if (a.brokerIds.length !== replicationFactor) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Inconsistent replication factor between partitions, partition 0 has ${replicationFactor} while partition ${p} has ${a.brokerIds.length}.`)
    }
    if (new Set(a.brokerIds).size !== a.brokerIds.length) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Duplicate brokers not allowed in replica assignment: ${a.brokerIds.join(', ')} for partition id ${p}.`)
    }
    // A samsa node is a single-node cluster: no other broker can hold a replica.
    const unknown = a.brokerIds.find((b) => b !== nodeId)
    if (unknown !== undefined) throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Unknown broker id ${unknown} in replica assignment of partition ${p}.`)
  })
}

/** Grows one topic; never throws. */
async function growOne(broker: BrokerContext, t: any, validateOnly: boolean, duplicate: boolean): Promise<Result> {
  const result: Result = {name: t.name, errorCode: 0, errorMessage: null}
  try {
    if (duplicate) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Duplicate topic in request.')
    const image = broker.metadata.topic(t.name)
    if (!image) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${t.name}' does not exist.`)
    const current = image.partitions.length
    if (t.count < current) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${current} partitions, which is higher than the requested ${t.count}.`)
    if (t.count === current) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partitions.`)
    if (t.assignments) checkAssignments(t.assignments, t.count - current, image.partitions[0]?.replicas.length ?? 1, current, broker.nodeId)
    await broker.metadata.createPartitions(t.name, t.count, {validateOnly})
  } catch (err) {
    if (err instanceof KafkaError) {
      result.errorCode = err.code
      result.errorMessage = err.message
    } else {
      broker.logger('error', `CreatePartitions ${t.name}: ${(err as Error)?.stack ?? String(err)}`)
      result.errorCode = ErrorCode.UNKNOWN_SERVER_ERROR
      result.errorMessage = (err as Error)?.message ?? String(err)
    }
  }
  return result
}

/** CreatePartitions handler. */
export const createPartitionsHandler: Handler = {
  apiKey: 37,
  minVersion: 0,
  maxVersion: 3,
  async handle(broker: BrokerContext, request: any, _ctx: RequestContext) {
    const counts = new Map<string, number>()
    for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1)
    const results: Result[] = []
    const reported = new Set<string>()
    for (const t of request.topics) {
      if (reported.has(t.name)) continue
      reported.add(t.name)
      results.push(await growOne(broker, t, !!request.validateOnly, counts.get(t.name)! > 1))
    }
    return {throttleTimeMs: 0, results}
  },
}
