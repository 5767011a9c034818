import type {ApiSchema} from '../schema.js'

/** BeginQuorumEpoch (53, KIP-595): a newly elected Raft leader tells the voters about its epoch. */
export const beginQuorumEpochApi: ApiSchema = {
  apiKey: 53,
  name: 'BeginQuorumEpoch',
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
