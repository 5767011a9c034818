/**
 * Record-level work of the LogCleaner on v2 batches: a walker over a records section that exposes each
 * record's byte range, key and value without allocating, the rule of what a cleaning keeps (Kafka's
 * shouldRetainRecord), and the rewrite of a batch from the records it keeps: same base offset, same
 * lastOffsetDelta (so an idempotent producer's sequence numbers survive), record bytes copied as they
 * are, recompressed with the batch's codec and a new CRC.
 */
import {ATTRIBUTES, BASE_OFFSET, BASE_TIMESTAMP, BATCH_LENGTH, COMPRESSION_MASK, CONTROL_BIT, CRC, DELETE_HORIZON_BIT,
  HEADER_SIZE, LAST_OFFSET_DELTA, LOG_OVERHEAD, MAX_TIMESTAMP, PRODUCER_ID, RECORDS_COUNT, TIMESTAMP_TYPE_BIT} from '../records/batch-header.js'
import {CompressionType, compress, decompress} from '../records/compression.js'
import {crc32c} from '../records/crc32c.js'
import {CorruptRecordError} from '../records/errors.js'
import {varlongSize, varintSize, writeVarint, writeVarlong} from '../records/varint.js'
import type {SkimpyOffsetMap} from './log-cleaner-offset-map.js'

/** Walks the records of one (decompressed) records section; fields describe the current record. */
export class RecordWalker {
  private pos = 0
  private left = 0
  /** Byte range of the whole record, length prefix included. */
  start = 0
  end = 0
  /** Position of the record's attributes byte. */
  attributesAt = 0
  /** Where offsetDelta begins: the record bytes after its timestamp delta. */
  afterTimestamp = 0
  timestampDelta = 0
  offsetDelta = 0
  /** Key position and length (-1: null key). */
  keyStart = 0
  keyLength = -1
  /** -1: null value (a tombstone). */
  valueLength = -1

  constructor(private section: Buffer = Buffer.alloc(0), count = 0) {
    this.reset(section, count)
  }

  /** Starts over on another section of `count` records. */
  reset(section: Buffer, count: number): void {
    this.section = section
    this.pos = 0
    this.left = count
  }

  /** True while bytes remain in the section (for walking a slice of records whose count is not known). */
  hasMore(): boolean {
    return this.pos < this.section.length
  }

  /** Moves to the next record; false after the last. Throws CorruptRecordError on malformed bytes. */
  next(): boolean {
    if (this.left <= 0) {
      if (this.pos !== this.section.length) throw new CorruptRecordError(`${this.section.length - this.pos} bytes after the last record`)
      return false
    }
    this.left--
    this.start = this.pos
    const len = this.varint()
    if (len <= 0 || this.pos + len > this.section.length) throw new CorruptRecordError(`record length ${len} overruns its section`)
    this.end = this.pos + len
    this.attributesAt = this.pos++
    this.timestampDelta = this.varlong()
    this.afterTimestamp = this.pos
    this.offsetDelta = this.varint()
    this.keyLength = this.varint()
    this.keyStart = this.pos
    if (this.keyLength > 0) this.pos += this.keyLength
    this.valueLength = this.varint()
    if (this.pos > this.end || this.keyLength < -1 || this.valueLength < -1 || this.pos + Math.max(0, this.valueLength) > this.end) {
      throw new CorruptRecordError('record fields overrun the record')
    }
    this.pos = this.end
    return true
  }

  private varint(): number {
    const buf = this.section
    let result = 0
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= buf.length) break
      const b = buf[this.pos++]
      result |= (b & 0x7f) << shift
      if (b < 0x80) return (result >>> 1) ^ -(result & 1)
    }
    throw new CorruptRecordError('malformed varint')
  }

  /** A zigzag varlong as a number (timestamp deltas are far below 2^53). */
  private varlong(): number {
    const buf = this.section
    let z = 0
    let mul = 1
    for (let i = 0; i < 10; i++) {
      if (this.pos >= buf.length) break
      const b = buf[this.pos++]
      z += (b & 0x7f) * mul
      if (b < 0x80) return z % 2 === 0 ? z / 2 : -(z + 1) / 2
      mul *= 0x80
    }
    throw new CorruptRecordError('malformed varlong')
  }
}

