import type {ApiSchema} from '../schema.js'

/** Vote (52, KIP-595): a Raft candidate asks the other controller voters for their vote in its epoch. */
export const voteApi: ApiSchema = {
  apiKey: 52,
  name: 'Vote',
  validVersions: '0',
  flexibleVersions: '0+',
  request: {
    fields: [
      {name: 'clusterId', type: 'string', versions: '0+', nullableVersions: '0+', default: null},
      {
        name: 'topics', type: '[]', versions: '0+', fields: [
          {name: 'topicName', type: 'string', versions: '0+'},
          {
            name: 'partitions', type: '[]', versions: '0+', fields: [
              {name: 'partitionIndex', type: 'int32', versions: '0+'},
              // The candidate's bumped epoch.
              {name: 'candidateEpoch', type: 'int32', versions: '0+'},
              {name: 'candidateId', type: 'int32', versions: '0+'},
              // Epoch and end offset of the candidate's log: voters grant only to logs at least as up to date.
              {name: 'lastOffsetEpoch', type: 'int32', versions: '0+'},
              {name: 'lastOffset', type: 'int64', versions: '0+'},
            ],
          },
        ],
      },
    ],
  },
  response: {
    fields: [
      {name: 'errorCode', type: 'int16', versions: '0+'},
      {
        name: 'topics', type: '[]', versions: '0+', fields: [
          {name: 'topicName', type: 'string', versions: '0+'},
          {
            name: 'partitions', type: '[]', versions: '0+', fields: [
              {name: 'partitionIndex', type: 'int32', versions: '0+'},
              {name: 'errorCode', type: 'int16', versions: '0+'},
              {name: 'leaderId', type: 'int32', versions: '0+'},
              {name: 'leaderEpoch', type: 'int32', versions: '0+'},
              {name: 'voteGranted', type: 'bool', versions: '0+'},
            ],
          },
        ],
      },
    ],
  },
}
