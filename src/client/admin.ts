/**
 * AdminClient: topic, config, cluster and log-dir administration over the Kafka admin APIs.
 * Each method makes the requests, retries retriable errors a bounded number of times (refreshing
 * metadata in between), and returns plain data or throws a KafkaError whose message names the
 * topic or resource. It never prints. Commands build one from client properties and call it.
 *
 * The class is the stable facade; the work is done by one module per area: admin-topics.ts,
 * admin-configs.ts, admin-offsets.ts, admin-brokers.ts and admin-cluster.ts, all sharing the
 * retry policy in admin-driver.ts.
 */
import {Cluster, type ClusterOptions} from './cluster.js'
import type {ConfigResource, ConfigResourceResult} from './config-types.js'
import {AdminDriver} from './admin-driver.js'
import {
  createPartitions, createTopics, deleteTopics, describeTopics, listTopics,
  type CreatedTopic, type NewTopic, type TopicDescription, type TopicListing,
} from './admin-topics.js'
import {listOffsets, type ListedOffset} from './admin-offsets.js'
import {alterConfigs, describeConfigs, incrementalAlterConfigs, type AlterConfigOp} from './admin-configs.js'
import {describeCluster, describeLogDirs, type ClusterDescription, type LogDirDescription} from './admin-brokers.js'
import {describeQuorum, electLeaders, type ElectionType, type ElectLeadersResult, type QuorumDescription} from './admin-cluster.js'

export * from './config-types.js'
export type {NewTopic, CreatedTopic, TopicListing, PartitionDescription, TopicDescription} from './admin-topics.js'
export type {AlterConfigOp} from './admin-configs.js'
export type {ClusterBroker, ClusterDescription, LogDirPartition, LogDirDescription} from './admin-brokers.js'
export type {ElectionType, ElectLeadersResult, QuorumDescription, QuorumReplica} from './admin-cluster.js'

/** Admin operations against one cluster. Call close() when done. */
export class AdminClient {
  readonly cluster: Cluster
  private readonly driver: AdminDriver

  constructor(opts: ClusterOptions | Cluster) {
    this.cluster = opts instanceof Cluster ? opts : new Cluster(opts)
    this.driver = new AdminDriver(this.cluster, opts instanceof Cluster ? 30_000 : opts.requestTimeoutMs ?? 30_000)
  }

  /** Creates topics; TOPIC_ALREADY_EXISTS is ignored when ifNotExists is set (the topic is then absent from the result). */
  async createTopics(topics: NewTopic[], opts: {validateOnly?: boolean; ifNotExists?: boolean} = {}): Promise<CreatedTopic[]> {
    return createTopics(this.driver, topics, opts)
  }

  /** Lists topic names (internal topics only when asked), sorted. */
  async listTopics(opts: {internal?: boolean} = {}): Promise<TopicListing[]> {
    return listTopics(this.driver, opts)
  }

  /** Describes topics with each partition's leader, replicas, ISR and log start/end offsets. */
  async describeTopics(names: string[], opts: {offsets?: boolean} = {}): Promise<TopicDescription[]> {
    return describeTopics(this.driver, names, opts)
  }

  /**
   * Reads offsets for partitions by timestamp spec: -2 earliest, -1 latest, -3 max timestamp, or a
   * timestamp in ms. Returns "topic:partition" -> offset (null when unavailable).
   */
  async listOffsets(requests: Array<{topic: string; partition: number}>, timestamp: bigint): Promise<Map<string, ListedOffset>> {
    return listOffsets(this.cluster, requests, timestamp)
  }

  /** Grows a topic to `totalCount` partitions. */
  async createPartitions(topic: string, totalCount: number, opts: {validateOnly?: boolean} = {}): Promise<void> {
    return createPartitions(this.driver, topic, totalCount, opts)
  }

  /** Deletes topics; throws after the request when any topic could not be deleted. */
  async deleteTopics(names: string[]): Promise<void> {
    return deleteTopics(this.driver, names)
  }

  /** Reads configs of topics and brokers, with their sources and synonyms. */
  async describeConfigs(resources: ConfigResource[], opts: {includeSynonyms?: boolean; includeDocumentation?: boolean; keys?: string[]} = {}): Promise<ConfigResourceResult[]> {
    return describeConfigs(this.driver, resources, opts)
  }

  /** Applies set/delete/append/subtract changes; falls back to a full AlterConfigs on brokers without IncrementalAlterConfigs. */
  async incrementalAlterConfigs(resource: ConfigResource, ops: AlterConfigOp[], opts: {validateOnly?: boolean} = {}): Promise<void> {
    return incrementalAlterConfigs(this.driver, resource, ops, opts)
  }

  /** Replaces the whole set of overrides of a resource (legacy AlterConfigs). */
  async alterConfigs(resource: ConfigResource, configs: Record<string, string>, opts: {validateOnly?: boolean} = {}): Promise<void> {
    return alterConfigs(this.driver, resource, configs, opts)
  }

  /** The cluster id, controller and brokers; uses Metadata when DescribeCluster is unsupported. */
  async describeCluster(): Promise<ClusterDescription> {
    return describeCluster(this.driver)
  }

  /** Log dirs of every broker (or of `brokers`), optionally only for some topics. */
  async describeLogDirs(opts: {topics?: string[]; brokers?: number[]} = {}): Promise<LogDirDescription[]> {
    return describeLogDirs(this.driver, opts)
  }

  /** ElectLeaders on the controller: one result per partition (null partitions = all). */
  async electLeaders(type: ElectionType, partitions: {topic: string; partition: number}[] | null): Promise<ElectLeadersResult[]> {
    return this.driver.withRetry(() => electLeaders(this.cluster, type, partitions, this.driver.serverTimeoutMs()))
  }

  /** The metadata quorum (leader, epoch, voters' log positions); null when the cluster has no DescribeQuorum. */
  async describeQuorum(): Promise<QuorumDescription | null> {
    return this.driver.withRetry(() => describeQuorum(this.cluster))
  }

  /** Closes all connections. */
  async close(): Promise<void> {
    await this.cluster.close()
  }
}
