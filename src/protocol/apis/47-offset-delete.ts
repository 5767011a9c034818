import type {ApiSchema} from '../schema.js'

/** OffsetDelete (47): removes a group's committed offsets for partitions it no longer consumes. */
export const offsetDeleteApi: ApiSchema = {
  apiKey: 47,
  name: 'OffsetDelete',
  validVersions: '0',
  flexibleVersions: 'none',
  request: {
    fields: [
      {name: 'groupId', type: 'string', versions: '0+'},
      {
        name: 'topics', type: '[]', versions: '0+', fields: [
          {name: 'name', type: 'string', versions: '0+'},
          {
            name: 'partitions', type: '[]', versions: '0+', fields: [
              {name: 'partitionIndex', type: 'int32', versions: '0+'},
            ],
          },
        ],
      },
    ],
  },
  response: {
    fields: [
      {name: 'errorCode', type: 'int16', versions: '0+'},
      {name: 'throttleTimeMs', type: 'int32', versions: '0+'},
      {
        name: 'topics', type: '[]', versions: '0+', fields: [
          {name: 'name', type: 'string', versions: '0+'},
          {
            name: 'partitions', type: '[]', versions: '0+', fields: [
              {name: 'partitionIndex', type: 'int32', versions: '0+'},
              {name: 'errorCode', type: 'int16', versions: '0+'},
            ],
          },
        ],
      },
    ],
  },
}
