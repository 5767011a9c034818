import type {ApiSchema} from '../schema.js'

/** Metadata (3): brokers, controller, and each topic's partitions with leader, replicas and ISR. */
export const metadataApi: ApiSchema = {
  apiKey: 3,
  name: 'Metadata',
  validVersions: '0-12',
  flexibleVersions: '9+',
  request: {
    fields: [
      // v0: empty array = all topics. v1+: null = all topics, empty = none.
      {
        name: 'topics', type: '[]', versions: '0+', nullableVersions: '1+', fields: [
          {name: 'topicId', type: 'uuid', versions: '10+'},
          // v10+ may name a topic by id only, leaving the name null.
          {name: 'name', type: 'string', versions: '0+', nullableVersions: '10+'},
        ],
      },
      // Absent before v4, where brokers always auto-created: default true keeps that meaning.
      {name: 'allowAutoTopicCreation', type: 'bool', versions: '4+', default: true},
      {name: 'includeClusterAuthorizedOperations', type: 'bool', versions: '8-10'},
      {name: 'includeTopicAuthorizedOperations', type: 'bool', versions: '8+'},
    ],
  },
  response: {
    fields: [
      {name: 'throttleTimeMs', type: 'int32', versions: '3+'},
      {
        name: 'brokers', type: '[]', versions: '0+', fields: [
          {name: 'nodeId', type: 'int32', versions: '0+'},
          {name: 'host', type: 'string', versions: '0+'},
          {name: 'port', type: 'int32', versions: '0+'},
          {name: 'rack', type: 'string', versions: '1+', nullableVersions: '1+', default: null},
        ],
      },
      {name: 'clusterId', type: 'string', versions: '2+', nullableVersions: '2+', default: null},
      {name: 'controllerId', type: 'int32', versions: '1+', default: -1},
      {
        name: 'topics', type: '[]', versions: '0+', fields: [
          {name: 'errorCode', type: 'int16', versions: '0+'},
          {name: 'name', type: 'string', versions: '0+', nullableVersions: '12+'},
          {name: 'topicId', type: 'uuid', versions: '10+'},
          {name: 'isInternal', type: 'bool', versions: '1+', default: false},
          {
            name: 'partitions', type: '[]', versions: '0+', fields: [
              {name: 'errorCode', type: 'int16', versions: '0+'},
              {name: 'partitionIndex', type: 'int32', versions: '0+'},
              {name: 'leaderId', type: 'int32', versions: '0+'},
              {name: 'leaderEpoch', type: 'int32', versions: '7+', default: -1},
              {name: 'replicaNodes', type: '[]int32', versions: '0+'},
              {name: 'isrNodes', type: '[]int32', versions: '0+'},
              {name: 'offlineReplicas', type: '[]int32', versions: '5+'},
            ],
          },
          // INT32_MIN means "not requested".
          {name: 'topicAuthorizedOperations', type: 'int32', versions: '8+', default: -2147483648},
        ],
      },
      {name: 'clusterAuthorizedOperations', type: 'int32', versions: '8-10', default: -2147483648},
    ],
  },
}
