// Shared helpers of the storage tests: temp dirs, hand-made v2 batches, a fake clock, a capturing logger.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {encodeRecordBatch} from '../../src/records/record-batch.js'
import {defaultLogConfig, type LogConfig} from '../../src/storage/log-config.js'

/** A fresh temp dir; `cleanup` removes it. */
export function tempDir(): {dir: string; cleanup: () => void} {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-storage-'))
  return {dir, cleanup: () => rmSync(dir, {recursive: true, force: true})}
}

/** A valid v2 batch of `count` records of `valueSize` bytes; timestamps default to `ts`, ts+1, ... */
export function makeBatch(count: number, opts: {valueSize?: number; ts?: bigint; timestamps?: bigint[]; tag?: string} = {}): Buffer {
  const ts = opts.ts ?? 1_700_000_000_000n
  const size = opts.valueSize ?? 100
  return encodeRecordBatch({
    records: Array.from({length: count}, (_, i) => {
      const label = `${opts.tag ?? 'v'}-${i}-`
      return {
        value: Buffer.from(label.padEnd(size, 'x').slice(0, Math.max(size, label.length))),
        timestamp: opts.timestamps ? opts.timestamps[i] : ts + BigInt(i),
      }
    }),
  })
}

/** A settable milliseconds clock. */
export class FakeClock {
  constructor(public ms = 1_700_000_000_000) {}
  readonly now = (): number => this.ms
  advance(ms: number): void {
    this.ms += ms
  }
}

/** A logger that records every line. */
export function captureLogger(): {logger: (level: 'info' | 'warn' | 'error', msg: string) => void; lines: string[]} {
  const lines: string[] = []
  return {lines, logger: (level, msg) => lines.push(`${level}: ${msg}`)}
}

/** A small-segment config for tests. */
export function testConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return defaultLogConfig({segmentBytes: 4096, indexIntervalBytes: 512, ...overrides})
}

/** The offsets of every batch in a buffer of concatenated batches: [baseOffset, lastOffset][]. */
export function batchRanges(bufs: Buffer[]): [bigint, bigint][] {
  const out: [bigint, bigint][] = []
  for (const buf of bufs) {
    let p = 0
    while (p + 12 <= buf.length) {
      const size = buf.readInt32BE(p + 8) + 12
      if (p + size > buf.length) break
      const base = buf.readBigInt64BE(p)
      out.push([base, base + BigInt(buf.readInt32BE(p + 23))])
      p += size
    }
  }
  return out
}
