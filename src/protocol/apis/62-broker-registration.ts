import type {ApiSchema} from '../schema.js'

/** BrokerRegistration (62): a starting broker registers with the active controller (v0). */
export const brokerRegistrationApi: ApiSchema = {
  apiKey: 62,
  name: 'BrokerRegistration',
  validVersions: '0',
  flexibleVersions: '0+',
  request: {fields: [
    {name: 'brokerId', type: 'int32', versions: '0+'},
    {name: 'clusterId', type: 'string', versions: '0+'},
    {name: 'incarnationId', type: 'uuid', versions: '0+'},
    {name: 'listeners', type: '[]', versions: '0+', fields: [
      {name: 'name', type: 'string', versions: '0+'},
      {name: 'host', type: 'string', versions: '0+'},
      {name: 'port', type: 'uint16', versions: '0+'},
      {name: 'securityProtocol', type: 'int16', versions: '0+'},
    ]},
    {name: 'features', type: '[]', versions: '0+', fields: [
      {name: 'name', type: 'string', versions: '0+'},
      {name: 'minSupportedVersion', type: 'int16', versions: '0+'},
      {name: 'maxSupportedVersion', type: 'int16', versions: '0+'},
    ]},
    {name: 'rack', type: 'string', versions: '0+', nullableVersions: '0+'},
  ]},
  response: {fields: [
    {name: 'throttleTimeMs', type: 'int32', versions: '0+'},
    {name: 'errorCode', type: 'int16', versions: '0+'},
    {name: 'brokerEpoch', type: 'int64', versions: '0+', default: -1n},
  ]},
}
