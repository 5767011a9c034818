/**
 * Sender: moves ready batches from the RecordAccumulator to partition leaders. Each pass groups one
 * batch per partition by leader into one Produce request per broker (up to max.request.size), keeps
 * at most max.in.flight.requests.per.connection requests in flight per broker, and turns each
 * partition's answer into completed records, a retry after retry.backoff.ms, or a failure with the
 * broker's error. With idempotence, batches carry sequence numbers and are retried in sequence
 * order. Runs on the event loop (woken by full batches, linger timers, responses, metadata
 * updates); owned by the Producer.
 */
import type {Cluster, Connection} from '../client/index.js'
import {ErrorCode, KafkaError, errorInfo} from '../protocol/index.js'
import type {ResolvedProducerConfig} from './config.js'
import {produceError} from './errors.js'
import type {IdempotenceState} from './idempotence.js'
import type {ProducerBatch} from './producer-batch.js'
import type {ProducerMetadata} from './producer-metadata.js'
import type {PartitionQueue, RecordAccumulator} from './record-accumulator.js'

const PRODUCE_KEY = 0
/** Kafka's limit of unanswered batches per partition with idempotence. */
const MAX_IDEMPOTENT_IN_FLIGHT = 5

/** What the Sender needs from the producer configuration. */
export type SenderOptions = Pick<ResolvedProducerConfig, 'acks' | 'lingerMs' | 'maxRequestSize' | 'maxInFlight' | 'retries' |
  'retryBackoffMs' | 'deliveryTimeoutMs' | 'requestTimeoutMs' | 'compression'>

/** Counters behind Producer.metrics(). */
export interface SenderMetrics { recordsSent: number; recordsFailed: number; bytesSent: number; batchesSent: number }

interface NodeState {
  id: number
  conn: Connection | undefined
  connecting: boolean
  inFlight: number
  backoffUntil: number
}

/** Sequence numbers wrap at 2^31 like Kafka's. */
function addSequence(seq: number, n: number): number {
  return (seq + n) % 2147483648
}
function subSequence(seq: number, n: number): number {
  return (seq - n + 2147483648) % 2147483648
}

/** Errors after which the partition's leader may have moved. */
function staleMetadata(code: number): boolean {
  return code === ErrorCode.NOT_LEADER_OR_FOLLOWER || code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ||
    code === ErrorCode.LEADER_NOT_AVAILABLE || code === ErrorCode.NETWORK_EXCEPTION ||
    code === ErrorCode.REQUEST_TIMED_OUT || code === ErrorCode.FENCED_LEADER_EPOCH ||
    code === ErrorCode.UNKNOWN_LEADER_EPOCH || code === ErrorCode.KAFKA_STORAGE_ERROR
}

/** The producer's network side. */
export class Sender {
  readonly metrics: SenderMetrics = {recordsSent: 0, recordsFailed: 0, bytesSent: 0, batchesSent: 0}
  private readonly nodes = new Map<number, NodeState>()
  private scheduled = false
  private timer: NodeJS.Timeout | undefined
  private timerAt = Infinity
  /** Set by abort(): nothing is retried any more. */
  private aborted: Error | undefined
  private readonly runBound = () => this.run()

  constructor(
    private readonly acc: RecordAccumulator,
    private readonly metadata: ProducerMetadata,
    private readonly cluster: Cluster,
    private readonly idempotence: IdempotenceState,
    private readonly opts: SenderOptions,
    private readonly onCallbackError: (e: unknown) => void,
  ) {}

  /** Requests in flight over all brokers. */
  get requestsInFlight(): number {
    let n = 0
    for (const node of this.nodes.values()) n += node.inFlight
    return n
  }

  /** Runs a pass soon (coalesced: many wakeups in one tick cost one pass). */
  wakeup(): void {
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(this.runBound)
  }

  /** Makes sure a pass runs when a batch created at `createdMs` has lingered long enough. */
  lingerFrom(createdMs: number): void {
    this.arm(createdMs + this.opts.lingerMs, Date.now())
  }

  /** Fails every queued batch with `err` and stops retrying; answers still in flight fail when they return. */
  abort(err: Error): void {
    this.aborted = err
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    for (const q of [...this.acc.nonEmpty]) {
      while (q.deque.length > 0) this.fail(this.acc.shift(q)!, q, err, false)
    }
    for (const b of [...this.acc.incomplete]) this.fail(b, this.acc.queue(b.topic, b.partition), err, false)
  }

