/**
 * ProducerStateEntry: what one partition remembers of one idempotent producer -- its epoch and the
 * metadata of its last (up to) five batches, enough to recognise a retried batch (the Java client
 * and librdkafka keep at most five requests in flight per partition when idempotent).
 */

/** One appended batch of a producer, as Kafka's BatchMetadata. */
export interface BatchMetadata {
  lastSeq: number
  lastOffset: bigint
  /** lastOffset - firstOffset, which equals lastSeq - firstSeq (produced batches have no offset gaps). */
  offsetDelta: number
  /** The batch's max timestamp (its LogAppendTime when the topic stamps one). */
  timestamp: bigint
}

/** Batches remembered per producer and partition (Kafka's NumBatchesToRetain). */
export const BATCHES_TO_RETAIN = 5
const INT32_MAX = 0x7fffffff

/** `seq + increment` wrapping past int32 max to 0, as producers number records. */
export function incrementSequence(seq: number, increment: number): number {
  return seq > INT32_MAX - increment ? increment - (INT32_MAX - seq) - 1 : seq + increment
}

/** `seq - decrement` undoing incrementSequence's wrap. */
export function decrementSequence(seq: number, decrement: number): number {
  return seq < decrement ? INT32_MAX - (decrement - seq) + 1 : seq - decrement
}

/** True when `next` directly follows `last` (int32 max is followed by 0). */
export function inSequence(last: number, next: number): boolean {
  return next === last + 1 || (next === 0 && last === INT32_MAX)
}

/** First sequence of a remembered batch. */
export function firstSeqOf(b: BatchMetadata): number {
  return decrementSequence(b.lastSeq, b.offsetDelta)
}

/** First offset of a remembered batch. */
export function firstOffsetOf(b: BatchMetadata): bigint {
  return b.lastOffset - BigInt(b.offsetDelta)
}

/** One producer's state in one partition (see file comment). */
export class ProducerStateEntry {
  /** Oldest first; at most BATCHES_TO_RETAIN. */
  readonly batches: BatchMetadata[] = []

  constructor(
    readonly producerId: bigint,
    public producerEpoch: number,
    public coordinatorEpoch = -1,
    public lastTimestamp = -1n,
    public currentTxnFirstOffset = -1n,
  ) {}

  /** Last sequence written, -1 when no batch is known. */
  get lastSeq(): number {
    return this.batches.length === 0 ? -1 : this.batches[this.batches.length - 1].lastSeq
  }

  /** Last offset written, -1 when no batch is known. */
  get lastDataOffset(): bigint {
    return this.batches.length === 0 ? -1n : this.batches[this.batches.length - 1].lastOffset
  }

  /** offsetDelta of the last batch (0 when none). */
  get lastOffsetDelta(): number {
    return this.batches.length === 0 ? 0 : this.batches[this.batches.length - 1].offsetDelta
  }

  /** The remembered batch with exactly this epoch and sequence range (a retry), or null. */
  findDuplicate(epoch: number, firstSeq: number, lastSeq: number): BatchMetadata | null {
    if (epoch !== this.producerEpoch) return null
    for (const b of this.batches) if (b.lastSeq === lastSeq && firstSeqOf(b) === firstSeq) return b
    return null
  }

  /** A new epoch forgets the batches of the old one. */
  updateEpoch(epoch: number): void {
    if (epoch === this.producerEpoch) return
    this.batches.length = 0
    this.producerEpoch = epoch
  }

  /** Records an appended batch, dropping the oldest beyond five. */
  addBatch(epoch: number, lastSeq: number, lastOffset: bigint, offsetDelta: number, timestamp: bigint): void {
    this.updateEpoch(epoch)
    if (this.batches.length === BATCHES_TO_RETAIN) this.batches.shift()
    this.batches.push({lastSeq, lastOffset, offsetDelta, timestamp})
    this.lastTimestamp = timestamp
  }
}