/** The records section of the batch at buf[pos, pos + size), decompressed if needed. */
export function recordsSection(buf: Buffer, pos: number, size: number): Buffer {
  const compression = (buf.readInt16BE(pos + ATTRIBUTES) & COMPRESSION_MASK) as CompressionType
  const raw = buf.subarray(pos + HEADER_SIZE, pos + size)
  return compression === CompressionType.None ? raw : decompress(compression, raw)
}

/** Why a batch cannot go into a compacted topic (a record without a key), or null. Kafka answers INVALID_RECORD. */
export function compactedBatchProblem(buf: Buffer, pos: number, size: number): string | null {
  if ((buf.readInt16BE(pos + ATTRIBUTES) & CONTROL_BIT) !== 0) return null
  const w = new RecordWalker(recordsSection(buf, pos, size), buf.readInt32BE(pos + RECORDS_COUNT))
  while (w.next()) if (w.keyLength < 0) return 'Compacted topic cannot accept message without key'
  return null
}

/** What one cleaning knows when it filters a batch. */
export interface FilterContext {
  map: SkimpyOffsetMap
  now: number
  deleteRetentionMs: number
  /** Producer id -> last offset of its newest batch: that batch stays (maybe empty) so the producer's state survives. */
  lastBatchOfProducer: Map<bigint, bigint>
}

/** Result of filtering one batch. */
export interface FilterResult {
  /** The batch to write (the original bytes when nothing changed), or null when it goes away. */
  batch: Buffer | null
  recordsRead: number
  recordsKept: number
  /** Delete horizon of the batch when it keeps tombstones (they go at the first cleaning after it), else -1. */
  tombstoneHorizon: number
}

const walker = new RecordWalker()

/**
 * Applies Kafka's retention rule to the batch at buf[pos, pos + size): a record stays when it has a key,
 * no later offset of its key is in the map, and it is not a tombstone past the batch's delete horizon.
 * A batch that keeps tombstones gets a delete horizon (now + delete.retention.ms) the first time.
 * Control batches are kept as they are (no transactions here).
 */
export function filterBatch(buf: Buffer, pos: number, size: number, ctx: FilterContext): FilterResult {
  const attributes = buf.readInt16BE(pos + ATTRIBUTES)
  const count = buf.readInt32BE(pos + RECORDS_COUNT)
  if ((attributes & CONTROL_BIT) !== 0) return {batch: buf.subarray(pos, pos + size), recordsRead: count, recordsKept: count, tombstoneHorizon: -1}
  const baseOffset = Number(buf.readBigInt64BE(pos + BASE_OFFSET))
  const baseTimestamp = Number(buf.readBigInt64BE(pos + BASE_TIMESTAMP))
  const hasHorizon = (attributes & DELETE_HORIZON_BIT) !== 0
  const section = recordsSection(buf, pos, size)
  walker.reset(section, count)
  // Retained records as [start, end) runs of the section, so consecutive kept records are copied at once.
  const runs: number[] = []
  let kept = 0
  let read = 0
  let tombstones = 0
  let maxTimestamp = -Infinity
  while (walker.next()) {
    read++
    if (walker.keyLength < 0) continue // keyless records have no place in a compacted log
    const offset = baseOffset + walker.offsetDelta
    const latest = ctx.map.get(section, walker.keyStart, walker.keyStart + walker.keyLength)
    if (latest > offset) continue
    if (walker.valueLength < 0) {
      if (hasHorizon && baseTimestamp <= ctx.now) continue
      tombstones++
    }
    kept++
    const ts = baseTimestamp + walker.timestampDelta
    if (ts > maxTimestamp) maxTimestamp = ts
    if (runs.length > 0 && runs[runs.length - 1] === walker.start) runs[runs.length - 1] = walker.end
    else runs.push(walker.start, walker.end)
  }
  const setHorizon = tombstones > 0 && !hasHorizon
  const horizon = tombstones === 0 ? -1 : hasHorizon ? baseTimestamp : ctx.now + ctx.deleteRetentionMs
  if (kept === read && !setHorizon) return {batch: buf.subarray(pos, pos + size), recordsRead: read, recordsKept: kept, tombstoneHorizon: horizon}
  if (kept === 0) {
    const producerId = buf.readBigInt64BE(pos + PRODUCER_ID)
    const lastOffset = BigInt(baseOffset + buf.readInt32BE(pos + LAST_OFFSET_DELTA))
    const keep = producerId >= 0n && ctx.lastBatchOfProducer.get(producerId) === lastOffset
    return {batch: keep ? emptyBatch(buf, pos) : null, recordsRead: read, recordsKept: 0, tombstoneHorizon: -1}
  }
  const records = setHorizon ? rebaseRecords(section, runs, baseTimestamp, horizon) : concatRuns(section, runs)
  const logAppendTime = (attributes & TIMESTAMP_TYPE_BIT) !== 0
  const newMax = logAppendTime ? buf.readBigInt64BE(pos + MAX_TIMESTAMP) : BigInt(maxTimestamp)
  const batch = buildBatch(buf, pos, records, kept, newMax, setHorizon ? horizon : null)
  return {batch, recordsRead: read, recordsKept: kept, tombstoneHorizon: horizon}
}

