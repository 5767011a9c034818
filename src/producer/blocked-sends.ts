/**
 * BlockedSends: records whose send() could not append yet because their topic's metadata is
 * missing or buffer.memory is full -- what Kafka's KafkaProducer.send blocks a thread on for up to
 * max.block.ms (waitOnMetadata, BufferPool.allocate), made asynchronous. One FIFO queue, worked
 * through in order so later records never overtake earlier ones. Separate from the Producer so its
 * fast path (append at once) stays apart from the waiting machinery; owned by the Producer.
 */
import type {BufferPool} from './buffer-pool.js'
import type {ResolvedProducerConfig} from './config.js'
import {BufferExhaustedError} from './errors.js'
import type {SendCallback} from './producer-batch.js'
import type {ProducerMetadata} from './producer-metadata.js'
import type {ProducerRecord} from './producer.js'

/** tryAppend result: the record was appended or answered (with an error). */
export const HANDLED = -1
/** tryAppend result: the topic's metadata is missing. Any other result is the bytes of memory needed. */
export const NEED_METADATA = 0

/** Appends a record if it can; else says what it waits for (HANDLED, NEED_METADATA or a byte count). */
export type TryAppend = (record: ProducerRecord, cb: SendCallback, buf: Buffer | undefined) => number

interface Waiting {
  record: ProducerRecord
  cb: SendCallback
  deadline: number
  /** Memory obtained for it while waiting. */
  buf: Buffer | undefined
}

/** The Producer's queue of sends waiting for metadata or memory. */
export class BlockedSends {
  private waiting: Waiting[] = []
  private head = 0
  /** Records that ever left the queue (appended or failed): flush() waits for a target count. */
  private dequeued = 0
  private progressWaiters: Array<{target: number; resolve: () => void}> = []
  private processing = false
  private metadataWaiters: Array<() => void> = []
  private closed = false

  constructor(
    private readonly tryAppend: TryAppend,
    private readonly metadata: ProducerMetadata,
    private readonly pool: BufferPool,
    private readonly config: Pick<ResolvedProducerConfig, 'maxBlockMs' | 'bufferMemory'>,
    /** Called whenever the queue has emptied. */
    private readonly onDrain: () => void,
  ) {}

  /** Records waiting (not yet in a batch). */
  get size(): number {
    return this.waiting.length - this.head
  }

  /** Queues a record behind the others, to wait at most max.block.ms. */
  enqueue(record: ProducerRecord, cb: SendCallback): void {
    this.waiting.push({record, cb, deadline: Date.now() + this.config.maxBlockMs, buf: undefined})
    void this.process()
  }

  /** Resolves once every record queued now has left the queue; call only when size > 0. */
  dequeuedAll(): Promise<void> {
    const target = this.dequeued + this.size
    return new Promise<void>((resolve) => this.progressWaiters.push({target, resolve}))
  }

  /** Wakes records waiting for metadata (after every refresh, successful or not). */
  onMetadataUpdate(): void {
    const waiters = this.metadataWaiters
    this.metadataWaiters = []
    for (const w of waiters) w()
  }

  /** Fails every waiting record with `err` and stops working through the queue. */
  close(err: Error): void {
    this.closed = true
    for (let i = this.head; i < this.waiting.length; i++) this.waiting[i].cb(err)
    this.waiting = []
    this.head = 0
  }

  /** Releases every dequeuedAll() wait (at close, once nothing more will leave the queue). */
  releaseWaiters(): void {
    for (const w of this.progressWaiters.splice(0)) w.resolve()
  }

  private dequeue(): void {
    this.waiting[this.head++] = undefined as unknown as Waiting
    this.dequeued++
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head)
      this.head = 0
    }
    if (this.progressWaiters.length > 0) {
      this.progressWaiters = this.progressWaiters.filter((w) => {
        if (this.dequeued < w.target) return true
        w.resolve()
        return false
      })
    }
  }

  /** Works through the queue in order; one instance at a time. */
  private async process(): Promise<void> {
    if (this.processing) return
    this.processing = true
    try {
      while (this.head < this.waiting.length && !this.closed) {
        const w = this.waiting[this.head]
        const now = Date.now()
        const r = this.tryAppend(w.record, w.cb, w.buf)
        w.buf = undefined
        if (r === HANDLED) {
          this.dequeue()
          continue
        }
        if (now >= w.deadline) {
          const err = r === NEED_METADATA
            ? this.metadata.timeoutError(w.record.topic, this.config.maxBlockMs)
            : new BufferExhaustedError(r, this.config.maxBlockMs, this.config.bufferMemory)
          this.dequeue()
          w.cb(err)
          continue
        }
        if (r === NEED_METADATA) {
          await this.metadataUpdate(w.deadline - now)
          continue
        }
        try {
          w.buf = await this.pool.allocate(r, w.deadline - now)
        } catch (err) {
          if (this.closed) break
          this.dequeue()
          w.cb(err instanceof BufferExhaustedError ? new BufferExhaustedError(r, this.config.maxBlockMs, this.config.bufferMemory) : err as Error)
        }
      }
    } finally {
      this.processing = false
    }
    if (this.head >= this.waiting.length) {
      this.waiting = []
      this.head = 0
      this.onDrain()
    }
  }

  private metadataUpdate(timeoutMs: number): Promise<void> {
    this.metadata.requestUpdate()
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs)
      function done(): void {
        clearTimeout(timer)
        resolve()
      }
      this.metadataWaiters.push(done)
    })
  }
}
