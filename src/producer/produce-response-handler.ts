/**
 * ProduceResponseHandler: what the Sender does with each partition's outcome, as Kafka's
 * Sender.handleProduceResponse / completeBatch / failBatch / canRetry do -- complete the batch's
 * records, put it back for a retry after retry.backoff.ms, or fail it with the broker's error --
 * plus expiry after delivery.timeout.ms and failing everything on abort. Separate from the Sender,
 * which owns connections, draining and request building; created and called by the Sender only.
 */
import {ErrorCode, KafkaError, errorInfo} from '../protocol/index.js'
import type {ResolvedProducerConfig} from './config.js'
import {produceError} from './errors.js'
import type {IdempotenceState} from './idempotence.js'
import type {ProducerBatch} from './producer-batch.js'
import {splitBatch} from './batch-split.js'
import type {ProducerMetadata} from './producer-metadata.js'
import type {PartitionQueue, RecordAccumulator} from './record-accumulator.js'
import type {SenderMetrics} from './sender.js'
import {adjustSequencesAfterFailure, earlierBatchUnsettled} from './sequence-numbers.js'

/** What the retry and expiry rules need from the producer configuration. */
export type RetryOptions = Pick<ResolvedProducerConfig, 'retries' | 'retryBackoffMs' | 'deliveryTimeoutMs'>

/** Errors after which the partition's leader may have moved. */
function staleMetadata(code: number): boolean {
  return code === ErrorCode.NOT_LEADER_OR_FOLLOWER || code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ||
    code === ErrorCode.LEADER_NOT_AVAILABLE || code === ErrorCode.NETWORK_EXCEPTION ||
    code === ErrorCode.REQUEST_TIMED_OUT || code === ErrorCode.FENCED_LEADER_EPOCH ||
    code === ErrorCode.UNKNOWN_LEADER_EPOCH || code === ErrorCode.KAFKA_STORAGE_ERROR
}

/** Errors after which the broker may or may not have written the batch. */
function isUnknownOutcome(code: number): boolean {
  return code === ErrorCode.NETWORK_EXCEPTION || code === ErrorCode.REQUEST_TIMED_OUT
}

/** Settles sent batches: complete, retry or fail, keeping idempotent sequences gap-free. */
export class ProduceResponseHandler {
  /** Set by abort() (the Sender may clear it again): nothing is retried any more. */
  aborted: Error | undefined

  constructor(
    private readonly acc: RecordAccumulator,
    private readonly metadata: ProducerMetadata,
    private readonly idempotence: IdempotenceState,
    private readonly opts: RetryOptions,
    /** The Sender's counters; records sent and failed are counted here. */
    private readonly metrics: SenderMetrics,
    private readonly onCallbackError: (e: unknown) => void,
  ) {}

  /** Matches a Produce response's partitions to the batches of the request and settles each. */
  handleResponse(batches: ProducerBatch[], resp: any): void {
    const now = Date.now()
    const answered = new Array<boolean>(batches.length).fill(false)
    let i = 0
    for (const tr of resp.responses ?? []) {
      for (const pr of tr.partitionResponses ?? []) {
        // Brokers answer in request order; search only when they do not.
        let j = i < batches.length && batches[i].topic === tr.name && batches[i].partition === pr.index ? i : -1
        if (j < 0) j = batches.findIndex((b, k) => !answered[k] && b.topic === tr.name && b.partition === pr.index)
        if (j < 0 || answered[j]) continue
        answered[j] = true
        i = j + 1
        this.onResult(batches[j], pr.errorCode, BigInt(pr.baseOffset), BigInt(pr.logAppendTimeMs ?? -1n), pr.errorMessage ?? null, now, true)
      }
    }
    for (let k = 0; k < batches.length; k++) {
      if (!answered[k]) this.onResult(batches[k], ErrorCode.NETWORK_EXCEPTION, -1n, -1n, 'the broker did not answer for this partition', now, false)
    }
  }

  /** acks=0: completes the batches of a request once written, without offsets. */
  handleUnacknowledged(batches: ProducerBatch[]): void {
    for (const b of batches) this.onResult(b, ErrorCode.NONE, -1n, -1n, null, Date.now(), true)
  }

