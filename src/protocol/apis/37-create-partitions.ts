import type {ApiSchema} from '../schema.js'

/** CreatePartitions (37): raises topics' partition counts. */
export const createPartitionsApi: ApiSchema = {
  apiKey: 37,
  name: 'CreatePartitions',
  validVersions: '0-3',
  flexibleVersions: '2+',
  request: {
    fields: [
      {
        name: 'topics', type: '[]', versions: '0+', fields: [
          {name: 'name', type: 'string', versions: '0+'},
          {name: 'count', type: 'int32', versions: '0+'},
          // null = let the controller place the new partitions.
          {
            name: 'assignments', type: '[]', versions: '0+', nullableVersions: '0+', fields: [
              {name: 'brokerIds', type: '[]int32', versions: '0+'},
            ],
          },
        ],
      },
      {name: 'timeoutMs', type: 'int32', versions: '0+'},
      {name: 'validateOnly', type: 'bool', versions: '0+'},
    ],
  },
  response: {
    fields: [
      {name: 'throttleTimeMs', type: 'int32', versions: '0+'},
      {
        name: 'results', type: '[]', versions: '0+', fields: [
          {name: 'name', type: 'string', versions: '0+'},
          {name: 'errorCode', type: 'int16', versions: '0+'},
          {name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null},
        ],
      },
    ],
  },
}
