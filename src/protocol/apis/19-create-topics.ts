import type {ApiSchema} from '../schema.js'

/** CreateTopics (19): creates topics; v5+ answers with the resulting configs (KIP-525). */
export const createTopicsApi: ApiSchema = {
  apiKey: 19,
  name: 'CreateTopics',
  validVersions: '0-7',
  flexibleVersions: '5+',
  request: {
    fields: [
      {
        name: 'topics', type: '[]', versions: '0+', fields: [
          {name: 'name', type: 'string', versions: '0+'},
          // -1 (v4+) means "use the broker default" or "given by assignments".
          {name: 'numPartitions', type: 'int32', versions: '0+'},
          {name: 'replicationFactor', type: 'int16', versions: '0+'},
          {
            name: 'assignments', type: '[]', versions: '0+', fields: [
              {name: 'partitionIndex', type: 'int32', versions: '0+'},
              {name: 'brokerIds', type: '[]int32', versions: '0+'},
            ],
          },
          {
            name: 'configs', type: '[]', versions: '0+', fields: [
              {name: 'name', type: 'string', versions: '0+'},
              {name: 'value', type: 'string', versions: '0+', nullableVersions: '0+'},
            ],
          },
        ],
      },
      {name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000},
      {name: 'validateOnly', type: 'bool', versions: '1+'},
    ],
  },
  response: {
    fields: [
      {name: 'throttleTimeMs', type: 'int32', versions: '2+'},
      {
        name: 'topics', type: '[]', versions: '0+', fields: [
          {name: 'name', type: 'string', versions: '0+'},
          {name: 'topicId', type: 'uuid', versions: '7+'},
          {name: 'errorCode', type: 'int16', versions: '0+'},
          {name: 'errorMessage', type: 'string', versions: '1+', nullableVersions: '0+', default: null},
          // Sent only when configs could not be described (tagged, so absent when 0).
          {name: 'topicConfigErrorCode', type: 'int16', versions: '5+', taggedVersions: '5+', tag: 0},
          {name: 'numPartitions', type: 'int32', versions: '5+', default: -1},
          {name: 'replicationFactor', type: 'int16', versions: '5+', default: -1},
          {
            name: 'configs', type: '[]', versions: '5+', nullableVersions: '5+', fields: [
              {name: 'name', type: 'string', versions: '5+'},
              {name: 'value', type: 'string', versions: '5+', nullableVersions: '5+'},
              {name: 'readOnly', type: 'bool', versions: '5+'},
              {name: 'configSource', type: 'int8', versions: '5+', default: -1},
              {name: 'isSensitive', type: 'bool', versions: '5+'},
            ],
          },
        ],
      },
    ],
  },
}
