/** BrokerRegistration (62) v0: a broker registers with this node's active controller. */
import type {BrokerContext} from '../context.js'
import type {Handler} from './types.js'
import {activeController, errorCodeOf} from './controller-access.js'

export const brokerRegistrationHandler: Handler = {
  apiKey: 62,
  minVersion: 0,
  maxVersion: 0,
  async handle(broker: BrokerContext, req: any) {
    try {
      const listener = req.listeners[0]
      const brokerEpoch = await activeController(broker).registerBroker({
        brokerId: req.brokerId, clusterId: req.clusterId, incarnationId: req.incarnationId,
        host: listener?.host ?? '', port: listener?.port ?? 0, rack: req.rack ?? null,
      })
      return {throttleTimeMs: 0, errorCode: 0, brokerEpoch}
    } catch (err) {
      return {throttleTimeMs: 0, errorCode: errorCodeOf(broker, err, 'BrokerRegistration').errorCode, brokerEpoch: -1n}
    }
  },
}
