import type {ApiSchema} from '../schema.js'
import {quorumTopics, QUORUM_CLUSTER_ID, QUORUM_ERROR_CODE, QUORUM_PARTITION_RESULT} from './quorum-fields.js'

/** EndQuorumEpoch (54, KIP-595): a resigning Raft leader asks the voters to elect a successor now. */
export const endQuorumEpochApi: ApiSchema = {
  apiKey: 54,
  name: 'EndQuorumEpoch',
  validVersions: '0',
  flexibleVersions: 'none',
  request: {
    fields: [
      QUORUM_CLUSTER_ID,
      quorumTopics([
        {name: 'leaderId', type: 'int32', versions: '0+'},
        {name: 'leaderEpoch', type: 'int32', versions: '0+'},
        // Voters sorted by how far they have replicated: the first should stand first.
        {name: 'preferredSuccessors', type: '[]int32', versions: '0+'},
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
