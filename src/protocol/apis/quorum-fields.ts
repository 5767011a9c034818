import type {FieldSchema} from '../schema.js'

/*
 * The shape every KRaft quorum API shares (Vote, BeginQuorumEpoch, EndQuorumEpoch, DescribeQuorum):
 * a list of topics, each with a list of partitions -- in practice always __cluster_metadata-0 --
 * whose per-partition fields differ by API. All fields exist from version 0.
 */

/** topics[] {topicName, partitions[] {partitionIndex, ...partitionFields}}. */
export function quorumTopics(partitionFields: FieldSchema[]): FieldSchema {
  return {
    name: 'topics', type: '[]', versions: '0+', fields: [
      {name: 'topicName', type: 'string', versions: '0+'},
      {name: 'partitions', type: '[]', versions: '0+', fields: [{name: 'partitionIndex', type: 'int32', versions: '0+'}, ...partitionFields]},
    ],
  }
}

/** The cluster id that requests between voters carry (null from tools). */
export const QUORUM_CLUSTER_ID: FieldSchema = {name: 'clusterId', type: 'string', versions: '0+', nullableVersions: '0+', default: null}

/** The top-level error of every quorum response. */
export const QUORUM_ERROR_CODE: FieldSchema = {name: 'errorCode', type: 'int16', versions: '0+'}

/** What every quorum response partition starts with: its error and the leader as the responder knows it. */
export const QUORUM_PARTITION_RESULT: FieldSchema[] = [
  {name: 'errorCode', type: 'int16', versions: '0+'},
  {name: 'leaderId', type: 'int32', versions: '0+'},
  {name: 'leaderEpoch', type: 'int32', versions: '0+'},
]
