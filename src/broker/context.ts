/**
 * What handlers see of the node: identity, effective config, the controller state (MetadataManager)
 * and the partition logs (ReplicaManager). broker.ts builds one BrokerContext per node.
 */
import type {LogManager, Log} from '../storage/index.js'

/** A logger injected by the command; src/** never writes to the console. */
export type BrokerLogger = (level: 'info' | 'warn' | 'error', msg: string) => void

export interface BrokerContext {
  nodeId: number; clusterId: string; host: string; port: number
  /** Effective broker config: Kafka broker property names -> string values (defaults merged). */
  props: Record<string, string>
  metadata: MetadataManager; replicaManager: ReplicaManager; logManager: LogManager /* src/storage */
  dataDir: string; logger: (level: 'info' | 'warn' | 'error', msg: string) => void
  /** The group coordinator (classic consumer groups and committed offsets); absent in bare test contexts. */
  groupCoordinator?: import('./group/coordinator.js').GroupCoordinator
  /** This node's member of the KRaft controller quorum; absent in bare test contexts. */
  raft?: import('../controller/raft/kafka-raft-client.js').KafkaRaftClient
}

/** One partition as the replayed metadata log describes it. leader -1: offline (no eligible replica). */
export interface PartitionImage {
  partition: number; leader: number; leaderEpoch: number; replicas: number[]; isr: number[]
  /** Bumped by every change of leader, ISR or replicas (AlterPartition compares it). */
  partitionEpoch: number
}

/** A registered broker (RegisterBrokerRecord + fencing records). */
export interface BrokerImage {
  id: number; host: string; port: number; rack: string | null
  /** Fenced brokers lead nothing and are in no ISR; a broker is fenced until its first heartbeat catches up. */
  fenced: boolean
  /** Set by the controller at each registration; heartbeats from an older epoch are refused. */
  epoch: bigint
  /** Controlled shutdown in progress: leadership is being moved away. */
  inControlledShutdown: boolean
}

/** The outcome of one partition's election (ElectLeaders). */
export interface ElectionResult {
  topic: string; partition: number
  /** NONE (elected), ELECTION_NOT_NEEDED, ELIGIBLE_LEADERS_NOT_AVAILABLE, PREFERRED_LEADER_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION... */
  errorCode: number; errorMessage: string | null
  leaderBefore: number; leaderAfter: number
}

/** What one applied metadata record changed (MetadataManager.onChange listeners hear these). */
export type MetadataChange =
  | {kind: 'topic-created'; topic: TopicImage}
  | {kind: 'partition-created'; topic: TopicImage; partition: PartitionImage}
  /** PartitionChangeRecord: leader, ISR or replicas changed; `previous` is the image before. */
  | {kind: 'partition-changed'; topic: TopicImage; partition: PartitionImage; previous: PartitionImage}
  | {kind: 'topic-removed'; topic: TopicImage}
  | {kind: 'topic-config'; topic: TopicImage}
  | {kind: 'broker-config'}
  /** Registration, fencing, unfencing or controlled shutdown of a broker. */
  | {kind: 'broker-changed'; broker: BrokerImage}

export interface TopicImage { name: string; topicId: string; partitions: PartitionImage[]; configs: Record<string, string>; internal: boolean }

/** The single-node controller state: replayed from the metadata log at start; changed only by appending records. */
export interface MetadataManager {
  topics(): TopicImage[]; topic(name: string): TopicImage | undefined; topicById(id: string): TopicImage | undefined
  /** throws KafkaError (TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR, INVALID_CONFIG...) */
  createTopic(name: string, numPartitions: number, replicationFactor: number, configs: Record<string, string>, opts?: {validateOnly?: boolean; assignments?: number[][]}): Promise<TopicImage>
  deleteTopic(name: string): Promise<void>
  createPartitions(name: string, totalCount: number, opts?: {validateOnly?: boolean}): Promise<void>
  /** value null removes the override */
  alterTopicConfigs(name: string, changes: Record<string, string | null>, opts?: {validateOnly?: boolean; replace?: boolean}): Promise<void>
  brokerConfigOverrides(): Record<string, string>
  alterBrokerConfigs(changes: Record<string, string | null>, opts?: {validateOnly?: boolean; replace?: boolean}): Promise<void>
  /** A producer id never handed out before, also across restarts (InitProducerId). */
  generateProducerId(): bigint
  /** Hears every change after it is committed, in log order, on every node. */
  onChange(listener: (change: MetadataChange) => void): void
  /** Registered brokers, fenced ones included, by id. */
  brokers(): BrokerImage[]
  /** The active controller's node id, -1 while unknown (an election is under way). */
  controllerId(): number
  /**
   * AlterPartition (the partition leader asks the controller to change the ISR). Resolves with the
   * committed image; throws KafkaError (NOT_CONTROLLER, FENCED_LEADER_EPOCH, INVALID_UPDATE_VERSION,
   * INELIGIBLE_REPLICA, UNKNOWN_TOPIC_OR_PARTITION).
   */
  alterPartition(topic: string, partition: number, change: {leaderId: number; leaderEpoch: number; partitionEpoch: number; newIsr: number[]}): Promise<PartitionImage>
  /** ElectLeaders: null partitions = every partition. */
  electLeaders(type: 'preferred' | 'unclean', partitions: {topic: string; partition: number}[] | null): Promise<ElectionResult[]>
}

export interface ReplicaManager {
  /** The partition's log, or undefined when this broker does not host it. */
  getLog(topic: string, partition: number): Log | undefined
}

/**
 * What broker-core's own handlers (Produce, Fetch) see beyond the shared contract: the concrete
 * replica manager (per-topic LogConfig cache) and the purgatory for delayed fetches. broker.ts
 * builds the context with these fields, so a BrokerContext handed to a handler can be narrowed.
 */
export interface CoreBrokerContext extends BrokerContext {
  replicaManager: import('./replica-manager.js').ReplicaManager
  purgatory: import('./purgatory.js').Purgatory
  /** Reusable buffers for fetch reads (absent in bare test contexts: reads allocate). */
  readBufferPool?: import('../storage/read-buffer-pool.js').ReadBufferPool
}
