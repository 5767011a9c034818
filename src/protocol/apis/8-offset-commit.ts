import type {ApiSchema} from '../schema.js'

/** OffsetCommit (8): a group member stores its consumed offsets with the group coordinator. */
export const offsetCommitApi: ApiSchema = {
  apiKey: 8,
  name: 'OffsetCommit',
  validVersions: '0-8',
  flexibleVersions: '8+',
  request: {
    fields: [
      {name: 'groupId', type: 'string', versions: '0+'},
      // -1 with an empty member id means "offset storage only", no generation check.
      {name: 'generationId', type: 'int32', versions: '1+', default: -1},
      {name: 'memberId', type: 'string', versions: '1+'},
      {name: 'groupInstanceId', type: 'string', versions: '7+', nullableVersions: '7+', default: null},
      // v2-v4 only: v5 moved retention to the broker config offsets.retention.minutes.
      {name: 'retentionTimeMs', type: 'int64', versions: '2-4', default: -1n},
      {
        name: 'topics', type: '[]', versions: '0+', fields: [
          {name: 'name', type: 'string', versions: '0+'},
          {
            name: 'partitions', type: '[]', versions: '0+', fields: [
              {name: 'partitionIndex', type: 'int32', versions: '0+'},
              {name: 'committedOffset', type: 'int64', versions: '0+'},
              {name: 'committedLeaderEpoch', type: 'int32', versions: '6+', default: -1},
              // v1 only: replaced by the request-level retention time in v2.
              {name: 'commitTimestamp', type: 'int64', versions: '1-1', default: -1n},
              {name: 'committedMetadata', type: 'string', versions: '0+', nullableVersions: '0+'},
            ],
          },
        ],
      },
    ],
  },
  response: {
    fields: [
      {name: 'throttleTimeMs', type: 'int32', versions: '3+'},
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
