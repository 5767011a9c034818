import type {ApiSchema} from '../schema.js'

/** InitProducerId (22): allocates a producer id and epoch for idempotent/transactional producers. */
export const initProducerIdApi: ApiSchema = {
  apiKey: 22,
  name: 'InitProducerId',
  validVersions: '0-4',
  flexibleVersions: '2+',
  request: {
    fields: [
      {name: 'transactionalId', type: 'string', versions: '0+', nullableVersions: '0+'},
      {name: 'transactionTimeoutMs', type: 'int32', versions: '0+'},
      // v3+ (KIP-360): an existing producer may ask to bump its epoch instead of getting a new id.
      {name: 'producerId', type: 'int64', versions: '3+', default: -1n},
      {name: 'producerEpoch', type: 'int16', versions: '3+', default: -1},
    ],
  },
  response: {
    fields: [
      {name: 'throttleTimeMs', type: 'int32', versions: '0+'},
      {name: 'errorCode', type: 'int16', versions: '0+'},
      {name: 'producerId', type: 'int64', versions: '0+', default: -1n},
      {name: 'producerEpoch', type: 'int16', versions: '0+'},
    ],
  },
}