function concatRuns(section: Buffer, runs: number[]): Buffer {
  let total = 0
  for (let i = 0; i < runs.length; i += 2) total += runs[i + 1] - runs[i]
  const out = Buffer.allocUnsafe(total)
  let p = 0
  for (let i = 0; i < runs.length; i += 2) p += section.copy(out, p, runs[i], runs[i + 1])
  return out
}

/** Re-encodes kept records with timestamp deltas relative to the delete horizon, which becomes the base timestamp. */
function rebaseRecords(section: Buffer, runs: number[], baseTimestamp: number, horizon: number): Buffer {
  // Upper bound: a varlong is at most 10 bytes and the length varint grows by at most as much.
  let bound = 0
  for (let i = 0; i < runs.length; i += 2) bound += runs[i + 1] - runs[i]
  const w = new RecordWalker()
  for (let i = 0; i < runs.length; i += 2) {
    w.reset(section.subarray(runs[i], runs[i + 1]), Number.MAX_SAFE_INTEGER)
    while (w.hasMore()) {
      w.next()
      bound += 20
    }
  }
  const out = Buffer.allocUnsafe(bound)
  let p = 0
  for (let i = 0; i < runs.length; i += 2) {
    const run = section.subarray(runs[i], runs[i + 1])
    w.reset(run, Number.MAX_SAFE_INTEGER)
    while (w.hasMore()) {
      w.next()
      const delta = baseTimestamp + w.timestampDelta - horizon
      const bodyLength = 1 + varlongSize(delta) + (w.end - w.afterTimestamp)
      p = writeVarint(out, p, bodyLength)
      out[p++] = run[w.attributesAt]
      p = writeVarlong(out, p, delta)
      p += run.copy(out, p, w.afterTimestamp, w.end)
    }
  }
  return out.subarray(0, p)
}

/** A new batch: the original header with the given records, count, max timestamp and (optional) delete horizon. */
function buildBatch(buf: Buffer, pos: number, records: Buffer, count: number, maxTimestamp: bigint, horizon: number | null): Buffer {
  const attributes = buf.readInt16BE(pos + ATTRIBUTES)
  const compression = (attributes & COMPRESSION_MASK) as CompressionType
  const body = compression === CompressionType.None ? records : compress(compression, records)
  const out = Buffer.allocUnsafe(HEADER_SIZE + body.length)
  buf.copy(out, 0, pos, pos + HEADER_SIZE)
  body.copy(out, HEADER_SIZE)
  out.writeInt32BE(out.length - LOG_OVERHEAD, BATCH_LENGTH)
  if (horizon !== null) {
    out.writeInt16BE(attributes | DELETE_HORIZON_BIT, ATTRIBUTES)
    out.writeBigInt64BE(BigInt(horizon), BASE_TIMESTAMP)
  }
  out.writeBigInt64BE(maxTimestamp, MAX_TIMESTAMP)
  out.writeInt32BE(count, RECORDS_COUNT)
  out.writeUInt32BE(crc32c(out, ATTRIBUTES), CRC)
  return out
}

/** The header alone with no records (Kafka's empty batch): keeps offsets, producer fields and timestamps. */
function emptyBatch(buf: Buffer, pos: number): Buffer {
  const out = Buffer.allocUnsafe(HEADER_SIZE)
  buf.copy(out, 0, pos, pos + HEADER_SIZE)
  out.writeInt32BE(HEADER_SIZE - LOG_OVERHEAD, BATCH_LENGTH)
  out.writeInt16BE(buf.readInt16BE(pos + ATTRIBUTES) & ~COMPRESSION_MASK, ATTRIBUTES)
  out.writeInt32BE(0, RECORDS_COUNT)
  out.writeUInt32BE(crc32c(out, ATTRIBUTES), CRC)
  return out
}
