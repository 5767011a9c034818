/**
 * Sender: moves ready batches from the RecordAccumulator to partition leaders. Each pass groups one
 * batch per partition by leader into one Produce request per broker (up to max.request.size), keeps
 * at most max.in.flight.requests.per.connection requests in flight per broker, and hands each
 * partition's answer to the ProduceResponseHandler (complete, retry after retry.backoff.ms, or fail
 * with the broker's error). With idempotence, batches carry sequence numbers (sequence-numbers.ts)
 * and are retried in sequence order. Runs on the event loop (woken by full batches, linger timers,
 * responses, metadata updates); owned by the Producer.
 */
import type {Cluster, Connection} from '../client/index.js'
import {ErrorCode, KafkaError} from '../protocol/index.js'
import type {ResolvedProducerConfig} from './config.js'
import type {IdempotenceState} from './idempotence.js'
import {ProduceResponseHandler} from './produce-response-handler.js'
import type {ProducerBatch} from './producer-batch.js'
import type {ProducerMetadata} from './producer-metadata.js'
import type {PartitionQueue, RecordAccumulator} from './record-accumulator.js'
import {MAX_IDEMPOTENT_IN_FLIGHT, applyPendingSequence, takeSequence} from './sequence-numbers.js'

const PRODUCE_KEY = 0

/** What the Sender needs from the producer configuration. */
export type SenderOptions = Pick<ResolvedProducerConfig, 'acks' | 'lingerMs' | 'maxRequestSize' | 'maxInFlight' | 'retries' |
  'retryBackoffMs' | 'deliveryTimeoutMs' | 'requestTimeoutMs' | 'compression'>

/** Counters behind Producer.metrics(). */
export interface SenderMetrics {
  recordsSent: number; recordsFailed: number; bytesSent: number; batchesSent: number
  /** Batches split in two after the broker refused them as too large (Kafka's batch-split-total). */
  batchesSplit: number
}

interface NodeState {
  id: number
  conn: Connection | undefined
  connecting: boolean
  inFlight: number
  backoffUntil: number
}

/** The producer's network side. */
export class Sender {
  readonly metrics: SenderMetrics = {recordsSent: 0, recordsFailed: 0, bytesSent: 0, batchesSent: 0, batchesSplit: 0}
  private readonly nodes = new Map<number, NodeState>()
  private scheduled = false
  private timer: NodeJS.Timeout | undefined
  private timerAt = Infinity
  /** Completes, retries or fails each batch once its partition's outcome is known. */
  private readonly results: ProduceResponseHandler
  private readonly runBound = () => this.run()

  constructor(
    private readonly acc: RecordAccumulator,
    private readonly metadata: ProducerMetadata,
    private readonly cluster: Cluster,
    private readonly idempotence: IdempotenceState,
    private readonly opts: SenderOptions,
    onCallbackError: (e: unknown) => void,
  ) {
    this.results = new ProduceResponseHandler(acc, metadata, idempotence, opts, this.metrics, onCallbackError)
  }

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
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.results.abort(err)
  }

  /** One pass: expire, drain and send; then arm the timer for the next deadline. */
  run(): void {
    this.scheduled = false
    if (this.results.aborted) return
    const idem = this.idempotence
    if (idem.status === 'pending') return // init() wakes us up when done
    if (idem.status === 'failed') {
      this.abort(idem.error!)
      this.results.aborted = undefined
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
          this.results.expire(this.acc.shift(q)!, q, now)
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
        const seq = idem.enabled ? takeSequence(q, b.recordCount) : -1
        b.close(this.opts.compression, idem.enabled ? idem.producerId : -1n, idem.enabled ? idem.producerEpoch : -1, seq)
      } else {
        applyPendingSequence(b)
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
        this.results.handleUnacknowledged(batches)
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
    this.results.handleResponse(batches, resp)
    this.wakeup()
  }

  private onRequestError(node: NodeState, batches: ProducerBatch[], err: unknown): void {
    node.inFlight--
    const code = err instanceof KafkaError ? err.code : ErrorCode.UNKNOWN_SERVER_ERROR
    // As Kafka does: a request that timed out poisons the connection; later answers on it are moot.
    if (code === ErrorCode.REQUEST_TIMED_OUT) node.conn?.close()
    if (node.conn !== undefined && !node.conn.isOpen) node.conn = undefined
    this.results.handleRequestError(batches, code, err)
    this.wakeup()
  }
}
