import type {ApiSchema, FieldSchema} from '../schema.js'

/** A listener as brokers register it (also the endpoints of KRaft's RegisterBrokerRecord). */
export const BROKER_ENDPOINT_FIELDS: FieldSchema[] = [
  {name: 'name', type: 'string', versions: '0+'},
  {name: 'host', type: 'string', versions: '0+'},
  {name: 'port', type: 'uint16', versions: '0+'},
  {name: 'securityProtocol', type: 'int16', versions: '0+'},
]

/** A supported feature version range (registration request and RegisterBrokerRecord). */
export const FEATURE_RANGE_FIELDS: FieldSchema[] = [
  {name: 'name', type: 'string', versions: '0+'},
  {name: 'minSupportedVersion', type: 'int16', versions: '0+'},
  {name: 'maxSupportedVersion', type: 'int16', versions: '0+'},
]

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
    {name: 'listeners', type: '[]', versions: '0+', fields: BROKER_ENDPOINT_FIELDS},
    {name: 'features', type: '[]', versions: '0+', fields: FEATURE_RANGE_FIELDS},
    {name: 'rack', type: 'string', versions: '0+', nullableVersions: '0+'},
  ]},
  response: {fields: [
    {name: 'throttleTimeMs', type: 'int32', versions: '0+'},
    {name: 'errorCode', type: 'int16', versions: '0+'},
    {name: 'brokerEpoch', type: 'int64', versions: '0+', default: -1n},
  ]},
}
