/** AllocateProducerIds (67) v0: a broker takes a block of producer ids from this node's active controller. */
import type {BrokerContext} from '../context.js'
import type {Handler} from './types.js'
import {activeController, errorCodeOf} from './controller-access.js'

export const allocateProducerIdsHandler: Handler = {
  apiKey: 67,
  minVersion: 0,
  maxVersion: 0,
  async handle(broker: BrokerContext, req: any) {
    try {
      const {start, length} = await activeController(broker).allocateProducerIds(req.brokerId, req.brokerEpoch)
      return {throttleTimeMs: 0, errorCode: 0, producerIdStart: start, producerIdLen: length}
    } catch (err) {
      return {throttleTimeMs: 0, errorCode: errorCodeOf(broker, err, 'AllocateProducerIds').errorCode, producerIdStart: -1n, producerIdLen: 0}
    }
  },
}
