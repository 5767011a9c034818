/**
 * A ConsumerConfig for the consume commands from client properties (-X, --command-config, -b)
 * plus what the command decides (group, reset policy); the engine's parser validates everything,
 * and a bad property is a usage error naming it.
 */
import {consumerConfigFromProperties, ConsumerConfigError, type ConsumerConfig} from '../consumer/index.js'
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

/** Partitions of topics, checked against metadata: a missing topic or partition is a KafkaError naming it. */
export async function topicPartitions(
  describe: (names: string[]) => Promise<Array<{name: string; partitions: Array<{partition: number}>}>>,
  topics: string[], partition?: number,
): Promise<Array<{topic: string; partition: number}>> {
  const described = await describe(topics)
  const out: Array<{topic: string; partition: number}> = []
  for (const t of described) {
    const ids = t.partitions.map((p) => p.partition).sort((a, b) => a - b)
    if (partition !== undefined) {
      if (!ids.includes(partition)) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `partition ${partition} of topic "${t.name}" does not exist (it has ${ids.length})`)
      out.push({topic: t.name, partition})
    } else {
      for (const p of ids) out.push({topic: t.name, partition: p})
    }
  }
  return out
}