  /** One pass: expire, drain and send; then arm the timer for the next deadline. */
  run(): void {
    this.scheduled = false
    if (this.aborted) return
    const idem = this.idempotence
    if (idem.status === 'pending') return // init() wakes us up when done
    if (idem.status === 'failed') {
      this.abort(idem.error!)
      this.aborted = undefined
      return
    }
    const now = Date.now()
    const {lingerMs, deliveryTimeoutMs, maxInFlight, maxRequestSize} = this.opts
    const drainAll = this.acc.drainAll
    let nextAt = Infinity
    let needMetadata = false
    const drafts = new Map<NodeState, {batches: PartitionQueue[]; size: number}>()
    for (let pass = 0; pass < maxInFlight; pass++) {
      drafts.clear()
      for (const q of this.acc.nonEmpty) {
        let head = q.deque[0]
        while (head !== undefined && now - head.createdMs >= deliveryTimeoutMs) {
          this.expire(this.acc.shift(q)!, q, now)
          head = q.deque[0]
        }
        if (head === undefined) continue
        const at = this.acc.readyAt(q, lingerMs, drainAll)
        if (at > now) {
          nextAt = Math.min(nextAt, at)
          continue
        }
        nextAt = Math.min(nextAt, head.createdMs + deliveryTimeoutMs)
        const leader = this.metadata.topics.get(q.topic)?.leaders[q.partition] ?? -1
        if (leader < 0) {
          needMetadata = true
          continue
        }
        const node = this.node(leader)
        if (node.conn === undefined || !node.conn.isOpen) {
          node.conn = undefined
          this.connect(node, now)
          if (node.backoffUntil > now) nextAt = Math.min(nextAt, node.backoffUntil)
          continue
        }
        if (node.inFlight >= maxInFlight) continue
        // Idempotence: a retried batch goes only once nothing of its partition is in flight, so
        // batches reach the log in sequence order; new batches pipeline up to 5 per partition.
        if (idem.enabled && q.inFlight.length > 0 && (head.wire !== undefined || q.inFlight.length >= MAX_IDEMPOTENT_IN_FLIGHT)) continue
        let draft = drafts.get(node)
        if (draft === undefined) {
          draft = {batches: [], size: 0}
          drafts.set(node, draft)
        }
        const size = head.wire ? head.wire.length : head.sizeInBytes
        if (draft.batches.length > 0 && draft.size + size > maxRequestSize) continue
        draft.batches.push(q)
        draft.size += size
      }
      if (drafts.size === 0) break
      for (const [node, draft] of drafts) this.send(node, draft.batches)
    }
    if (needMetadata) this.metadata.requestUpdate()
    this.arm(nextAt, now)
  }

