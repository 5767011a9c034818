// Public surface of the Raft quorum (KRaft): the client, its options, and the shared contract types.
export {KafkaRaftClient, type KafkaRaftClientOptions} from './kafka-raft-client.js'
export type {RaftRole} from './raft-core.js'
export {parseQuorumVoters, raftOptionsFromProps} from './quorum-config.js'
export {RaftLog, METADATA_PARTITION_DIR} from './raft-log.js'
export {QuorumStateStore, QUORUM_STATE_FILE, type ElectionState} from './quorum-state.js'
export {METADATA_TOPIC} from './raft-messages.js'
export * from './types.js'
