import type {ApiSchema} from '../schema.js'
import {quorumTopics, QUORUM_CLUSTER_ID, QUORUM_ERROR_CODE, QUORUM_PARTITION_RESULT} from './quorum-fields.js'

/** BeginQuorumEpoch (53, KIP-595): a newly elected Raft leader tells the voters about its epoch. */
export const beginQuorumEpochApi: ApiSchema = {
  apiKey: 53,
  name: 'BeginQuorumEpoch',
  validVersions: '0',
  flexibleVersions: 'none',
  request: {
    fields: [
      QUORUM_CLUSTER_ID,
      quorumTopics([
        {name: 'leaderId', type: 'int32', versions: '0+'},
        {name: 'leaderEpoch', type: 'int32', versions: '0+'},
      ]),
    ],
  },
  response: {
    fields: [
      QUORUM_ERROR_CODE,
      quorumTopics(QUORUM_PARTITION_RESULT),
    ],
  },
}
