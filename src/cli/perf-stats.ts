/**
 * Statistics of `samsa perf produce`, shaped like Kafka's ProducerPerformance: a latency histogram
 * (fixed memory however many records), windowed progress figures every reporting interval, and
 * the final summary with percentiles. Latencies are kept in microseconds in log-linear buckets
 * (under 1 % relative error above 256 us, exact below), so 5,000,000 records cost no more
 * memory than 5.
 */

/** Sub-buckets per power of two: the histogram's precision. */
const SUB_BITS = 8
const SUB = 1 << SUB_BITS
/** Enough powers of two to cover 2^40 us (12 days). */
const BUCKETS = SUB + (40 - SUB_BITS + 1) * (SUB / 2)

/** A log-linear histogram of non-negative integer microseconds. */
export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS)
  count = 0
  sumUs = 0
  maxUs = 0

  /** Records one latency in microseconds. */
  record(us: number): void {
    const v = us < 0 ? 0 : Math.round(us)
    this.counts[bucketOf(v)]++
    this.count++
    this.sumUs += v
    if (v > this.maxUs) this.maxUs = v
  }

  /** Records `n` latencies of the same value (a chunk of records acknowledged together). */
  recordMany(us: number, n: number): void {
    if (n <= 0) return
    const v = us < 0 ? 0 : Math.round(us)
    this.counts[bucketOf(v)] += n
    this.count += n
    this.sumUs += v * n
    if (v > this.maxUs) this.maxUs = v
  }

  /** The latency (us) at or below which `q` (0..1) of the recorded values fall; 0 when empty. */
  percentile(q: number): number {
    if (this.count === 0) return 0
    const rank = Math.max(1, Math.ceil(q * this.count))
    let seen = 0
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]
      if (seen >= rank) return Math.min(bucketUpper(i), this.maxUs)
    }
    return this.maxUs
  }
}

function bucketOf(v: number): number {
  if (v < SUB) return v
  const log2 = v < 0x100000000 ? 31 - Math.clz32(v) : Math.floor(Math.log2(v))
  const exp = log2 - SUB_BITS + 1
  const idx = SUB + (exp - 1) * (SUB / 2) + (Math.floor(v / 2 ** exp) - SUB / 2)
  return Math.min(idx, BUCKETS - 1)
}

function bucketUpper(i: number): number {
  if (i < SUB) return i
  const exp = Math.floor((i - SUB) / (SUB / 2)) + 1
  const sub = (i - SUB) % (SUB / 2) + SUB / 2
  return (sub + 1) * 2 ** exp - 1
}

/** Figures of a finished run, in the units Kafka's perf tool prints. */
export interface PerfSummary {
  records: number
  failed: number
  bytes: number
  seconds: number
  recordsPerSec: number
  mbPerSec: number
  avgLatencyMs: number
  maxLatencyMs: number
  p50Ms: number
  p95Ms: number
  p99Ms: number
  p999Ms: number
}

/** Figures of one progress window. */
export interface PerfWindow { records: number; recordsPerSec: number; mbPerSec: number; avgLatencyMs: number; maxLatencyMs: number }

const MB = 1024 * 1024

/** Collects acknowledgements; emits a window every `intervalMs` and the summary at the end. */
export class PerfStats {
  readonly histogram = new LatencyHistogram()
  records = 0
  failed = 0
  bytes = 0
  private window = {start: 0, records: 0, bytes: 0, sumUs: 0, maxUs: 0}

  constructor(private readonly startMs: number, private readonly intervalMs = 5000, private readonly onWindow?: (w: PerfWindow) => void) {
    this.window.start = startMs
  }

  /** Records `n` records of `bytesEach` acknowledged `latencyMs` after they were sent, at `nowMs`. */
  ack(n: number, bytesEach: number, latencyMs: number, nowMs: number): void {
    const us = latencyMs * 1000
    this.histogram.recordMany(us, n)
    this.records += n
    this.bytes += n * bytesEach
    const w = this.window
    w.records += n
    w.bytes += n * bytesEach
    w.sumUs += us * n
    if (us > w.maxUs) w.maxUs = us
    if (nowMs - w.start >= this.intervalMs) this.closeWindow(nowMs)
  }

  /** Counts `n` failed records (not part of the latency figures). */
  fail(n: number): void {
    this.failed += n
  }

  /** Ends the current window now if it has run its interval (called from a timer when acks stall). */
  tick(nowMs: number): void {
    if (nowMs - this.window.start >= this.intervalMs) this.closeWindow(nowMs)
  }

  private closeWindow(nowMs: number): void {
    const w = this.window
    const ms = Math.max(1, nowMs - w.start)
    this.onWindow?.({
      records: w.records,
      recordsPerSec: (1000 * w.records) / ms,
      mbPerSec: (1000 * w.bytes) / ms / MB,
      avgLatencyMs: w.records > 0 ? w.sumUs / w.records / 1000 : 0,
      maxLatencyMs: w.maxUs / 1000,
    })
    this.window = {start: nowMs, records: 0, bytes: 0, sumUs: 0, maxUs: 0}
  }

  /** The run's figures, measured up to `endMs`. */
  summary(endMs: number): PerfSummary {
    const ms = Math.max(1, endMs - this.startMs)
    const h = this.histogram
    return {
      records: this.records,
      failed: this.failed,
      bytes: this.bytes,
      seconds: ms / 1000,
      recordsPerSec: (1000 * this.records) / ms,
      mbPerSec: (1000 * this.bytes) / ms / MB,
      avgLatencyMs: h.count > 0 ? h.sumUs / h.count / 1000 : 0,
      maxLatencyMs: h.maxUs / 1000,
      p50Ms: h.percentile(0.5) / 1000,
      p95Ms: h.percentile(0.95) / 1000,
      p99Ms: h.percentile(0.99) / 1000,
      p999Ms: h.percentile(0.999) / 1000,
    }
  }
}

/** Kafka's progress line: `N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency.` */
export function formatWindow(w: PerfWindow): string {
  return `${w.records} records sent, ${w.recordsPerSec.toFixed(1)} records/sec (${w.mbPerSec.toFixed(2)} MB/sec), ` +
    `${w.avgLatencyMs.toFixed(1)} ms avg latency, ${w.maxLatencyMs.toFixed(1)} ms max latency.`
}

/**
 * Kafka's final line. Percentiles are whole milliseconds as Kafka prints them, except that a
 * sub-millisecond figure keeps two decimals instead of printing a misleading 0.
 */
export function formatSummary(s: PerfSummary): string {
  return `${s.records} records sent, ${s.recordsPerSec.toFixed(6)} records/sec (${s.mbPerSec.toFixed(2)} MB/sec), ` +
    `${s.avgLatencyMs.toFixed(2)} ms avg latency, ${s.maxLatencyMs.toFixed(2)} ms max latency, ` +
    `${pct(s.p50Ms)} ms 50th, ${pct(s.p95Ms)} ms 95th, ${pct(s.p99Ms)} ms 99th, ${pct(s.p999Ms)} ms 99.9th.`
}

function pct(ms: number): string {
  return ms < 1 ? ms.toFixed(2) : String(Math.round(ms))
}
