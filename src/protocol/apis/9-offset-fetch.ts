import type {ApiSchema} from '../schema.js'

/** OffsetFetch (9): reads a group's committed offsets; v8 asks for several groups at once. */
export const offsetFetchApi: ApiSchema = {
  apiKey: 9,
  name: 'OffsetFetch',
  validVersions: '0-8',
  flexibleVersions: '6+',
  request: {
    fields: [
      {name: 'groupId', type: 'string', versions: '0-7'},
      // v2+: null topics means "every topic the group has offsets for".
      {
        name: 'topics', type: '[]', versions: '0-7', nullableVersions: '2-7', fields: [
          {name: 'name', type: 'string', versions: '0-7'},
          {name: 'partitionIndexes', type: '[]int32', versions: '0-7'},
        ],
      },
      {
        name: 'groups', type: '[]', versions: '8+', fields: [
          {name: 'groupId', type: 'string', versions: '8+'},
          {
            name: 'topics', type: '[]', versions: '8+', nullableVersions: '8+', fields: [
              {name: 'name', type: 'string', versions: '8+'},
              {name: 'partitionIndexes', type: '[]int32', versions: '8+'},
            ],
          },
        ],
      },
      {name: 'requireStable', type: 'bool', versions: '7+'},
    ],
  },
  response: {
    fields: [
      {name: 'throttleTimeMs', type: 'int32', versions: '3+'},
      {
        name: 'topics', type: '[]', versions: '0-7', fields: [
          {name: 'name', type: 'string', versions: '0-7'},
          {
            name: 'partitions', type: '[]', versions: '0-7', fields: [
              {name: 'partitionIndex', type: 'int32', versions: '0-7'},
              {name: 'committedOffset', type: 'int64', versions: '0-7'},
              {name: 'committedLeaderEpoch', type: 'int32', versions: '5-7', default: -1},
              {name: 'metadata', type: 'string', versions: '0-7', nullableVersions: '0-7'},
              {name: 'errorCode', type: 'int16', versions: '0-7'},
            ],
          },
        ],
      },
      {name: 'errorCode', type: 'int16', versions: '2-7'},
      {
        name: 'groups', type: '[]', versions: '8+', fields: [
          {name: 'groupId', type: 'string', versions: '8+'},
          {
            name: 'topics', type: '[]', versions: '8+', fields: [
              {name: 'name', type: 'string', versions: '8+'},
              {
                name: 'partitions', type: '[]', versions: '8+', fields: [
                  {name: 'partitionIndex', type: 'int32', versions: '8+'},
                  {name: 'committedOffset', type: 'int64', versions: '8+'},
                  {name: 'committedLeaderEpoch', type: 'int32', versions: '8+', default: -1},
                  {name: 'metadata', type: 'string', versions: '8+', nullableVersions: '8+'},
                  {name: 'errorCode', type: 'int16', versions: '8+'},
                ],
              },
            ],
          },
          {name: 'errorCode', type: 'int16', versions: '8+'},
        ],
      },
    ],
  },
}
