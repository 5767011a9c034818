import type {ApiSchema} from '../schema.js'

/** FindCoordinator (10): which broker coordinates a group (key type 0) or transaction (1). */
export const findCoordinatorApi: ApiSchema = {
  apiKey: 10,
  name: 'FindCoordinator',
  validVersions: '0-4',
  flexibleVersions: '3+',
  request: {
    fields: [
      {name: 'key', type: 'string', versions: '0-3'},
      {name: 'keyType', type: 'int8', versions: '1+'},
      // v4 (KIP-699) batches keys and answers per key in `coordinators`.
      {name: 'coordinatorKeys', type: '[]string', versions: '4+'},
    ],
  },
  response: {
    fields: [
      {name: 'throttleTimeMs', type: 'int32', versions: '1+'},
      {name: 'errorCode', type: 'int16', versions: '0-3'},
      {name: 'errorMessage', type: 'string', versions: '1-3', nullableVersions: '1-3', default: null},
      {name: 'nodeId', type: 'int32', versions: '0-3'},
      {name: 'host', type: 'string', versions: '0-3'},
      {name: 'port', type: 'int32', versions: '0-3'},
      {
        name: 'coordinators', type: '[]', versions: '4+', fields: [
          {name: 'key', type: 'string', versions: '4+'},
          {name: 'nodeId', type: 'int32', versions: '4+'},
          {name: 'host', type: 'string', versions: '4+'},
          {name: 'port', type: 'int32', versions: '4+'},
          {name: 'errorCode', type: 'int16', versions: '4+'},
          {name: 'errorMessage', type: 'string', versions: '4+', nullableVersions: '4+'},
        ],
      },
    ],
  },
}