  /** The request got no response (`code` from the error); every batch of it is retried or failed. */
  handleRequestError(batches: ProducerBatch[], code: number, err: unknown): void {
    const now = Date.now()
    const message = err instanceof Error ? err.message : String(err)
    for (const b of batches) this.onResult(b, code, -1n, -1n, message, now, false)
  }

  /** Stops retrying and fails every queued or incomplete batch with `err`; answers still in flight fail when they return. */
  abort(err: Error): void {
    this.aborted = err
    for (const q of [...this.acc.nonEmpty]) {
      while (q.deque.length > 0) this.fail(this.acc.shift(q)!, q, err, false)
    }
    for (const b of [...this.acc.incomplete]) this.fail(b, this.acc.queue(b.topic, b.partition), err, false)
  }

  /** Fails a batch (already shifted off `q`) that waited longer than delivery.timeout.ms. */
  expire(b: ProducerBatch, q: PartitionQueue, now: number): void {
    const why = b.lastError ? `; last error: ${b.lastError.message}` : ''
    const err = new KafkaError(ErrorCode.REQUEST_TIMED_OUT,
      `cannot produce to "${b.topic}"-${b.partition}: ${b.recordCount} record(s) expired, ${now - b.createdMs} ms passed since batch creation (delivery.timeout.ms ${this.opts.deliveryTimeoutMs})${why}`)
    // Only a batch the broker surely never wrote lets later sequence numbers move down.
    const unsent = b.wire === undefined || (b.lastError instanceof KafkaError && !isUnknownOutcome(b.lastError.code))
    this.fail(b, q, err, unsent)
  }

  /**
   * One partition's outcome. `definitive` is true when the broker itself answered (so a failed
   * batch was surely not written and later sequence numbers may be moved down).
   */
  private onResult(b: ProducerBatch, code: number, baseOffset: bigint, logAppendTime: bigint, message: string | null, now: number, definitive: boolean): void {
    const q = this.acc.queue(b.topic, b.partition)
    const k = q.inFlight.indexOf(b)
    if (k >= 0) q.inFlight.splice(k, 1)
    if (b.done) return
    if (code === ErrorCode.NONE || code === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
      // A duplicate was written by an earlier attempt; its offset is not known here.
      this.complete(b, code === ErrorCode.NONE ? baseOffset : -1n, logAppendTime, null)
      return
    }
    if (code === ErrorCode.MESSAGE_TOO_LARGE && b.recordCount > 1 && b.wire !== undefined && !this.aborted) {
      // Kafka's splitAndReenqueue: the halves take the batch's place and sequence range; the split
      // is not a retry (no attempt counted), and halving ends at single records, which then fail.
      this.acc.replaceWithSplit(q, b, splitBatch(b))
      this.metrics.batchesSplit++
      return
    }
    const err = produceError(code, b.topic, b.partition, message)
    if (this.canRetry(b, q, code, now)) {
      b.lastError = err
      b.retryAt = now + this.opts.retryBackoffMs
      this.acc.reenqueue(q, b)
      if (staleMetadata(code)) this.metadata.requestUpdate()
      return
    }
    this.fail(b, q, err, definitive)
  }

  private canRetry(b: ProducerBatch, q: PartitionQueue, code: number, now: number): boolean {
    if (this.aborted || b.attempts > this.opts.retries || now - b.createdMs >= this.opts.deliveryTimeoutMs) return false
    // Its sequence was moved down while it was in flight: the broker had to reject the old one.
    if (b.pendingSequence !== undefined) return true
    if (code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER && this.idempotence.enabled) {
      // Expected when an earlier batch of the partition failed and will be retried first.
      return earlierBatchUnsettled(q, b)
    }
    return errorInfo(code).retriable
  }

  /** Fails a batch; with idempotence, later batches of the partition take over its sequence numbers. */
  private fail(b: ProducerBatch, q: PartitionQueue, err: Error, resequence: boolean): void {
    if (b.done) return
    if (resequence && this.idempotence.enabled && b.baseSequence >= 0) adjustSequencesAfterFailure(q, b)
    this.complete(b, -1n, -1n, err)
  }

  private complete(b: ProducerBatch, baseOffset: bigint, logAppendTime: bigint, err: Error | null): void {
    if (err === null) this.metrics.recordsSent += b.recordCount
    else this.metrics.recordsFailed += b.recordCount
    b.complete(baseOffset, logAppendTime, err, this.onCallbackError)
    this.acc.deallocate(b)
  }
}
