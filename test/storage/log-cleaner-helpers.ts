// Shared by the cleaner tests: keyed batches, reading a log back record by record, and a compacted log config.
import {encodeRecordBatch, decodeRecordBatches, CompressionType, type RecordBatch} from '../../src/records/index.js'
import type {Log} from '../../src/storage/log.js'
import {testConfig} from './helpers.js'
import type {LogConfig} from '../../src/storage/log-config.js'

/** One record to write: value null is a tombstone. */
export interface KV {
  key: string | null
  value: string | null
  ts?: bigint
}

/** A batch of keyed records. */
export function keyedBatch(kvs: KV[], opts: {compression?: CompressionType; producerId?: bigint; epoch?: number; baseSequence?: number; ts?: bigint} = {}): Buffer {
  const ts = opts.ts ?? 1_700_000_000_000n
  return encodeRecordBatch({
    records: kvs.map((r, i) => ({key: r.key, value: r.value, timestamp: r.ts ?? ts + BigInt(i)})),
    compression: opts.compression,
    producerId: opts.producerId,
    producerEpoch: opts.epoch,
    baseSequence: opts.baseSequence,
  })
}

/** A decoded record with what the tests compare. */
export interface ReadRecord {
  offset: bigint
  key: string | null
  value: string | null
  timestamp: bigint
}

/** Every batch of the log from its start, decoded (CRC checked). */
export function readBatches(log: Log): RecordBatch[] {
  const out: RecordBatch[] = []
  let offset = log.logStartOffset
  for (let i = 0; i < 100_000 && offset < log.logEndOffset; i++) {
    const r = log.read(offset, 1 << 20, true)
    if (r.errorCode !== 0 || r.records.length === 0) break
    for (const buf of r.records) {
      for (const b of decodeRecordBatches(buf)) {
        out.push(b)
        offset = b.baseOffset + BigInt(b.lastOffsetDelta) + 1n
      }
    }
  }
  return out
}

/** Every record of the log from its start. */
export function readAll(log: Log): ReadRecord[] {
  return readBatches(log).flatMap((b) => b.records.map((r) => ({
    offset: r.offset, key: r.key === null ? null : r.key.toString(), value: r.value === null ? null : r.value.toString(), timestamp: r.timestamp,
  })))
}

/** The last record per key of a record list, in offset order (what a full compaction keeps, tombstones included). */
export function latestPerKey(records: ReadRecord[]): ReadRecord[] {
  const last = new Map<string | null, ReadRecord>()
  for (const r of records) if (r.key !== null) last.set(r.key, r)
  return [...last.values()].sort((a, b) => (a.offset < b.offset ? -1 : 1))
}

/** A compacted small-segment config. */
export function compactConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return testConfig({cleanupPolicy: 'compact', segmentBytes: 2048, indexIntervalBytes: 256, minCleanableDirtyRatio: 0.01, ...overrides})
}
