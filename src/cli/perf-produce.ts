/**
 * The loop of `samsa perf produce`, after Kafka's ProducerPerformance: one payload of random
 * letters made once, records sent through the producer's callback path (no Promise per record),
 * optional rate limiting, and latency measured from send to acknowledgement. Records are handed
 * over in chunks between which the event loop runs, so the producer's I/O proceeds while the
 * loop keeps the accumulator full; unacknowledged bytes are capped at buffer.memory, so memory
 * stays bounded however many records are asked for.
 */
import {setImmediate as nextTurn, setTimeout as sleep} from 'node:timers/promises'
import {PerfStats, type PerfSummary, type PerfWindow} from './perf-stats.js'

/** What the loop needs of a producer (src/producer's Producer has it). */
export interface CallbackProducer {
  /** Returns false when the record had to wait for metadata or memory (then waitForCapacity). */
  sendWithCallback(record: {topic: string; value: Buffer}, cb: (err: Error | null) => void): boolean | void
  waitForCapacity?(): Promise<void>
  flush(): Promise<void>
}

/** What to send and how fast. */
export interface PerfProduceOptions {
  topic: string
  numRecords: number
  recordSize: number
  /** Records per second; -1 (or any value <= 0) for no limit. */
  throughput: number
  /** Unacknowledged bytes at which sending pauses (buffer.memory). */
  maxPendingBytes: number
  /** Progress window length (Kafka: 5000 ms). */
  intervalMs?: number
  onWindow?: (w: PerfWindow) => void
  onError?: (err: Error) => void
  /** Called about every 200 ms with the records handed over so far (spinners). */
  onProgress?: (sent: number, acked: number) => void
}

/** Records handed over together, and how many of them were acknowledged since the last tally. */
interface Chunk { t0: number; acked: number; touched: boolean }

/** Per-record bookkeeping a record costs beyond its value (record and batch headers, queue entries). */
const RECORD_OVERHEAD = 72

/** A payload of `size` random capital letters, as Kafka's perf tool makes it (compressible like text). */
export function makePayload(size: number): Buffer {
  const buf = Buffer.allocUnsafe(size)
  for (let i = 0; i < size; i++) buf[i] = 65 + Math.floor(Math.random() * 26)
  return buf
}

/** Sends `numRecords` records and resolves with the figures once every one is acknowledged or failed. */
export async function runPerfProduce(producer: CallbackProducer, opts: PerfProduceOptions): Promise<PerfSummary> {
  const {numRecords: total, recordSize: size} = opts
  // One record object for every send: the values are the same bytes and the producer copies
  // them into its batches, so there is nothing per record to allocate.
  const record = Object.freeze({topic: opts.topic, value: makePayload(size)})
  const footprint = size + RECORD_OVERHEAD
  const maxPending = Math.max(1, Math.floor(opts.maxPendingBytes / footprint))
  const chunk = Math.max(1, Math.min(5000, Math.floor((1024 * 1024) / footprint)))
  const rate = opts.throughput > 0 ? opts.throughput : 0

  const start = performance.now()
  const stats = new PerfStats(start, opts.intervalMs ?? 5000, opts.onWindow)
  let sent = 0
  let done = 0
  let wake: (() => void) | null = null
  // Acknowledgements are tallied per chunk and turned into latencies once per turn of the event
  // loop (all records of a batch complete in one turn): one clock read per batch, not per record.
  const touched: Chunk[] = []
  let tallyQueued = false
  const tally = (): void => {
    tallyQueued = false
    const now = performance.now()
    for (const c of touched) {
      if (c.acked > 0) stats.ack(c.acked, size, now - c.t0, now)
      c.acked = 0
      c.touched = false
    }
    touched.length = 0
    if (wake !== null && (sent - done <= maxPending >> 1 || done === sent)) {
      const w = wake
      wake = null
      w()
    }
  }
  const ticker = setInterval(() => {
    stats.tick(performance.now())
    opts.onProgress?.(sent, done)
  }, 200)
  ticker.unref()

  try {
    while (sent < total) {
      let n = Math.min(chunk, total - sent)
      if (rate > 0) {
        const elapsed = performance.now() - start
        const allowed = Math.floor((elapsed * rate) / 1000) + 1
        if (sent >= allowed) {
          // The next record is due when elapsed * rate / 1000 reaches `sent`.
          await sleep(Math.max(1, (sent * 1000) / rate - elapsed))
          continue
        }
        n = Math.min(n, allowed - sent)
      }
      if (sent - done >= maxPending) {
        await new Promise<void>((resolve) => (wake = resolve))
        continue
      }
      n = Math.min(n, maxPending - (sent - done))
      // One closure per chunk: every record in it was handed over at the same moment.
      const c: Chunk = {t0: performance.now(), acked: 0, touched: false}
      const cb = (err: Error | null): void => {
        done++
        if (err) {
          stats.fail(1)
          opts.onError?.(err)
        } else {
          c.acked++
        }
        if (!c.touched) {
          c.touched = true
          touched.push(c)
        }
        if (!tallyQueued) {
          tallyQueued = true
          queueMicrotask(tally)
        }
      }
      let blocked = false
      let i = 0
      while (i < n) {
        i++
        if (producer.sendWithCallback(record, cb) === false) {
          blocked = true
          break
        }
      }
      sent += i
      // Out of buffer.memory: wait as Kafka's send() blocks; otherwise let the I/O run.
      if (blocked && producer.waitForCapacity) await producer.waitForCapacity()
      else await nextTurn()
    }
    await producer.flush()
    while (done < sent) await new Promise<void>((resolve) => (wake = resolve))
  } finally {
    clearInterval(ticker)
  }
  return stats.summary(performance.now())
}
