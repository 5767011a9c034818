import type {ApiSchema} from '../schema.js'

/** AllocateProducerIds (67): a broker asks the controller for a block of producer ids (v0). */
export const allocateProducerIdsApi: ApiSchema = {
  apiKey: 67,
  name: 'AllocateProducerIds',
  validVersions: '0',
  flexibleVersions: '0+',
  request: {fields: [
    {name: 'brokerId', type: 'int32', versions: '0+'},
    {name: 'brokerEpoch', type: 'int64', versions: '0+', default: -1n},
  ]},
  response: {fields: [
    {name: 'throttleTimeMs', type: 'int32', versions: '0+'},
    {name: 'errorCode', type: 'int16', versions: '0+'},
    {name: 'producerIdStart', type: 'int64', versions: '0+'},
    {name: 'producerIdLen', type: 'int32', versions: '0+'},
  ]},
}
