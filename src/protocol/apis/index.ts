/** Every API schema, and lookup by key. */
import type {ApiSchema} from '../schema.js'
import {produceApi} from './0-produce.js'
import {fetchApi} from './1-fetch.js'
import {listOffsetsApi} from './2-list-offsets.js'
import {metadataApi} from './3-metadata.js'
import {offsetCommitApi} from './8-offset-commit.js'
import {offsetFetchApi} from './9-offset-fetch.js'
import {findCoordinatorApi} from './10-find-coordinator.js'
import {joinGroupApi} from './11-join-group.js'
import {heartbeatApi} from './12-heartbeat.js'
import {leaveGroupApi} from './13-leave-group.js'
import {syncGroupApi} from './14-sync-group.js'
import {describeGroupsApi} from './15-describe-groups.js'
import {listGroupsApi} from './16-list-groups.js'
import {apiVersionsApi} from './18-api-versions.js'
import {createTopicsApi} from './19-create-topics.js'
import {deleteTopicsApi} from './20-delete-topics.js'
import {deleteRecordsApi} from './21-delete-records.js'
import {initProducerIdApi} from './22-init-producer-id.js'
import {offsetForLeaderEpochApi} from './23-offset-for-leader-epoch.js'
import {describeConfigsApi} from './32-describe-configs.js'
import {alterConfigsApi} from './33-alter-configs.js'
import {describeLogDirsApi} from './35-describe-log-dirs.js'
import {createPartitionsApi} from './37-create-partitions.js'
import {deleteGroupsApi} from './42-delete-groups.js'
import {electLeadersApi} from './43-elect-leaders.js'
import {incrementalAlterConfigsApi} from './44-incremental-alter-configs.js'
import {offsetDeleteApi} from './47-offset-delete.js'
import {voteApi} from './52-vote.js'
import {beginQuorumEpochApi} from './53-begin-quorum-epoch.js'
import {endQuorumEpochApi} from './54-end-quorum-epoch.js'
import {describeQuorumApi} from './55-describe-quorum.js'
import {describeClusterApi} from './60-describe-cluster.js'
import {alterPartitionApi} from './56-alter-partition.js'
import {envelopeApi} from './58-envelope.js'
import {brokerRegistrationApi} from './62-broker-registration.js'
import {brokerHeartbeatApi} from './63-broker-heartbeat.js'
import {allocateProducerIdsApi} from './67-allocate-producer-ids.js'

/** All API schemas, ordered by api key. */
export const API_SCHEMAS: ApiSchema[] = [
  produceApi,
  fetchApi,
  listOffsetsApi,
  metadataApi,
  offsetCommitApi,
  offsetFetchApi,
  findCoordinatorApi,
  joinGroupApi,
  heartbeatApi,
  leaveGroupApi,
  syncGroupApi,
  describeGroupsApi,
  listGroupsApi,
  apiVersionsApi,
  createTopicsApi,
  deleteTopicsApi,
  deleteRecordsApi,
  initProducerIdApi,
  offsetForLeaderEpochApi,
  describeConfigsApi,
  alterConfigsApi,
  describeLogDirsApi,
  createPartitionsApi,
  deleteGroupsApi,
  electLeadersApi,
  incrementalAlterConfigsApi,
  offsetDeleteApi,
  voteApi,
  beginQuorumEpochApi,
  endQuorumEpochApi,
  describeQuorumApi,
  alterPartitionApi,
  envelopeApi,
  describeClusterApi,
  brokerRegistrationApi,
  brokerHeartbeatApi,
  allocateProducerIdsApi,
]

const BY_KEY: Array<ApiSchema | undefined> = []
for (const api of API_SCHEMAS) {
  if (BY_KEY[api.apiKey]) throw new Error(`duplicate schema for api key ${api.apiKey}`)
  BY_KEY[api.apiKey] = api
}

/** The schema of an API key, or undefined when samsa does not speak it. */
export function getApiSchema(apiKey: number): ApiSchema | undefined {
  return BY_KEY[apiKey]
}
