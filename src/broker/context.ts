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
}

export interface PartitionImage { partition: number; leader: number; leaderEpoch: number; replicas: number[]; isr: number[] }

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
}
