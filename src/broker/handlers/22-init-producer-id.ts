/**
 * InitProducerId (22) v0-4 (flexible from v2): gives an idempotent producer its id and epoch.
 * As Kafka's transaction coordinator does for a null transactional id, every request gets a fresh
 * producer id with epoch 0 -- also on v3+ when the producer names its current id and epoch (KIP-360
 * bumps the epoch only for transactional ids; an idempotent producer just starts over with a new id,
 * which is as safe because the broker accepts any first sequence from an unknown producer).
 * Ids are unique across restarts: the controller reserves them in blocks in the metadata log.
 * This broker has no transaction coordinator: a transactional id gets NOT_COORDINATOR, the answer of
 * a Kafka broker that hosts no transaction state for it (FindCoordinator for transactions answers
 * COORDINATOR_NOT_AVAILABLE), so transactional clients retry and then time out; '' is INVALID_REQUEST.
 */
import {ErrorCode, KafkaError} from '../../protocol/index.js'
import type {BrokerContext} from '../context.js'
import type {Handler} from './types.js'

function answer(errorCode: number, producerId = -1n, producerEpoch = -1): object {
  return {throttleTimeMs: 0, errorCode, producerId, producerEpoch}
}

export const initProducerIdHandler: Handler = {
  apiKey: 22,
  minVersion: 0,
  maxVersion: 4,
  async handle(broker: BrokerContext, req: any) {
    const transactionalId: string | null = req.transactionalId
    const producerId: bigint = req.producerId ?? -1n
    const producerEpoch: number = req.producerEpoch ?? -1
    // Either both name an existing producer or neither does (Kafka's check, v3+).
    if ((producerId === -1n) !== (producerEpoch === -1)) return answer(ErrorCode.INVALID_REQUEST)
    if (transactionalId === '') return answer(ErrorCode.INVALID_REQUEST)
    if (transactionalId !== null) return answer(ErrorCode.NOT_COORDINATOR)
    try {
      // In a cluster ids come in blocks from the controller, which may take a round trip.
      const m = broker.metadata as {allocateProducerId?: () => Promise<bigint>}
      const id = m.allocateProducerId ? await m.allocateProducerId() : broker.metadata.generateProducerId()
      return answer(ErrorCode.NONE, id, 0)
    } catch (err) {
      if (err instanceof KafkaError && err.retriable) return answer(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
      broker.logger('error', `allocating a producer id failed: ${(err as Error).message}`)
      return answer(ErrorCode.UNKNOWN_SERVER_ERROR)
    }
  },
}
