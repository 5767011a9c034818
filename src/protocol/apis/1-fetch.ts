import type {ApiSchema} from '../schema.js'

/**
 * Fetch (1): consumers and followers read record batches. Implemented v4 (record batch v2) to v12;
 * v13+ names topics by id only.
 */
export const fetchApi: ApiSchema = {
  apiKey: 1,
  name: 'Fetch',
  validVersions: '4-12',
  flexibleVersions: '12+',
  request: {
    fields: [
      {name: 'clusterId', type: 'string', versions: '12+', nullableVersions: '12+', default: null, taggedVersions: '12+', tag: 0},
      // -1 for consumers; a broker id for follower fetches.
      {name: 'replicaId', type: 'int32', versions: '0+'},
      {name: 'maxWaitMs', type: 'int32', versions: '0+'},
      {name: 'minBytes', type: 'int32', versions: '0+'},
      {name: 'maxBytes', type: 'int32', versions: '3+', default: 0x7fffffff},
      // 0 = read uncommitted, 1 = read committed.
      {name: 'isolationLevel', type: 'int8', versions: '4+', default: 0},
      // Fetch sessions (KIP-227): id 0 + epoch -1 = a full fetch without a session.
      {name: 'sessionId', type: 'int32', versions: '7+', default: 0},
      {name: 'sessionEpoch', type: 'int32', versions: '7+', default: -1},
      {
        name: 'topics', type: '[]', versions: '0+', fields: [
          {name: 'topic', type: 'string', versions: '0-12'},
          {name: 'topicId', type: 'uuid', versions: '13+'},
          {
            name: 'partitions', type: '[]', versions: '0+', fields: [
              {name: 'partition', type: 'int32', versions: '0+'},
              {name: 'currentLeaderEpoch', type: 'int32', versions: '9+', default: -1},
              {name: 'fetchOffset', type: 'int64', versions: '0+'},
              {name: 'lastFetchedEpoch', type: 'int32', versions: '12+', default: -1},
              {name: 'logStartOffset', type: 'int64', versions: '5+', default: -1n},
              {name: 'partitionMaxBytes', type: 'int32', versions: '0+'},
            ],
          },
        ],
      },
      {
        name: 'forgottenTopicsData', type: '[]', versions: '7+', fields: [
          {name: 'topic', type: 'string', versions: '7-12'},
          {name: 'topicId', type: 'uuid', versions: '13+'},
          {name: 'partitions', type: '[]int32', versions: '7+'},
        ],
      },
      {name: 'rackId', type: 'string', versions: '11+', default: ''},
    ],
  },
  response: {
    fields: [
      {name: 'throttleTimeMs', type: 'int32', versions: '1+'},
      {name: 'errorCode', type: 'int16', versions: '7+'},
      {name: 'sessionId', type: 'int32', versions: '7+', default: 0},
      {
        name: 'responses', type: '[]', versions: '0+', fields: [
          {name: 'topic', type: 'string', versions: '0-12'},
          {name: 'topicId', type: 'uuid', versions: '13+'},
          {
            name: 'partitions', type: '[]', versions: '0+', fields: [
              {name: 'partitionIndex', type: 'int32', versions: '0+'},
              {name: 'errorCode', type: 'int16', versions: '0+'},
              {name: 'highWatermark', type: 'int64', versions: '0+'},
              {name: 'lastStableOffset', type: 'int64', versions: '4+', default: -1n},
              {name: 'logStartOffset', type: 'int64', versions: '5+', default: -1n},
              // Set when the follower's last fetched epoch diverges from the leader's log.
              {
                name: 'divergingEpoch', type: 'struct', versions: '12+', taggedVersions: '12+', tag: 0, fields: [
                  {name: 'epoch', type: 'int32', versions: '12+', default: -1},
                  {name: 'endOffset', type: 'int64', versions: '12+', default: -1n},
                ],
              },
              // Sent with NOT_LEADER_OR_FOLLOWER / FENCED_LEADER_EPOCH so the client can skip a metadata refresh.
              {
                name: 'currentLeader', type: 'struct', versions: '12+', taggedVersions: '12+', tag: 1, fields: [
                  {name: 'leaderId', type: 'int32', versions: '12+', default: -1},
                  {name: 'leaderEpoch', type: 'int32', versions: '12+', default: -1},
                ],
              },
              {
                name: 'snapshotId', type: 'struct', versions: '12+', taggedVersions: '12+', tag: 2, fields: [
                  {name: 'endOffset', type: 'int64', versions: '0+', default: -1n},
                  {name: 'epoch', type: 'int32', versions: '0+', default: -1},
                ],
              },
              {
                name: 'abortedTransactions', type: '[]', versions: '4+', nullableVersions: '4+', fields: [
                  {name: 'producerId', type: 'int64', versions: '4+'},
                  {name: 'firstOffset', type: 'int64', versions: '4+'},
                ],
              },
              {name: 'preferredReadReplica', type: 'int32', versions: '11+', default: -1},
              {name: 'records', type: 'records', versions: '0+', nullableVersions: '0+'},
            ],
          },
        ],
      },
    ],
  },
}
