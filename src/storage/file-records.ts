/**
 * FileRecords (Kafka's name for a segment's .log file seen as batches): the read-side searches over
 * the file -- the batch holding an offset, the batch headers from a position, the first batch reaching
 * a timestamp -- and the walks over fetched bytes that cut them at whole batches. Plain functions of an
 * fd and buffers, kept apart from LogSegment so the class holds the append, index and file lifecycle.
 */
import {LAST_OFFSET_DELTA, MAX_TIMESTAMP, BASE_OFFSET, LOG_OVERHEAD, BATCH_LENGTH} from '../records/batch-header.js'
import {scanBatches, type ScanEnd} from './batch-scan.js'

/** Where a batch lives in the file. */
export interface BatchLocation {
  position: number
  size: number
  baseOffset: bigint
  lastOffset: bigint
  maxTimestamp: bigint
}

/** Bytes read from a segment and the offset after the last whole batch in them. */
export interface SegmentRead {
  buf: Buffer
  nextOffset: bigint
  /** True when the read stopped before the end of the segment (size limit or upper bound). */
  stoppedEarly: boolean
}

/** The first batch in [from, end) of the file open at `fd` whose last offset is >= `offset`; null if none. */
export function searchForOffset(fd: number, from: number, end: number, offset: bigint): BatchLocation | null {
  const it = scanBatches(fd, from, end, false)
  for (let r = it.next(); !r.done; r = it.next()) {
    const {buf, off, position, size} = r.value
    const base = buf.readBigInt64BE(off + BASE_OFFSET)
    const last = base + BigInt(buf.readInt32BE(off + LAST_OFFSET_DELTA))
    if (last >= offset) return {position, size, baseOffset: base, lastOffset: last, maxTimestamp: buf.readBigInt64BE(off + MAX_TIMESTAMP)}
  }
  return null
}

/** Every batch header in [position, end) of the file open at `fd`; the return value says why the walk stopped. */
export function* batchHeadersFrom(fd: number, position: number, end: number): Generator<BatchLocation, ScanEnd> {
  const it = scanBatches(fd, position, end, false)
  for (;;) {
    const r = it.next()
    if (r.done) return r.value
    const {buf, off, size} = r.value
    const base = buf.readBigInt64BE(off + BASE_OFFSET)
    yield {position: r.value.position, size, baseOffset: base, lastOffset: base + BigInt(buf.readInt32BE(off + LAST_OFFSET_DELTA)),
      maxTimestamp: buf.readBigInt64BE(off + MAX_TIMESTAMP)}
  }
}

/** The first batch in [position, end) ending at or after `startingOffset` whose max timestamp is >= `timestamp`. */
export function searchForTimestamp(fd: number, position: number, end: number, timestamp: bigint, startingOffset: bigint): BatchLocation | null {
  const it = batchHeadersFrom(fd, position, end)
  for (let r = it.next(); !r.done; r = it.next()) {
    if (r.value.maxTimestamp >= timestamp && r.value.lastOffset >= startingOffset) return r.value
  }
  return null
}

/**
 * End of the whole batches at the start of `buf`, stopping before the first one whose base offset is
 * >= `maxOffset` when `checkBound` is set.
 */
export function wholeBatchesEnd(buf: Buffer, maxOffset: bigint, checkBound: boolean): number {
  let p = 0
  while (p + LOG_OVERHEAD <= buf.length) {
    const size = buf.readInt32BE(p + BATCH_LENGTH) + LOG_OVERHEAD
    if (p + size > buf.length || size <= LOG_OVERHEAD) break
    if (checkBound && buf.readBigInt64BE(p + BASE_OFFSET) >= maxOffset) break
    p += size
  }
  return p
}

/** The offset after the last batch of a non-empty buffer of whole batches. */
export function nextOffsetAfter(buf: Buffer): bigint {
  let p = 0
  for (;;) {
    const size = buf.readInt32BE(p + BATCH_LENGTH) + LOG_OVERHEAD
    if (p + size >= buf.length) return buf.readBigInt64BE(p + BASE_OFFSET) + BigInt(buf.readInt32BE(p + LAST_OFFSET_DELTA)) + 1n
    p += size
  }
}
