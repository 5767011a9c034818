import type {ApiSchema} from '../schema.js'

/**
 * ListOffsets (2): offset lookup by timestamp. Timestamp -1 = latest (log end), -2 = earliest
 * (log start), -3 = the record with the max timestamp (v7+).
 */
export const listOffsetsApi: ApiSchema = {
  apiKey: 2,
  name: 'ListOffsets',
  validVersions: '0-7',
  flexibleVersions: '6+',
  request: {
    fields: [
      {name: 'replicaId', type: 'int32', versions: '0+'},
      {name: 'isolationLevel', type: 'int8', versions: '2+'},
      {
        name: 'topics', type: '[]', versions: '0+', fields: [
          {name: 'name', type: 'string', versions: '0+'},
          {
            name: 'partitions', type: '[]', versions: '0+', fields: [
              {name: 'partitionIndex', type: 'int32', versions: '0+'},
              {name: 'currentLeaderEpoch', type: 'int32', versions: '4+', default: -1},
              {name: 'timestamp', type: 'int64', versions: '0+'},
              // v0 could ask for several offsets; v1+ always returns exactly one.
              {name: 'maxNumOffsets', type: 'int32', versions: '0', default: 1},
            ],
          },
        ],
      },
    ],
  },
  response: {
    fields: [
      {name: 'throttleTimeMs', type: 'int32', versions: '2+'},
      {
        name: 'topics', type: '[]', versions: '0+', fields: [
          {name: 'name', type: 'string', versions: '0+'},
          {
            name: 'partitions', type: '[]', versions: '0+', fields: [
              {name: 'partitionIndex', type: 'int32', versions: '0+'},
              {name: 'errorCode', type: 'int16', versions: '0+'},
              {name: 'oldStyleOffsets', type: '[]int64', versions: '0'},
              {name: 'timestamp', type: 'int64', versions: '1+', default: -1n},
              {name: 'offset', type: 'int64', versions: '1+', default: -1n},
              {name: 'leaderEpoch', type: 'int32', versions: '4+', default: -1},
            ],
          },
        ],
      },
    ],
  },
}