  private arm(at: number, now: number): void {
    if (at === Infinity || at >= this.timerAt) return
    if (this.timer) clearTimeout(this.timer)
    this.timerAt = at
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.timerAt = Infinity
      this.run()
    }, Math.max(0, at - now))
  }

  private node(id: number): NodeState {
    let n = this.nodes.get(id)
    if (n === undefined) {
      n = {id, conn: undefined, connecting: false, inFlight: 0, backoffUntil: 0}
      this.nodes.set(id, n)
    }
    return n
  }

  private connect(node: NodeState, now: number): void {
    if (node.connecting || now < node.backoffUntil) return
    node.connecting = true
    this.cluster.connectionTo(node.id).then((conn) => {
      node.conn = conn
      conn.once('close', () => {
        if (node.conn === conn) node.conn = undefined
        this.metadata.requestUpdate()
        this.wakeup()
      })
    }, () => {
      node.backoffUntil = Date.now() + this.opts.retryBackoffMs
      this.metadata.requestUpdate()
    }).finally(() => {
      node.connecting = false
      this.wakeup()
    })
  }

  /** Seals the head batch of each partition and sends them to `node` as one Produce request. */
  private send(node: NodeState, queues: PartitionQueue[]): void {
    const idem = this.idempotence
    const batches: ProducerBatch[] = new Array(queues.length)
    const byTopic = new Map<string, Array<{index: number; records: Buffer}>>()
    for (let i = 0; i < queues.length; i++) {
      const q = queues[i]
      const b = this.acc.shift(q)!
      if (b.wire === undefined) {
        let seq = -1
        if (idem.enabled) {
          seq = q.nextSequence
          q.nextSequence = addSequence(seq, b.recordCount)
        }
        b.close(this.opts.compression, idem.enabled ? idem.producerId : -1n, idem.enabled ? idem.producerEpoch : -1, seq)
      } else if (b.pendingSequence !== undefined) {
        b.stampProducer(b.producerId, b.producerEpoch, b.pendingSequence)
        b.pendingSequence = undefined
      }
      b.attempts++
      q.inFlight.push(b)
      batches[i] = b
      let parts = byTopic.get(b.topic)
      if (parts === undefined) {
        parts = []
        byTopic.set(b.topic, parts)
      }
      parts.push({index: b.partition, records: b.wire!})
      this.metrics.bytesSent += b.wire!.length
      this.metrics.batchesSent++
    }
    const topicData = [...byTopic].map(([name, partitionData]) => ({name, partitionData}))
    const body = {transactionalId: null, acks: this.opts.acks, timeoutMs: this.opts.requestTimeoutMs, topicData}
    const conn = node.conn!
    node.inFlight++
    if (this.opts.acks === 0) {
      // No answer will come: the records count as sent once written.
      conn.send(PRODUCE_KEY, body, {expectResponse: false}).then(() => {
        node.inFlight--
        for (const b of batches) this.onResult(b, ErrorCode.NONE, -1n, -1n, null, Date.now(), true)
        this.wakeup()
      }, (err) => this.onRequestError(node, batches, err))
      return
    }
    conn.send(PRODUCE_KEY, body, {timeoutMs: this.opts.requestTimeoutMs + 1000}).then(
      (resp) => this.onResponse(node, batches, resp),
      (err) => this.onRequestError(node, batches, err),
    )
  }

  private onResponse(node: NodeState, batches: ProducerBatch[], resp: any): void {
    node.inFlight--
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
    this.wakeup()
  }

  private onRequestError(node: NodeState, batches: ProducerBatch[], err: unknown): void {
    node.inFlight--
    const code = err instanceof KafkaError ? err.code : ErrorCode.UNKNOWN_SERVER_ERROR
    // As Kafka does: a request that timed out poisons the connection; later answers on it are moot.
    if (code === ErrorCode.REQUEST_TIMED_OUT) node.conn?.close()
    if (node.conn !== undefined && !node.conn.isOpen) node.conn = undefined
    const now = Date.now()
    const message = err instanceof Error ? err.message : String(err)
    for (const b of batches) this.onResult(b, code, -1n, -1n, message, now, false)
    this.wakeup()
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
      return q.inFlight.some((x) => x.id < b.id) || q.deque.some((x) => x.wire !== undefined && x.id < b.id)
    }
    return errorInfo(code).retriable
  }

  private expire(b: ProducerBatch, q: PartitionQueue, now: number): void {
    const why = b.lastError ? `; last error: ${b.lastError.message}` : ''
    const err = new KafkaError(ErrorCode.REQUEST_TIMED_OUT,
      `cannot produce to "${b.topic}"-${b.partition}: ${b.recordCount} record(s) expired, ${now - b.createdMs} ms passed since batch creation (delivery.timeout.ms ${this.opts.deliveryTimeoutMs})${why}`)
    // Only a batch the broker surely never wrote lets later sequence numbers move down.
    const unsent = b.wire === undefined || (b.lastError instanceof KafkaError && !isUnknownOutcome(b.lastError.code))
    this.fail(b, q, err, unsent)
  }

  /** Fails a batch; with idempotence, later batches of the partition take over its sequence numbers. */
  private fail(b: ProducerBatch, q: PartitionQueue, err: Error, resequence: boolean): void {
    if (b.done) return
    if (resequence && this.idempotence.enabled && b.baseSequence >= 0) {
      const n = b.recordCount
      for (const x of q.inFlight) {
        if (x.id > b.id) x.pendingSequence = subSequence(x.pendingSequence ?? x.baseSequence, n)
      }
      for (const x of q.deque) {
        if (x.wire !== undefined && x.id > b.id) x.stampProducer(x.producerId, x.producerEpoch, subSequence(x.baseSequence, n))
      }
      q.nextSequence = subSequence(q.nextSequence, n)
    }
    this.complete(b, -1n, -1n, err)
  }

  private complete(b: ProducerBatch, baseOffset: bigint, logAppendTime: bigint, err: Error | null): void {
    if (err === null) this.metrics.recordsSent += b.recordCount
    else this.metrics.recordsFailed += b.recordCount
    b.complete(baseOffset, logAppendTime, err, this.onCallbackError)
    this.acc.deallocate(b)
  }
}

/** Errors after which the broker may or may not have written the batch. */
function isUnknownOutcome(code: number): boolean {
  return code === ErrorCode.NETWORK_EXCEPTION || code === ErrorCode.REQUEST_TIMED_OUT
}
