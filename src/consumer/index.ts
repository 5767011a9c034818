/** Public surface of the consumer engine (see the contract in the project docs). */
export {Consumer} from './consumer.js'
export {
  consumerConfigFromProperties, resolveConsumerConfig, ConsumerConfigError,
  type ConsumerConfig, type ResolvedConsumerConfig, type AssignmentStrategyName,
} from './config.js'
export type {TopicPartition, PartitionInfo, ConsumerRecord, RebalanceListener, SeekTarget} from './types.js'
export {tpKey} from './types.js'
export {
  decodeSubscription, encodeSubscription, decodeAssignment, encodeAssignment,
  type Subscription, type Assignment,
} from './consumer-protocol.js'
export {
  RangeAssignor, RoundRobinAssignor, CooperativeStickyAssignor, assignorsFor,
  type PartitionAssignor, type MemberSubscription,
} from './assignors/index.js'
