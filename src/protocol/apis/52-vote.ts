import type {ApiSchema} from '../schema.js'
import {quorumTopics, QUORUM_CLUSTER_ID, QUORUM_ERROR_CODE, QUORUM_PARTITION_RESULT} from './quorum-fields.js'

/** Vote (52, KIP-595): a Raft candidate asks the other controller voters for their vote in its epoch. */
export const voteApi: ApiSchema = {
  apiKey: 52,
  name: 'Vote',
  validVersions: '0',
  flexibleVersions: '0+',
  request: {
    fields: [
      QUORUM_CLUSTER_ID,
      quorumTopics([
        // The candidate's bumped epoch.
        {name: 'candidateEpoch', type: 'int32', versions: '0+'},
        {name: 'candidateId', type: 'int32', versions: '0+'},
        // Epoch and end offset of the candidate's log: voters grant only to logs at least as up to date.
        {name: 'lastOffsetEpoch', type: 'int32', versions: '0+'},
        {name: 'lastOffset', type: 'int64', versions: '0+'},
      ]),
    ],
  },
  response: {
    fields: [
      QUORUM_ERROR_CODE,
      quorumTopics([...QUORUM_PARTITION_RESULT, {name: 'voteGranted', type: 'bool', versions: '0+'}]),
    ],
  },
}
