/**
 * The loop of `samsa produce`: reads records from the input sources and hands them to a producer,
 * either one at a time (--sync: await each acknowledgement) or pipelined (--async: callbacks,
 * flush at the end). Memory stays bounded in async mode because reading pauses while the bytes
 * of records sent but not yet acknowledged exceed a cap (buffer.memory), the way Kafka's send()
 * blocks while the BufferPool is full.
 */
import type {Readable} from 'node:stream'
import {InputError, readLines, recordFromJson, recordFromLine, recordFootprint, type InputRecord, type JsonOptions, type LineOptions} from './produce-input.js'

/** What the loop needs of a producer (src/producer's Producer has it; tests pass fakes). */
export interface ProducerLike {
  send(record: OutRecord): Promise<Delivery>
  /** Returns false when the record had to wait for metadata or memory (then waitForCapacity). */
  sendWithCallback(record: OutRecord, cb: (err: Error | null, md?: Delivery) => void): boolean | void
  /** Resolves when no record waits for metadata or memory. */
  waitForCapacity?(): Promise<void>
  flush(): Promise<void>
}

/** A record as handed to the producer. */
export type OutRecord = InputRecord & {topic: string}

/** An acknowledgement, as the producer's RecordMetadata. */
export interface Delivery { topic: string; partition: number; offset: bigint; timestamp: bigint }

/** One input to read: a name for error messages ("stdin", a file path) and its stream. */
export interface InputSource { name: string; stream: Readable }

/** How to turn input into records and how to send them. */
export interface ProduceRunOptions {
  topic: string
  /** await each record (and report it through onDelivered) instead of pipelining. */
  sync: boolean
  /** The same partition for every record (-p); overrides a JSON record's partition. */
  partition?: number
  input: 'lines' | 'json'
  line: LineOptions
  json: JsonOptions
  /** Async mode pauses reading while unacknowledged records hold more bytes than this. */
  maxPendingBytes: number
  /** Called per acknowledged record in sync mode (for the `topic-partition@offset` lines). */
  onDelivered?: (md: Delivery) => void
  /** Called per failed record, with where it came from ("stdin:12"). */
  onFailed: (err: Error, where: string) => void
}

/** What a run did. */
export interface ProduceSummary { topic: string; records: number; failed: number; bytes: number; seconds: number }

/** Reads every source in order and produces its records; resolves when all are acknowledged or failed. */
export async function produceFrom(producer: ProducerLike, sources: InputSource[], opts: ProduceRunOptions): Promise<ProduceSummary> {
  const t0 = performance.now()
  const summary: ProduceSummary = {topic: opts.topic, records: 0, failed: 0, bytes: 0, seconds: 0}
  const pending = new PendingBytes(opts.maxPendingBytes)
  for (const source of sources) {
    let lineNo = 0
    for await (const line of readLines(source.stream)) {
      lineNo++
      let record: OutRecord
      try {
        record = toRecord(line, opts)
      } catch (err) {
        if (!(err instanceof InputError)) throw err
        summary.failed++
        opts.onFailed(err, `${source.name}:${lineNo}`)
        continue
      }
      const size = payloadBytes(record)
      if (opts.sync) {
        try {
          const delivery = producer.send(record)
          delivery.catch(() => {}) // handled below, after the flush
          // A record waited for alone is sent at once instead of lingering (and a flush wakes
          // the sender even when nothing else would).
          await producer.flush()
          const md = await delivery
          summary.records++
          summary.bytes += size
          opts.onDelivered?.(md)
        } catch (err) {
          summary.failed++
          opts.onFailed(err as Error, `${source.name}:${lineNo}`)
        }
        continue
      }
      const where = lineNo
      const name = source.name
      const footprint = recordFootprint(record)
      pending.add(footprint)
      const accepted = producer.sendWithCallback(record, (err) => {
        pending.release(footprint)
        if (err) {
          summary.failed++
          opts.onFailed(err, `${name}:${where}`)
        } else {
          summary.records++
          summary.bytes += size
        }
      })
      // Stop reading while the producer is out of memory (as Kafka's send() blocks) or while too
      // many bytes wait for acknowledgement; the input stream stays paused meanwhile.
      if (accepted === false && producer.waitForCapacity) await producer.waitForCapacity()
      if (pending.full()) await pending.drained()
    }
  }
  await producer.flush()
  // flush() resolves after the last acknowledgement; callbacks may still be queued behind it.
  await pending.empty()
  summary.seconds = (performance.now() - t0) / 1000
  return summary
}

function toRecord(line: Buffer, opts: ProduceRunOptions): OutRecord {
  const r = opts.input === 'json' ? recordFromJson(line, opts.json) : recordFromLine(line, opts.line)
  const out = r as OutRecord
  out.topic = opts.topic
  if (opts.input === 'json') {
    // -k and -H apply to JSON input too: -k replaces the key, -H headers are added.
    if (opts.line.key !== undefined) out.key = opts.line.key
    if (opts.line.headers && opts.line.headers.length > 0) out.headers = [...(out.headers ?? []), ...opts.line.headers]
  }
  if (opts.partition !== undefined) out.partition = opts.partition
  return out
}

/** Key and value bytes of a record: what the summary's byte count means. */
function payloadBytes(r: OutRecord): number {
  return len(r.key) + len(r.value)
}

function len(v: Buffer | string | null | undefined): number {
  if (v === null || v === undefined) return 0
  return typeof v === 'string' ? Buffer.byteLength(v) : v.length
}

/** Bytes held by records in flight, with a wait for "below the cap" and "nothing left". */
class PendingBytes {
  private bytes = 0
  private count = 0
  private waiters: Array<() => void> = []

  constructor(private readonly cap: number) {}

  add(n: number): void {
    this.bytes += n
    this.count++
  }

  release(n: number): void {
    this.bytes -= n
    this.count--
    if (this.waiters.length > 0 && (this.count === 0 || !this.full())) {
      for (const w of this.waiters.splice(0)) w()
    }
  }

  full(): boolean {
    return this.bytes > this.cap && this.count > 0
  }

  /** Resolves when the bytes in flight fall to the cap (or nothing is in flight). */
  drained(): Promise<void> {
    if (!this.full()) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  /** Resolves when every record sent has had its callback. */
  async empty(): Promise<void> {
    while (this.count > 0) await new Promise<void>((resolve) => this.waiters.push(resolve))
  }
}

/** The stderr line for one failed record: where it came from, the error, and the error's name. */
export function recordErrorLine(err: Error, where: string): string {
  const name = err.name && err.name !== 'Error' ? ` (${err.name})` : ''
  return `${where}: ${err.message.split('\n')[0]}${name}`
}
