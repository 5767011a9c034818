/** The Consumer's async iterator: one poll() at a time, records handed out one by one. */
import type {ConsumerRecord, TopicPartition} from './types.js'

/** The part of Consumer the iterator uses. */
interface Pollable { poll(timeoutMs: number): Promise<ConsumerRecord[]> }

const POLL_MS = 1000

/**
 * Iterates records; ends when `isClosed()` turns true. Leaving early (break) moves each partition
 * back to its first record not handed out, so a later commit does not skip them.
 */
export function recordIterator(consumer: Pollable, seekBack: (tp: TopicPartition, offset: bigint) => void, isClosed: () => boolean): AsyncIterator<ConsumerRecord> {
  let buffer: ConsumerRecord[] = []
  let i = 0
  return {
    async next(): Promise<IteratorResult<ConsumerRecord>> {
      while (i >= buffer.length) {
        if (isClosed()) return {done: true, value: undefined}
        buffer = await consumer.poll(POLL_MS)
        i = 0
      }
      return {done: false, value: buffer[i++]}
    },
    async return(): Promise<IteratorResult<ConsumerRecord>> {
      const firstLeft = new Map<string, ConsumerRecord>()
      for (let j = i; j < buffer.length; j++) {
        const r = buffer[j]
        const key = `${r.topic}-${r.partition}`
        if (!firstLeft.has(key)) firstLeft.set(key, r)
      }
      if (!isClosed()) for (const r of firstLeft.values()) seekBack({topic: r.topic, partition: r.partition}, r.offset)
      buffer = []
      i = 0
      return {done: true, value: undefined}
    },
  }
}
