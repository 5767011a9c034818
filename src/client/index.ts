/** Public surface of the client layer: connections, the cluster metadata cache, the admin client. */
export {Connection, type ConnectionOptions, type SendOptions, type VersionRange} from './connection.js'
export {
  Cluster, decodeMetadata, parseBootstrap, sleep,
  type BrokerInfo, type ClusterOptions, type MetadataSnapshot, type PartitionMetadata, type TopicMetadata,
} from './cluster.js'
export * from './admin.js'
export {apiName} from './api-names.js'
export {topicError} from './errors.js'
