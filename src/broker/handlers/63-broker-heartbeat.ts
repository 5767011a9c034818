/** BrokerHeartbeat (63) v0: a registered broker's heartbeat to this node's active controller. */
import type {BrokerContext} from '../context.js'
import type {Handler} from './types.js'
import {activeController, errorCodeOf} from './controller-access.js'

export const brokerHeartbeatHandler: Handler = {
  apiKey: 63,
  minVersion: 0,
  maxVersion: 0,
  async handle(broker: BrokerContext, req: any) {
    try {
      const r = await activeController(broker).heartbeat({
        brokerId: req.brokerId, brokerEpoch: req.brokerEpoch, currentMetadataOffset: req.currentMetadataOffset,
        wantFence: req.wantFence, wantShutDown: req.wantShutDown,
      })
      return {throttleTimeMs: 0, errorCode: 0, ...r}
    } catch (err) {
      return {throttleTimeMs: 0, errorCode: errorCodeOf(broker, err, 'BrokerHeartbeat').errorCode, isCaughtUp: false, isFenced: true, shouldShutDown: false}
    }
  },
}
