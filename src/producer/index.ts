/** Public surface of the producer engine. */
export {Producer, type ProducerRecord, type ProducerMetrics} from './producer.js'
export {
  producerConfigFromProperties, resolveProducerConfig, ProducerConfigError,
  type ProducerConfig, type ResolvedProducerConfig,
} from './config.js'
export {BufferExhaustedError, RecordTooLargeError} from './errors.js'
export type {RecordMetadata, SendCallback, HeaderInput} from './producer-batch.js'
export {Partitioner, murmur2, partitionForKey, toPositive} from './partitioner.js'
export {BufferPool} from './buffer-pool.js'
export {RecordAccumulator, PartitionQueue} from './record-accumulator.js'
export {ProducerBatch} from './producer-batch.js'
