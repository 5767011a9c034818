import type {ApiSchema} from '../schema.js'

/** DeleteRecords (21): advances partitions' log start offsets (records before it are deleted). */
export const deleteRecordsApi: ApiSchema = {
  apiKey: 21,
  name: 'DeleteRecords',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: {
    fields: [
      {
        name: 'topics', type: '[]', versions: '0+', fields: [
          {name: 'name', type: 'string', versions: '0+'},
          {
            name: 'partitions', type: '[]', versions: '0+', fields: [
              {name: 'partitionIndex', type: 'int32', versions: '0+'},
              // -1 means "up to the high watermark".
              {name: 'offset', type: 'int64', versions: '0+'},
            ],
          },
        ],
      },
      {name: 'timeoutMs', type: 'int32', versions: '0+'},
    ],
  },
  response: {
    fields: [
      {name: 'throttleTimeMs', type: 'int32', versions: '0+'},
      {
        name: 'topics', type: '[]', versions: '0+', fields: [
          {name: 'name', type: 'string', versions: '0+'},
          {
            name: 'partitions', type: '[]', versions: '0+', fields: [
              {name: 'partitionIndex', type: 'int32', versions: '0+'},
              {name: 'lowWatermark', type: 'int64', versions: '0+'},
              {name: 'errorCode', type: 'int16', versions: '0+'},
            ],
          },
        ],
      },
    ],
  },
}
