import type {ApiSchema} from '../schema.js'

/** DescribeLogDirs (35): log directories and the size of each partition in them. */
export const describeLogDirsApi: ApiSchema = {
  apiKey: 35,
  name: 'DescribeLogDirs',
  validVersions: '0-4',
  flexibleVersions: '2+',
  request: {
    fields: [
      // null = every partition of every topic.
      {
        name: 'topics', type: '[]', versions: '0+', nullableVersions: '0+', fields: [
          {name: 'topic', type: 'string', versions: '0+'},
          {name: 'partitions', type: '[]int32', versions: '0+'},
        ],
      },
    ],
  },
  response: {
    fields: [
      {name: 'throttleTimeMs', type: 'int32', versions: '0+'},
      {name: 'errorCode', type: 'int16', versions: '3+'},
      {
        name: 'results', type: '[]', versions: '0+', fields: [
          {name: 'errorCode', type: 'int16', versions: '0+'},
          {name: 'logDir', type: 'string', versions: '0+'},
          {
            name: 'topics', type: '[]', versions: '0+', fields: [
              {name: 'name', type: 'string', versions: '0+'},
              {
                name: 'partitions', type: '[]', versions: '0+', fields: [
                  {name: 'partitionIndex', type: 'int32', versions: '0+'},
                  {name: 'partitionSize', type: 'int64', versions: '0+'},
                  {name: 'offsetLag', type: 'int64', versions: '0+'},
                  {name: 'isFutureKey', type: 'bool', versions: '0+'},
                ],
              },
            ],
          },
          // v4+ (KIP-827): volume size and free space; -1 when unknown.
          {name: 'totalBytes', type: 'int64', versions: '4+', default: -1n},
          {name: 'usableBytes', type: 'int64', versions: '4+', default: -1n},
        ],
      },
    ],
  },
}
