/**
 * HANDLERS: the one table of API keys this broker serves. The dispatcher finds handlers here and
 * ApiVersions advertises exactly these entries, so a key is served if and only if it is listed.
 */
import type {Handler} from './types.js'
import {produceHandler} from './0-produce.js'
import {fetchHandler} from './1-fetch.js'
import {listOffsetsHandler} from './2-list-offsets.js'
import {metadataHandler} from './3-metadata.js'
import {apiVersionsHandler} from './18-api-versions.js'
import {createTopicsHandler} from './19-create-topics.js'
import {deleteTopicsHandler} from './20-delete-topics.js'
import {deleteRecordsHandler} from './21-delete-records.js'
import {initProducerIdHandler} from './22-init-producer-id.js'
import {offsetForLeaderEpochHandler} from './23-offset-for-leader-epoch.js'
import {describeConfigsHandler} from './32-describe-configs.js'
import {alterConfigsHandler} from './33-alter-configs.js'
import {describeLogDirsHandler} from './35-describe-log-dirs.js'
import {createPartitionsHandler} from './37-create-partitions.js'
import {incrementalAlterConfigsHandler} from './44-incremental-alter-configs.js'
import {describeClusterHandler} from './60-describe-cluster.js'
import {offsetCommitHandler} from './8-offset-commit.js'
import {offsetFetchHandler} from './9-offset-fetch.js'
import {findCoordinatorHandler} from './10-find-coordinator.js'
import {joinGroupHandler} from './11-join-group.js'
import {heartbeatHandler} from './12-heartbeat.js'
import {leaveGroupHandler} from './13-leave-group.js'
import {syncGroupHandler} from './14-sync-group.js'
import {describeGroupsHandler} from './15-describe-groups.js'
import {listGroupsHandler} from './16-list-groups.js'
import {deleteGroupsHandler} from './42-delete-groups.js'
import {offsetDeleteHandler} from './47-offset-delete.js'
import {electLeadersHandler} from './43-elect-leaders.js'
import {alterPartitionHandler} from './56-alter-partition.js'
import {envelopeHandler} from './58-envelope.js'
import {brokerRegistrationHandler} from './62-broker-registration.js'
import {brokerHeartbeatHandler} from './63-broker-heartbeat.js'
import {allocateProducerIdsHandler} from './67-allocate-producer-ids.js'
import {voteHandler} from './52-vote.js'
import {beginQuorumEpochHandler} from './53-begin-quorum-epoch.js'
import {endQuorumEpochHandler} from './54-end-quorum-epoch.js'
import {describeQuorumHandler} from './55-describe-quorum.js'

export const HANDLERS: Handler[] = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  metadataHandler,
  apiVersionsHandler,
  createTopicsHandler,
  deleteTopicsHandler,
  deleteRecordsHandler,
  initProducerIdHandler,
  offsetForLeaderEpochHandler,
  describeConfigsHandler,
  alterConfigsHandler,
  describeLogDirsHandler,
  createPartitionsHandler,
  incrementalAlterConfigsHandler,
  describeClusterHandler,
  offsetCommitHandler,
  offsetFetchHandler,
  findCoordinatorHandler,
  joinGroupHandler,
  heartbeatHandler,
  leaveGroupHandler,
  syncGroupHandler,
  describeGroupsHandler,
  listGroupsHandler,
  deleteGroupsHandler,
  offsetDeleteHandler,
  electLeadersHandler,
  alterPartitionHandler,
  envelopeHandler,
  brokerRegistrationHandler,
  brokerHeartbeatHandler,
  allocateProducerIdsHandler,
  voteHandler,
  beginQuorumEpochHandler,
  endQuorumEpochHandler,
  describeQuorumHandler,
]

const BY_KEY = new Map<number, Handler>()

/** The handler of an API key, or undefined when this broker does not serve it. */
export function handlerFor(apiKey: number): Handler | undefined {
  if (BY_KEY.size === 0) for (const h of HANDLERS) BY_KEY.set(h.apiKey, h)
  return BY_KEY.get(apiKey)
}

export {NO_RESPONSE, type Handler, type RequestContext} from './types.js'
