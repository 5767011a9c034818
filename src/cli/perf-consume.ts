/**
 * The loop and the output of `samsa perf consume`, after Kafka's ConsumerPerformance: read N
 * records as fast as the consumer delivers them, counting records per poll and bytes from the
 * engine's metrics (key + value sizes, tallied while decoding), so no record field is touched and
 * no key/value view is created. Figures are Kafka's: data.consumed.in.MB, MB.sec, nMsg.sec,
 * rebalance.time.ms (until the first assignment), fetch.time.ms (the rest) and the fetch rates.
 */
import type {Consumer, TopicPartition} from '../consumer/index.js'

/** What to read. */
export interface PerfConsumeOptions {
  topics: string[]
  /** Partition mode (assign these, from the beginning); group mode (subscribe) when undefined. */
  partitions?: TopicPartition[]
  messages: number
  /** Give up after this long without records (Kafka's --timeout). */
  timeoutMs: number
  /** Progress every this many ms (0: none). */
  reportingIntervalMs?: number
  onReport?: (r: PerfConsumeReport) => void
}

/** Kafka's consumer perf figures. */
export interface PerfConsumeReport {
  startMs: number
  endMs: number
  records: number
  bytes: number
  mb: number
  mbPerSec: number
  recordsPerSec: number
  rebalanceTimeMs: number
  fetchTimeMs: number
  fetchMbPerSec: number
  fetchRecordsPerSec: number
  /** True when the run stopped on --timeout before reading --messages records. */
  timedOut: boolean
}

const MB = 1024 * 1024

/** Reads until `messages` records (or the timeout); the caller closes the consumer. */
export async function runPerfConsume(consumer: Consumer, opts: PerfConsumeOptions): Promise<PerfConsumeReport> {
  const startMs = Date.now()
  let assignedAt = 0
  if (opts.partitions) {
    consumer.assign(opts.partitions)
    // No group to join: the rebalance time is 0 by definition, however long assign() took.
    assignedAt = startMs
  } else {
    consumer.subscribe(opts.topics, {
      onPartitionsAssigned: () => {
        if (assignedAt === 0) assignedAt = Date.now()
      },
    })
  }
  let records = 0
  let lastRecordAt = Date.now()
  let timedOut = false
  const every = opts.reportingIntervalMs ?? 0
  let nextReport = every > 0 ? startMs + every : Infinity
  let last = {at: startMs, records: 0, bytes: 0}
  while (records < opts.messages) {
    const batch = await consumer.poll(100)
    const now = Date.now()
    if (batch.length > 0) {
      records += batch.length
      lastRecordAt = now
    } else if (now - lastRecordAt >= opts.timeoutMs) {
      timedOut = true
      break
    }
    if (now >= nextReport) {
      nextReport = now + every
      const bytes = consumer.metrics().bytesConsumed
      // A window's figures, as Kafka's --show-detailed-stats lines.
      opts.onReport?.(report(last.at, now, records - last.records, bytes - last.bytes, assignedAt > last.at ? assignedAt - last.at : 0, false))
      last = {at: now, records, bytes}
    }
  }
  const endMs = Date.now()
  return report(startMs, endMs, records, consumer.metrics().bytesConsumed, assignedAt > 0 ? assignedAt - startMs : endMs - startMs, timedOut)
}

function report(startMs: number, endMs: number, records: number, bytes: number, rebalanceTimeMs: number, timedOut: boolean): PerfConsumeReport {
  const secs = Math.max(1, endMs - startMs) / 1000
  const fetchTimeMs = endMs - startMs - rebalanceTimeMs
  const fetchSecs = Math.max(1, fetchTimeMs) / 1000
  const mb = bytes / MB
  return {
    startMs, endMs, records, bytes, mb, mbPerSec: mb / secs, recordsPerSec: records / secs,
    rebalanceTimeMs, fetchTimeMs, fetchMbPerSec: mb / fetchSecs, fetchRecordsPerSec: records / fetchSecs, timedOut,
  }
}

/** Kafka's header line. */
export const PERF_CONSUME_HEADER = 'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec'

/** Kafka's detailed-stats header line. */
export const PERF_CONSUME_DETAIL_HEADER = 'time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec'

/** The summary line, figures as Kafka prints them (4 decimals, times as yyyy-MM-dd HH:mm:ss:SSS). */
export function formatPerfConsume(r: PerfConsumeReport): string {
  return [kafkaTime(r.startMs), kafkaTime(r.endMs), r.mb.toFixed(4), r.mbPerSec.toFixed(4), String(r.records), r.recordsPerSec.toFixed(4),
    String(r.rebalanceTimeMs), String(r.fetchTimeMs), r.fetchMbPerSec.toFixed(4), r.fetchRecordsPerSec.toFixed(4)].join(', ')
}

/** A detailed-stats line for one reporting window. */
export function formatPerfConsumeWindow(r: PerfConsumeReport): string {
  return [kafkaTime(r.endMs), '0', r.mb.toFixed(4), r.mbPerSec.toFixed(4), String(r.records), r.recordsPerSec.toFixed(4),
    String(r.rebalanceTimeMs), String(r.fetchTimeMs), r.fetchMbPerSec.toFixed(4), r.fetchRecordsPerSec.toFixed(4)].join(', ')
}

/** Local time as Kafka's perf tool prints it: yyyy-MM-dd HH:mm:ss:SSS. */
export function kafkaTime(ms: number): string {
  const d = new Date(ms)
  const p = (n: number, w = 2): string => String(n).padStart(w, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}:${p(d.getMilliseconds(), 3)}`
}
