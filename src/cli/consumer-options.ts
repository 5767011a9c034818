/**
 * A ConsumerConfig for the consume commands from client properties (-X, --command-config, -b)
 * plus what the command decides (group, reset policy); the engine's parser validates everything,
 * and a bad property is a usage error naming it.
 */
import {topicError} from '../client/index.js'
import {consumerConfigFromProperties, ConsumerConfigError, type Consumer, type ConsumerConfig, type TopicPartition} from '../consumer/index.js'
import {ErrorCode, KafkaError} from '../protocol/index.js'
import {UsageError} from './errors.js'

/** A ConsumerConfig from properties over `base`; a bad property is a usage error (exit 2). */
export function consumerConfig(props: Record<string, string>, base: Partial<ConsumerConfig> = {}): ConsumerConfig {
  try {
    return consumerConfigFromProperties(props, base)
  } catch (err) {
    if (err instanceof ConsumerConfigError) throw new UsageError(err.message)
    throw err
  }
}

/**
 * Partitions of topics, from the consumer's own metadata (so its connection is open before reading
 * starts); a missing topic or partition is a KafkaError naming it.
 */
export async function topicPartitions(consumer: Consumer, topics: string[], partition?: number): Promise<TopicPartition[]> {
  const out: TopicPartition[] = []
  for (const topic of topics) {
    const ids = (await consumer.partitionsFor(topic)).map((p) => p.partition)
    if (ids.length === 0) throw topicError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, topic)
    if (partition !== undefined) {
      if (!ids.includes(partition)) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `partition ${partition} of topic "${topic}" does not exist (it has ${ids.length})`)
      out.push({topic, partition})
    } else {
      for (const p of ids) out.push({topic, partition: p})
    }
  }
  return out
}
