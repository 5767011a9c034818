/**
 * Producer: the public face of the producer engine. send()/sendWithCallback() pick a partition,
 * append the record to the RecordAccumulator and return at once; the Sender delivers batches in the
 * background. When metadata is missing or buffer.memory is full, records wait in one FIFO queue (so
 * later records never overtake earlier ones) for at most max.block.ms; sendWithCallback() returns
 * false while that queue (BlockedSends) is non-empty and 'drain' is emitted when it empties, so a
 * fast caller can wait instead of piling up records. Used by `samsa produce` and `samsa perf produce`.
 */
import {EventEmitter} from 'node:events'
import {Cluster} from '../client/index.js'
import {ErrorCode, KafkaError} from '../protocol/index.js'
import {HEADER_SIZE} from '../records/index.js'
import {BlockedSends, HANDLED, NEED_METADATA} from './blocked-sends.js'
import {BufferPool} from './buffer-pool.js'
import {resolveProducerConfig, type ProducerConfig, type ResolvedProducerConfig} from './config.js'
import {RecordTooLargeError} from './errors.js'
import {IdempotenceState} from './idempotence.js'
import {Partitioner, murmur2, toPositive} from './partitioner.js'
import {estimateRecordSize, type HeaderInput, type RecordMetadata, type SendCallback} from './producer-batch.js'
import {ProducerMetadata} from './producer-metadata.js'
import {RecordAccumulator} from './record-accumulator.js'
import {Sender} from './sender.js'

/** One record to send. */
export interface ProducerRecord {
  topic: string
  /** Explicit partition; wins over the partitioner. */
  partition?: number
  key?: Buffer | string | null
  value: Buffer | string | null
  headers?: HeaderInput[]
  /** Create time in ms; default Date.now(). */
  timestamp?: number | bigint
}

/** Producer.metrics(). */
export interface ProducerMetrics {
  recordsSent: number
  recordsFailed: number
  bytesSent: number
  batchesSent: number
  /** Batches split in two after the broker refused them as too large. */
  batchesSplit: number
  requestsInFlight: number
  bufferAvailableBytes: number
  /** Records waiting for metadata or memory (not yet in a batch). */
  recordsWaiting: number
}

/** A Kafka producer: batching, compression, retries and idempotence, à la Kafka's Java producer. */
export class Producer extends EventEmitter {
  readonly config: ResolvedProducerConfig
  private readonly cluster: Cluster
  private readonly pool: BufferPool
  private readonly acc: RecordAccumulator
  private readonly metadata: ProducerMetadata
  private readonly partitioner: Partitioner
  private readonly idempotence: IdempotenceState
  private readonly sender: Sender
  private readonly blocked: BlockedSends
  private started: Promise<void> | undefined
  private closing: Promise<void> | undefined
  private closed = false
  private keyScratch = Buffer.allocUnsafe(256)

  constructor(config: ProducerConfig) {
    super()
    this.config = resolveProducerConfig(config)
    const c = this.config
    this.cluster = new Cluster({bootstrap: c.bootstrap, clientId: c.clientId, requestTimeoutMs: c.requestTimeoutMs, retryBackoffMs: c.retryBackoffMs})
    this.pool = new BufferPool(c.bufferMemory, Math.max(c.batchSize, HEADER_SIZE + 64))
    this.acc = new RecordAccumulator(this.pool, this.pool.poolableSize)
    this.metadata = new ProducerMetadata(this.cluster, c.retryBackoffMs, () => this.onMetadata())
    this.partitioner = new Partitioner(c.batchSize)
    this.idempotence = new IdempotenceState(c.idempotence, c.idempotenceExplicit)
    this.sender = new Sender(this.acc, this.metadata, this.cluster, this.idempotence, c, (e) => this.callbackError(e))
    this.acc.onBatchFull = () => this.sender.wakeup()
    this.acc.onBatchCreated = (createdMs) => this.sender.lingerFrom(createdMs)
    this.blocked = new BlockedSends((record, cb, buf) => this.tryAppend(record, cb, buf), this.metadata, this.pool, c, () => this.emit('drain'))
  }

  /** Bootstraps: cluster metadata and, with idempotence, a producer id. send() does this lazily too. */
  async connect(): Promise<void> {
    await this.start()
    if (this.idempotence.status === 'failed') throw this.idempotence.error!
  }

  /** True when batches carry a producer id and sequence numbers (decided once connected). */
  get idempotent(): boolean {
    return this.idempotence.enabled
  }

  /** Sends one record; resolves with where it was written, rejects with its error. */
  send(record: ProducerRecord): Promise<RecordMetadata> {
    return new Promise((resolve, reject) => {
      this.sendWithCallback(record, (err, md) => (err ? reject(err) : resolve(md!)))
    })
  }

  /**
   * Same path as send() without a Promise per record. Returns false when the record had to wait
   * (metadata or memory); a caller producing in a tight loop should then wait for 'drain'
   * (or `await producer.waitForCapacity()`) before sending more. A callback declared with exactly
   * one parameter, `(err) => ...`, is called without RecordMetadata (none is built for it).
   */
  sendWithCallback(record: ProducerRecord, cb: SendCallback): boolean {
    if (this.closed || this.closing) {
      process.nextTick(cb, new KafkaError(ErrorCode.NETWORK_EXCEPTION, 'cannot send: the producer is closed'))
      return true
    }
    if (this.started === undefined) void this.start()
    if (this.blocked.size > 0) {
      this.blocked.enqueue(record, cb)
      return false
    }
    if (this.tryAppend(record, cb, undefined) === HANDLED) return true
    this.blocked.enqueue(record, cb)
    return false
  }

