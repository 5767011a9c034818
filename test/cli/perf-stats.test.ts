/**
 * The figures of `samsa perf produce` without a broker: histogram percentiles against exact ones,
 * Kafka-shaped progress and summary lines, windows, rate limiting and the bound on records in
 * flight, with a scripted producer.
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {LatencyHistogram, PerfStats, formatSummary, formatWindow, type PerfWindow} from '../../src/cli/perf-stats.js'
import {makePayload, runPerfProduce, type CallbackProducer} from '../../src/cli/perf-produce.js'

test('histogram percentiles are within 1 % of the exact ones over a wide range', () => {
  const h = new LatencyHistogram()
  const values: number[] = []
  let seed = 42
  for (let i = 0; i < 100_000; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    // Log-uniform from 1 us to ~10 s: exercises the exact and the log-linear ranges.
    const v = Math.round(Math.exp((seed / 2 ** 31) * Math.log(10_000_000)))
    values.push(v)
    h.record(v)
  }
  values.sort((a, b) => a - b)
  for (const q of [0.5, 0.95, 0.99, 0.999]) {
    const exact = values[Math.ceil(q * values.length) - 1]
    const got = h.percentile(q)
    assert.ok(Math.abs(got - exact) <= Math.max(1, exact * 0.01), `p${q * 100}: ${got} vs exact ${exact}`)
  }
  assert.equal(h.maxUs, values.at(-1))
  assert.equal(h.count, 100_000)
  assert.equal(h.percentile(1), values.at(-1))
  const small = new LatencyHistogram()
  for (const v of [5, 1, 3]) small.record(v)
  assert.deepEqual([small.percentile(0.34), small.percentile(0.5), small.percentile(1)], [3, 3, 5])
  assert.equal(new LatencyHistogram().percentile(0.5), 0)
})

test('lines have the shape of Kafka\'s producer perf test', () => {
  const windows: PerfWindow[] = []
  const stats = new PerfStats(0, 5000, (w) => windows.push(w))
  stats.ack(1000, 100, 2, 1000)
  stats.ack(1000, 100, 4, 5000)
  assert.equal(windows.length, 1)
  assert.equal(formatWindow(windows[0]), '2000 records sent, 400.0 records/sec (0.04 MB/sec), 3.0 ms avg latency, 4.0 ms max latency.')
  stats.ack(5, 100, 300, 6000)
  stats.fail(3)
  const s = stats.summary(8000)
  assert.deepEqual([s.records, s.failed, s.bytes, s.seconds], [2005, 3, 200500, 8])
  assert.equal(formatSummary(s), '2005 records sent, 250.625000 records/sec (0.02 MB/sec), 3.74 ms avg latency, 300.00 ms max latency, 4 ms 50th, 4 ms 95th, 4 ms 99th, 300 ms 99.9th.')
  const fast = new PerfStats(0)
  fast.ack(10, 1, 0.25, 10)
  assert.match(formatSummary(fast.summary(10)), /0\.25 ms 50th, 0\.25 ms 95th/)
})

/** Acknowledges each sendWithCallback on the next timer tick, counting what is in flight. */
class TickingProducer implements CallbackProducer {
  sent = 0
  inFlight = 0
  maxInFlight = 0
  private queue: Array<(err: Error | null) => void> = []
  private timer = setInterval(() => this.ackAll(), 1)
  failEvery = 0

  sendWithCallback(_r: {topic: string; value: Buffer}, cb: (err: Error | null) => void): void {
    this.sent++
    this.inFlight++
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
    this.queue.push(cb)
  }

  private ackAll(): void {
    for (const cb of this.queue.splice(0)) {
      this.inFlight--
      const fail = this.failEvery > 0 && this.sent % this.failEvery === 0
      cb(fail ? new Error('boom') : null)
    }
  }

  async flush(): Promise<void> {
    while (this.inFlight > 0) await new Promise((r) => setTimeout(r, 1))
  }

  stop(): void {
    clearInterval(this.timer)
  }
}

test('perf loop: all records acknowledged, in-flight bytes bounded by buffer.memory', async () => {
  const p = new TickingProducer()
  try {
    const s = await runPerfProduce(p, {topic: 't', numRecords: 200_000, recordSize: 100, throughput: -1, maxPendingBytes: 1024 * 1024})
    assert.equal(s.records, 200_000)
    assert.equal(s.failed, 0)
    assert.equal(s.bytes, 20_000_000)
    assert.equal(p.sent, 200_000)
    // 1 MiB / (100 + 72) bytes per record.
    assert.ok(p.maxInFlight <= Math.floor((1024 * 1024) / 172), `max in flight ${p.maxInFlight}`)
    assert.ok(s.p50Ms <= s.p99Ms && s.p99Ms <= s.maxLatencyMs + 0.01)
  } finally {
    p.stop()
  }
})

test('perf loop: --throughput limits the rate', async () => {
  const p = new TickingProducer()
  try {
    const t0 = performance.now()
    const s = await runPerfProduce(p, {topic: 't', numRecords: 300, recordSize: 10, throughput: 1000, maxPendingBytes: 1 << 20})
    const ms = performance.now() - t0
    assert.equal(s.records, 300)
    // 300 records at 1000/s: the last is due at 299 ms.
    assert.ok(ms >= 290, `took ${ms} ms`)
    assert.ok(s.recordsPerSec <= 1050, `${s.recordsPerSec} records/s`)
  } finally {
    p.stop()
  }
})

test('perf loop: failures are counted and reported, not timed', async () => {
  const p = new TickingProducer()
  p.failEvery = 1
  const errors: string[] = []
  try {
    const s = await runPerfProduce(p, {topic: 't', numRecords: 50, recordSize: 10, throughput: -1, maxPendingBytes: 1 << 20, onError: (e) => errors.push(e.message)})
    assert.deepEqual([s.records, s.failed, errors.length], [0, 50, 50])
  } finally {
    p.stop()
  }
})

test('payload: the requested size of capital letters', () => {
  const p = makePayload(1000)
  assert.equal(p.length, 1000)
  assert.ok(p.every((b) => b >= 65 && b <= 90))
  assert.equal(makePayload(0).length, 0)
})
