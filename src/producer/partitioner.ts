/**
 * Partitioner: which partition a record goes to. An explicit partition wins; a key picks
 * (murmur2(key) & 0x7fffffff) % partitions exactly as Kafka's Java client and kafkajs 2's default
 * partitioner; keyless records stick to one partition until about batch.size bytes went there
 * (Kafka 3.3's uniform sticky partitioner, KIP-794), then move to another one at random.
 * Owned by the Producer; one instance serves every topic.
 */

const M = 0x5bd1e995
const SEED = 0x9747b28c

/** Kafka's murmur2 (Utils.murmur2) of bytes[start, end) as a signed 32-bit integer. */
export function murmur2(data: Uint8Array, start = 0, end = data.length): number {
  const length = end - start
  let h = SEED ^ length
  const words = length >>> 2
  let i = start
  for (let w = 0; w < words; w++, i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)
    k = Math.imul(k, M)
    k ^= k >>> 24
    k = Math.imul(k, M)
    h = Math.imul(h, M) ^ k
  }
  const tail = length & 3
  if (tail === 3) h ^= data[i + 2] << 16
  if (tail >= 2) h ^= data[i + 1] << 8
  if (tail >= 1) {
    h ^= data[i]
    h = Math.imul(h, M)
  }
  h ^= h >>> 13
  h = Math.imul(h, M)
  h ^= h >>> 15
  return h | 0
}

/** Kafka's Utils.toPositive: clears the sign bit (not Math.abs, which differs for MIN_VALUE). */
export function toPositive(n: number): number {
  return n & 0x7fffffff
}

/** The partition Kafka's default partitioner picks for a key. */
export function partitionForKey(key: Uint8Array, numPartitions: number): number {
  return toPositive(murmur2(key)) % numPartitions
}

interface StickyState { partition: number; bytes: number }

/** Partition choice for keyed and keyless records; `random` is injectable for tests. */
export class Partitioner {
  private readonly sticky = new Map<string, StickyState>()

  constructor(
    private readonly batchSize: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The sticky partition of a topic for the next keyless record. */
  stickyPartition(topic: string, numPartitions: number): number {
    let s = this.sticky.get(topic)
    if (s === undefined || s.partition >= numPartitions) {
      s = {partition: this.pick(numPartitions, -1), bytes: 0}
      this.sticky.set(topic, s)
    }
    return s.partition
  }

  /**
   * Counts `size` bytes appended to a keyless record's partition; after batch.size bytes the topic
   * switches to another partition, so batches fill up instead of spreading thinly.
   */
  onKeylessAppend(topic: string, numPartitions: number, size: number): void {
    const s = this.sticky.get(topic)
    if (s === undefined) return
    s.bytes += size
    if (s.bytes >= this.batchSize) {
      s.partition = this.pick(numPartitions, s.partition)
      s.bytes = 0
    }
  }

  private pick(numPartitions: number, avoid: number): number {
    if (numPartitions <= 1) return 0
    // Uniform over the other partitions, so a switch always moves.
    let p = Math.floor(this.random() * (avoid < 0 ? numPartitions : numPartitions - 1))
    if (avoid >= 0 && p >= avoid) p++
    return Math.min(p, numPartitions - 1)
  }
}
