import type {ApiSchema} from '../schema.js'

/** EndQuorumEpoch (54, KIP-595): a resigning Raft leader asks the voters to elect a successor now. */
export const endQuorumEpochApi: ApiSchema = {
  apiKey: 54,
  name: 'EndQuorumEpoch',
  validVersions: '0',
  flexibleVersions: 'none',
  request: {
    fields: [
      {name: 'clusterId', type: 'string', versions: '0+', nullableVersions: '0+', default: null},
      {
        name: 'topics', type: '[]', versions: '0+', fields: [
          {name: 'topicName', type: 'string', versions: '0+'},
          {
            name: 'partitions', type: '[]', versions: '0+', fields: [
              {name: 'partitionIndex', type: 'int32', versions: '0+'},
              {name: 'leaderId', type: 'int32', versions: '0+'},
              {name: 'leaderEpoch', type: 'int32', versions: '0+'},
              // Voters sorted by how far they have replicated: the first should stand first.
              {name: 'preferredSuccessors', type: '[]int32', versions: '0+'},
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
            ],
          },
        ],
      },
    ],
  },
}
