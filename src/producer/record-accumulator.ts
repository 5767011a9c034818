/**
 * RecordAccumulator: per-partition queues (deques) of ProducerBatches. send() appends records into
 * the newest batch of their partition; the Sender drains the oldest batch of each partition once it
 * is ready (full, linger.ms passed, a flush or close is in progress, or memory is exhausted), and
 * puts failed batches back in order for a retry. Memory comes from the BufferPool, so everything
 * held here stays within buffer.memory. Owned by the Producer; drained by the Sender.
 */
import {HEADER_SIZE} from '../records/index.js'
import {BufferPool} from './buffer-pool.js'
import {
  AppendResult, ProducerBatch, estimateRecordSize,
  type HeaderInput, type Payload, type SendCallback,
} from './producer-batch.js'

/** One partition's queue and the idempotence state that travels with it. */
export class PartitionQueue {
  /** Oldest first; only the last one takes appends. */
  readonly deque: ProducerBatch[] = []
  /** Batches sent and not answered yet, in send order. */
  readonly inFlight: ProducerBatch[] = []
  /** Sequence number the next new batch gets (idempotence). */
  nextSequence = 0

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  /** Puts a batch that was sent before back at the front, behind older sent batches, so retries keep their order. */
  reenqueue(batch: ProducerBatch): void {
    const d = this.deque
    let i = 0
    while (i < d.length && d[i].wire !== undefined && d[i].id < batch.id) i++
    d.splice(i, 0, batch)
  }
}


/** The producer's record queues. */
export class RecordAccumulator {
  private readonly topics = new Map<string, PartitionQueue[]>()
  /** Partitions holding at least one batch (what the Sender looks at). */
  readonly nonEmpty = new Set<PartitionQueue>()
  /** Every batch not completed yet, queued or in flight. */
  readonly incomplete = new Set<ProducerBatch>()
  flushesInProgress = 0
  closing = false
  /** Called when a batch fills up, so the Sender need not wait for linger.ms. */
  onBatchFull: () => void = () => {}
  /** Called with a new batch's creation time, so the Sender's timer covers its linger.ms deadline. */
  onBatchCreated: (createdMs: number) => void = () => {}

  constructor(
    readonly pool: BufferPool,
    readonly batchSize: number,
  ) {}

  /** The queue of a partition (created on first use). */
  queue(topic: string, partition: number): PartitionQueue {
    let list = this.topics.get(topic)
    if (list === undefined) {
      list = []
      this.topics.set(topic, list)
    }
    let q = list[partition]
    if (q === undefined) {
      q = new PartitionQueue(topic, partition)
      list[partition] = q
    }
    return q
  }

  /** Every partition queue of a topic that exists so far. */
  queuesOf(topic: string): PartitionQueue[] {
    return (this.topics.get(topic) ?? []).filter((q) => q !== undefined)
  }

  /**
   * Appends one record to its partition's open batch, or to a new batch when a buffer is free
   * right now (returns the batch); otherwise returns how many bytes a new batch needs (the caller waits for the pool and
   * calls again with `buf`).
   */
  append(q: PartitionQueue, now: number, timestamp: number, key: Payload, value: Payload,
    headers: HeaderInput[] | null | undefined, cb: SendCallback, buf?: Buffer): ProducerBatch | number {
    const d = q.deque
    const last = d.length > 0 ? d[d.length - 1] : undefined
    if (last !== undefined && !last.closed) {
      if (last.append(timestamp, key, value, headers, cb) === AppendResult.Appended) {
        // A buffer obtained while waiting is not needed after all.
        if (buf !== undefined) this.pool.deallocate(buf)
        if (last.isFull) this.onBatchFull()
        return last
      }
      this.onBatchFull()
    }
    if (buf === undefined) {
      const size = this.batchBufferSize(key, value, headers)
      const got = this.pool.tryAllocate(size)
      if (got === null) return size
      buf = got
    }
    const batch = new ProducerBatch(q.topic, q.partition, buf, now)
    // A fresh buffer was sized for this record, so the first append always fits.
    batch.append(timestamp, key, value, headers, cb)
    d.push(batch)
    this.incomplete.add(batch)
    this.nonEmpty.add(q)
    if (batch.isFull) this.onBatchFull()
    else this.onBatchCreated(now)
    return batch
  }

  /** batch.size, or more for a record that would not fit in an empty batch.size buffer. */
  batchBufferSize(key: Payload, value: Payload, headers: HeaderInput[] | null | undefined): number {
    const need = HEADER_SIZE + estimateRecordSize(key, value, headers)
    return need > this.batchSize ? need : this.batchSize
  }

  /** Removes the head batch of a partition (it is being sent or expired). */
  shift(q: PartitionQueue): ProducerBatch | undefined {
    const b = q.deque.shift()
    if (q.deque.length === 0) this.nonEmpty.delete(q)
    return b
  }

  /** Puts a sent batch back for a retry. */
  reenqueue(q: PartitionQueue, batch: ProducerBatch): void {
    q.reenqueue(batch)
    this.nonEmpty.add(q)
  }

  /** Forgets a completed batch and gives its buffer back to the pool (a split's halves never took one). */
  deallocate(batch: ProducerBatch): void {
    if (this.incomplete.delete(batch) && batch.pooled) this.pool.deallocate(batch.buf)
  }

  /** Puts the halves of a split batch in its place in the queue; the batch itself is forgotten uncompleted. */
  replaceWithSplit(q: PartitionQueue, batch: ProducerBatch, parts: ProducerBatch[]): void {
    this.deallocate(batch)
    for (const part of parts) {
      this.incomplete.add(part)
      q.reenqueue(part)
    }
    this.nonEmpty.add(q)
  }

  /** True when every batch should go now: a flush or close is waiting, or others wait for memory. */
  get drainAll(): boolean {
    return this.flushesInProgress > 0 || this.closing || this.pool.queued > 0
  }

  /**
   * When the head batch of `q` may be sent: 0 for now, else the earliest time (ms). Retries wait
   * for retry.backoff.ms; a batch that is full or has a successor is ready at once; otherwise
   * linger.ms after it was created.
   */
  readyAt(q: PartitionQueue, lingerMs: number, drainAll: boolean): number {
    const head = q.deque[0]
    if (head.attempts > 0) return head.retryAt
    if (drainAll || q.deque.length > 1 || head.isFull) return 0
    return head.createdMs + lingerMs
  }
}
