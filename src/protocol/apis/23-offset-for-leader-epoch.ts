import type {ApiSchema} from '../schema.js'

/** OffsetForLeaderEpoch (23): end offset of a leader epoch, used to detect log divergence. */
export const offsetForLeaderEpochApi: ApiSchema = {
  apiKey: 23,
  name: 'OffsetForLeaderEpoch',
  validVersions: '0-4',
  flexibleVersions: '4+',
  request: {
    fields: [
      // -2 is the "debug consumer" convention; followers send their broker id, consumers -1.
      {name: 'replicaId', type: 'int32', versions: '3+', default: -2},
      {
        name: 'topics', type: '[]', versions: '0+', fields: [
          {name: 'topic', type: 'string', versions: '0+'},
          {
            name: 'partitions', type: '[]', versions: '0+', fields: [
              {name: 'partition', type: 'int32', versions: '0+'},
              {name: 'currentLeaderEpoch', type: 'int32', versions: '2+', default: -1},
              {name: 'leaderEpoch', type: 'int32', versions: '0+'},
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
          {name: 'topic', type: 'string', versions: '0+'},
          {
            name: 'partitions', type: '[]', versions: '0+', fields: [
              {name: 'errorCode', type: 'int16', versions: '0+'},
              {name: 'partition', type: 'int32', versions: '0+'},
              {name: 'leaderEpoch', type: 'int32', versions: '1+', default: -1},
              {name: 'endOffset', type: 'int64', versions: '0+', default: -1n},
            ],
          },
        ],
      },
    ],
  },
}
