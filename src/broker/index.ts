/** Public surface of the broker: start a node; the types handlers and tools see. */
export {startBroker, brokerPropsWithDefaults, type Broker, type BrokerConfig} from './broker.js'
export type {BrokerContext, BrokerLogger, MetadataManager, ReplicaManager, TopicImage, PartitionImage} from './context.js'
export {HANDLERS, handlerFor} from './handlers/index.js'
export type {Handler, RequestContext} from './handlers/types.js'
