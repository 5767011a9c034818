import type {ApiSchema} from '../schema.js'
import {quorumTopics, QUORUM_ERROR_CODE, QUORUM_PARTITION_RESULT} from './quorum-fields.js'

/** One replica's replication state in a DescribeQuorum answer. */
const replicaState = [
  {name: 'replicaId', type: 'int32', versions: '0+'},
  {name: 'logEndOffset', type: 'int64', versions: '0+'},
  // ms since epoch; -1 when unknown.
  {name: 'lastFetchTimestamp', type: 'int64', versions: '1+', default: -1n},
  {name: 'lastCaughtUpTimestamp', type: 'int64', versions: '1+', default: -1n},
]

/** DescribeQuorum (55, KIP-595/KIP-836): the Raft leader reports the quorum's replication state. */
export const describeQuorumApi: ApiSchema = {
  apiKey: 55,
  name: 'DescribeQuorum',
  validVersions: '0-1',
  flexibleVersions: '0+',
  request: {
    fields: [
      quorumTopics([]),
    ],
  },
  response: {
    fields: [
      QUORUM_ERROR_CODE,
      quorumTopics([
        ...QUORUM_PARTITION_RESULT,
        {name: 'highWatermark', type: 'int64', versions: '0+'},
        {name: 'currentVoters', type: '[]', versions: '0+', fields: replicaState},
        {name: 'observers', type: '[]', versions: '0+', fields: replicaState},
      ]),
    ],
  },
}
