/** The consumer's public value types: partitions, records, rebalance listener, seek targets. */

/** One partition of one topic. */
export interface TopicPartition { topic: string; partition: number }

/** A partition as metadata describes it (Kafka's PartitionInfo); replicas are node ids, leader -1 when none. */
export interface PartitionInfo {
  topic: string
  partition: number
  leader: number
  replicas: number[]
  inSyncReplicas: number[]
  offlineReplicas: number[]
}

/** One record as poll() returns it; key and value are views into the fetched bytes (no copies). */
export interface ConsumerRecord {
  topic: string
  partition: number
  offset: bigint
  timestamp: bigint
  timestampType: 'CreateTime' | 'LogAppendTime'
  key: Buffer | null
  value: Buffer | null
  headers: Array<{key: string; value: Buffer | null}>
  leaderEpoch?: number
}

/** Callbacks run around a rebalance (Kafka's ConsumerRebalanceListener). */
export interface RebalanceListener {
  onPartitionsRevoked?(tps: TopicPartition[]): void | Promise<void>
  onPartitionsAssigned?(tps: TopicPartition[]): void | Promise<void>
  onPartitionsLost?(tps: TopicPartition[]): void | Promise<void>
}

/** Where seek() moves a position: log start, log end, an offset, or the first offset at/after a timestamp (ms). */
export type SeekTarget = 'beginning' | 'end' | bigint | {timestamp: number}

/** The map key used throughout: `${topic}-${partition}`. */
export function tpKey(topic: string, partition: number): string {
  return `${topic}-${partition}`
}

/** Sorts partitions by topic, then partition number (a stable order for listeners and assignors). */
export function sortPartitions(tps: TopicPartition[]): TopicPartition[] {
  return tps.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition))
}