  /** Resolves when no record waits for metadata or memory (at once when none does). */
  waitForCapacity(): Promise<void> {
    if (this.blocked.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.once('drain', resolve))
  }

  /** Resolves when every record sent before the call is acknowledged or failed. */
  async flush(): Promise<void> {
    this.acc.flushesInProgress++
    this.sender.wakeup()
    try {
      if (this.blocked.size > 0) await this.blocked.dequeuedAll()
      const pending = [...this.acc.incomplete].filter((b) => !b.done)
      this.sender.wakeup()
      await Promise.all(pending.map((b) => new Promise<void>((resolve) => (b.onDone ??= []).push(resolve))))
    } finally {
      this.acc.flushesInProgress--
    }
  }

  /** Flushes (at most timeoutMs), fails whatever is left, and closes every connection. */
  close(opts: {timeoutMs?: number} = {}): Promise<void> {
    return (this.closing ??= this.doClose(opts.timeoutMs ?? Infinity))
  }

  /** Counters for progress reports. */
  metrics(): ProducerMetrics {
    return {
      ...this.sender.metrics,
      requestsInFlight: this.sender.requestsInFlight,
      bufferAvailableBytes: this.pool.availableMemory,
      recordsWaiting: this.blocked.size,
    }
  }

  private async doClose(timeoutMs: number): Promise<void> {
    this.acc.closing = true
    if (this.started !== undefined) {
      let timer: NodeJS.Timeout | undefined
      const flushed = this.flush()
      if (timeoutMs !== Infinity) {
        await Promise.race([flushed, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, timeoutMs))))])
        clearTimeout(timer)
      } else {
        await flushed
      }
    }
    this.closed = true
    this.metadata.close()
    const err = new KafkaError(ErrorCode.NETWORK_EXCEPTION, 'the producer was closed before the record was sent')
    this.blocked.close(err)
    this.pool.failWaiters(err)
    this.sender.abort(err)
    this.blocked.releaseWaiters()
    await this.cluster.close()
  }

  private start(): Promise<void> {
    return (this.started ??= (async () => {
      const c = this.config
      await this.idempotence.init(this.cluster, c.retryBackoffMs, c.maxBlockMs)
      this.sender.wakeup()
    })())
  }

  /** Appends if possible; else says what the record waits for (metadata, or memory of that size). */
  private tryAppend(record: ProducerRecord, cb: SendCallback, buf: Buffer | undefined): number {
    const topic = record.topic
    const info = this.metadata.usable(topic)
    if (info === undefined) {
      this.metadata.want(topic)
      if (buf !== undefined) this.pool.deallocate(buf)
      return NEED_METADATA
    }
    const n = info.numPartitions
    const key = record.key ?? null
    const value = record.value ?? null
    const headers = record.headers
    // Cheap upper bound first; the exact size only matters for records near the limits.
    const limit = this.config.maxRequestSize < this.config.bufferMemory ? this.config.maxRequestSize : this.config.bufferMemory
    if (headers !== undefined || ((key === null ? 0 : key.length) + (value === null ? 0 : value.length)) * 3 + 128 > limit) {
      const size = HEADER_SIZE + estimateRecordSize(key, value, headers)
      if (size > this.config.maxRequestSize || size > this.config.bufferMemory) {
        const setting = size > this.config.maxRequestSize ? 'max.request.size' : 'buffer.memory'
        process.nextTick(cb, new RecordTooLargeError(size, setting, setting === 'max.request.size' ? this.config.maxRequestSize : this.config.bufferMemory))
        if (buf !== undefined) this.pool.deallocate(buf)
        return HANDLED
      }
    }
    let partition = record.partition
    const sticky = partition === undefined && key === null
    if (partition === undefined || partition === null) {
      partition = key === null ? this.partitioner.stickyPartition(topic, n) : this.partitionForKey(key, n)
    } else if (!Number.isInteger(partition) || partition < 0 || partition >= n) {
      process.nextTick(cb, new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        `cannot produce to "${topic}"-${partition}: topic "${topic}" has partitions 0 to ${n - 1}`))
      if (buf !== undefined) this.pool.deallocate(buf)
      return HANDLED
    }
    const now = Date.now()
    const ts = record.timestamp === undefined ? now : Number(record.timestamp)
    const q = this.acc.queue(topic, partition)
    const out = this.acc.append(q, now, ts, key, value, headers, cb, buf)
    if (typeof out === 'number') return out
    if (sticky) this.partitioner.onKeylessAppend(topic, n, (value === null ? 0 : value.length) + 8)
    return HANDLED
  }

  private partitionForKey(key: Buffer | string, n: number): number {
    if (typeof key !== 'string') return toPositive(murmur2(key)) % n
    // Hash string keys from a scratch buffer: no allocation per record.
    if (key.length * 3 > this.keyScratch.length) this.keyScratch = Buffer.allocUnsafe(key.length * 3)
    const len = (this.keyScratch as any).utf8Write(key, 0) as number
    return toPositive(murmur2(this.keyScratch, 0, len)) % n
  }

  private onMetadata(): void {
    this.blocked.onMetadataUpdate()
    this.sender.wakeup()
  }

  private callbackError(e: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', e)
    else process.nextTick(() => {
      throw e
    })
  }
}
