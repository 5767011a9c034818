import type {ApiSchema} from '../schema.js'

/** DescribeCluster (60): cluster id, controller and brokers, for admin clients (KIP-700). Flexible from v0. */
export const describeClusterApi: ApiSchema = {
  apiKey: 60,
  name: 'DescribeCluster',
  validVersions: '0-1',
  flexibleVersions: '0+',
  request: {
    fields: [
      {name: 'includeClusterAuthorizedOperations', type: 'bool', versions: '0+'},
      // 1 = brokers, 2 = controllers.
      {name: 'endpointType', type: 'int8', versions: '1+', default: 1},
    ],
  },
  response: {
    fields: [
      {name: 'throttleTimeMs', type: 'int32', versions: '0+'},
      {name: 'errorCode', type: 'int16', versions: '0+'},
      {name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null},
      {name: 'endpointType', type: 'int8', versions: '1+', default: 1},
      {name: 'clusterId', type: 'string', versions: '0+'},
      {name: 'controllerId', type: 'int32', versions: '0+', default: -1},
      {
        name: 'brokers', type: '[]', versions: '0+', fields: [
          {name: 'brokerId', type: 'int32', versions: '0+'},
          {name: 'host', type: 'string', versions: '0+'},
          {name: 'port', type: 'int32', versions: '0+'},
          {name: 'rack', type: 'string', versions: '0+', nullableVersions: '0+', default: null},
        ],
      },
      {name: 'clusterAuthorizedOperations', type: 'int32', versions: '0+', default: -2147483648},
    ],
  },
}
