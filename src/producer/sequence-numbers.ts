/**
 * Idempotent sequence bookkeeping per partition: the sequence half of Kafka's TransactionManager
 * (the producer-id half is IdempotenceState). Kept apart from the Sender so the rules that keep a
 * partition's sequence numbers gap-free across failures and retries read in one place. The state
 * itself lives on PartitionQueue (nextSequence, inFlight) and ProducerBatch (baseSequence,
 * pendingSequence); these functions are called by the Sender and its ProduceResponseHandler only.
 */
import type {ProducerBatch} from './producer-batch.js'
import type {PartitionQueue} from './record-accumulator.js'

/** Kafka's limit of unanswered batches per partition with idempotence. */
export const MAX_IDEMPOTENT_IN_FLIGHT = 5

/** `seq` advanced by `n`: sequence numbers wrap at 2^31 like Kafka's. */
export function addSequence(seq: number, n: number): number {
  return (seq + n) % 2147483648
}
function subSequence(seq: number, n: number): number {
  return (seq - n + 2147483648) % 2147483648
}

/** The base sequence for a new batch of `n` records of the partition; advances the partition's next sequence. */
export function takeSequence(q: PartitionQueue, n: number): number {
  const seq = q.nextSequence
  q.nextSequence = addSequence(seq, n)
  return seq
}

/** Before a retry: writes the sequence a failure moved this batch to while it was in flight. */
export function applyPendingSequence(b: ProducerBatch): void {
  if (b.pendingSequence === undefined) return
  b.stampProducer(b.producerId, b.producerEpoch, b.pendingSequence)
  b.pendingSequence = undefined
}

/**
 * Kafka's adjustSequencesDueToFailedBatch: `b` failed and the broker surely never wrote it, so the
 * partition's later batches move down by its record count and leave no gap. Batches in flight
 * take the new number on their next attempt (the broker must reject the old one).
 */
export function adjustSequencesAfterFailure(q: PartitionQueue, b: ProducerBatch): void {
  const n = b.recordCount
  for (const x of q.inFlight) {
    if (x.id > b.id) x.pendingSequence = subSequence(x.pendingSequence ?? x.baseSequence, n)
  }
  for (const x of q.deque) {
    if (x.wire !== undefined && x.id > b.id) x.stampProducer(x.producerId, x.producerEpoch, subSequence(x.baseSequence, n))
  }
  q.nextSequence = subSequence(q.nextSequence, n)
}

/**
 * True when an earlier batch of the partition is in flight or queued for a retry: then
 * OUT_OF_ORDER_SEQUENCE_NUMBER for `b` is expected, and `b` goes again after that batch.
 */
export function earlierBatchUnsettled(q: PartitionQueue, b: ProducerBatch): boolean {
  return q.inFlight.some((x) => x.id < b.id) || q.deque.some((x) => x.wire !== undefined && x.id < b.id)
}
