/**
 * Walks the record batches of a segment file without decoding records: reads the file in chunks and
 * yields each batch's position and size with at least its 61-byte header (or the whole batch when
 * `whole` is set, for CRC checks) in a chunk buffer. Used by offset/timestamp lookups (headers only)
 * and by recovery (whole batches).
 */
import {BATCH_LENGTH, HEADER_SIZE, LOG_OVERHEAD} from '../records/batch-header.js'
import {readFully} from './file-util.js'

/** One batch found in the file; `buf[off..]` holds its header (or all of it when scanning whole batches). */
export interface FileBatch {
  position: number
  size: number
  buf: Buffer
  off: number
}

/** Why a scan stopped: reached `end`, found a batch cut short by `end` (torn tail), or a length that cannot be a v2 batch. */
export interface ScanEnd {
  reason: 'end' | 'incomplete' | 'bad-length'
  position: number
}

// Header scans start at an index entry, so they mostly cover index.interval.bytes (4096) plus a batch.
const HEADER_CHUNK = 8 * 1024
const WHOLE_CHUNK = 1024 * 1024
// Header scans run synchronously and never interleave, so they share one buffer instead of allocating per lookup.
const sharedHeaderChunk = Buffer.allocUnsafe(HEADER_CHUNK)

/**
 * Iterates batches in [start, end) of the file open at `fd`; the generator's return value says why it
 * stopped. A yielded `buf` is only valid until the next step, and header scans (whole = false) share a
 * buffer: finish or drop one scan before starting another.
 */
export function* scanBatches(fd: number, start: number, end: number, whole: boolean): Generator<FileBatch, ScanEnd> {
  let chunk = whole ? Buffer.allocUnsafe(WHOLE_CHUNK) : sharedHeaderChunk
  let chunkPos = 0
  let chunkLen = 0
  // Makes [pos, pos + len) available in `chunk` (len <= end - pos), reading ahead as far as the chunk allows.
  const ensure = (pos: number, len: number): void => {
    if (pos >= chunkPos && pos + len <= chunkPos + chunkLen) return
    if (len > chunk.length) chunk = Buffer.allocUnsafe(len)
    chunkPos = pos
    chunkLen = readFully(fd, chunk, 0, Math.min(chunk.length, end - pos), pos)
    if (chunkLen < len) throw new Error(`segment file shorter than expected: wanted ${len} bytes at ${pos}, got ${chunkLen}`)
  }
  let pos = start
  while (pos < end) {
    if (end - pos < LOG_OVERHEAD) return {reason: 'incomplete', position: pos}
    ensure(pos, Math.min(HEADER_SIZE, end - pos))
    const batchLength = chunk.readInt32BE(pos - chunkPos + BATCH_LENGTH)
    if (batchLength < HEADER_SIZE - LOG_OVERHEAD) return {reason: 'bad-length', position: pos}
    const size = batchLength + LOG_OVERHEAD
    if (size > end - pos) return {reason: 'incomplete', position: pos}
    ensure(pos, whole ? size : HEADER_SIZE)
    yield {position: pos, size, buf: chunk, off: pos - chunkPos}
    pos += size
  }
  return {reason: 'end', position: pos}
}
