import type {ApiSchema} from '../schema.js'

/** ElectLeaders (43): triggers preferred (type 0) or unclean (type 1) leader elections. */
export const electLeadersApi: ApiSchema = {
  apiKey: 43,
  name: 'ElectLeaders',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: {
    fields: [
      // v0 has no type field: it always meant a preferred election.
      {name: 'electionType', type: 'int8', versions: '1+'},
      // null = every partition.
      {
        name: 'topicPartitions', type: '[]', versions: '0+', nullableVersions: '0+', fields: [
          {name: 'topic', type: 'string', versions: '0+'},
          {name: 'partitions', type: '[]int32', versions: '0+'},
        ],
      },
      {name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000},
    ],
  },
  response: {
    fields: [
      {name: 'throttleTimeMs', type: 'int32', versions: '0+'},
      {name: 'errorCode', type: 'int16', versions: '1+'},
      {
        name: 'replicaElectionResults', type: '[]', versions: '0+', fields: [
          {name: 'topic', type: 'string', versions: '0+'},
          {
            name: 'partitionResult', type: '[]', versions: '0+', fields: [
              {name: 'partitionId', type: 'int32', versions: '0+'},
              {name: 'errorCode', type: 'int16', versions: '0+'},
              {name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+'},
            ],
          },
        ],
      },
    ],
  },
}
