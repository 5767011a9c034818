import type {ApiSchema} from '../schema.js'

/** BrokerHeartbeat (63): a registered broker's periodic liveness and state report (v0). */
export const brokerHeartbeatApi: ApiSchema = {
  apiKey: 63,
  name: 'BrokerHeartbeat',
  validVersions: '0',
  flexibleVersions: '0+',
  request: {fields: [
    {name: 'brokerId', type: 'int32', versions: '0+'},
    {name: 'brokerEpoch', type: 'int64', versions: '0+', default: -1n},
    {name: 'currentMetadataOffset', type: 'int64', versions: '0+'},
    {name: 'wantFence', type: 'bool', versions: '0+'},
    {name: 'wantShutDown', type: 'bool', versions: '0+'},
  ]},
  response: {fields: [
    {name: 'throttleTimeMs', type: 'int32', versions: '0+'},
    {name: 'errorCode', type: 'int16', versions: '0+'},
    {name: 'isCaughtUp', type: 'bool', versions: '0+', default: false},
    {name: 'isFenced', type: 'bool', versions: '0+', default: true},
    {name: 'shouldShutDown', type: 'bool', versions: '0+'},
  ]},
}
