/**
 * LogSegment: one `<baseOffset>.log` file of concatenated v2 record batches (stored exactly as appended)
 * with its `.index` and `.timeindex`. Owned by its Log, which is the only caller; the segment keeps its
 * .log fd open for the life of the segment (appends with writeSync, reads with readSync; the OS page
 * cache is the cache). The batch searches over the file are in file-records.ts.
 */
import {closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, rmSync, statSync} from 'node:fs'
import {BASE_OFFSET, LOG_OVERHEAD, BATCH_LENGTH} from '../records/batch-header.js'
import {INDEX_SUFFIX, LOG_SUFFIX, TIME_INDEX_SUFFIX, fsyncPathsAsync, readFully, segmentPath, writeFully} from './file-util.js'
import {OffsetIndex} from './offset-index.js'
import {TimeIndex} from './time-index.js'
import type {ScanEnd} from './batch-scan.js'
import {batchHeadersFrom, nextOffsetAfter, searchForOffset, searchForTimestamp, wholeBatchesEnd, type BatchLocation,
  type SegmentRead} from './file-records.js'

export type {BatchLocation, SegmentRead} from './file-records.js'

/** Segment-level settings taken from the LogConfig when the segment is created. */
export interface SegmentConfig {
  indexIntervalBytes: number
  segmentIndexBytes: number
}

const INT32_MAX = 0x7fffffffn

/** One segment of a partition log. */
export class LogSegment {
  readonly logPath: string
  /** Bytes in the .log file. */
  size: number
  /** Offset after the last batch (baseOffset when empty); exact for the active segment, set by the Log for others. */
  nextOffset: bigint
  /** Largest batch max timestamp seen so far (-1 when unknown) and the last offset of the batch holding it. */
  maxTimestampSoFar = -1n
  offsetOfMaxTimestampSoFar: bigint
  /** Clock time of the first append (or of opening a non-empty segment): segment.ms counts from here. */
  createdMs: number
  readonly offsetIndex: OffsetIndex
  readonly timeIndex: TimeIndex
  private fd: number
  private bytesSinceLastIndexEntry = 0
  private readonly indexIntervalBytes: number
  /** The (offset, position) where the last sequential read ended: a tailing consumer's next fetch needs no lookup. */
  private readHint: {offset: bigint; position: number} | null = null

  private constructor(readonly dir: string, readonly baseOffset: bigint, config: SegmentConfig, now: number) {
    this.logPath = segmentPath(dir, baseOffset, LOG_SUFFIX)
    this.fd = openSync(this.logPath, 'a+')
    this.size = fstatSync(this.fd).size
    this.nextOffset = baseOffset
    this.offsetOfMaxTimestampSoFar = baseOffset
    this.createdMs = now
    this.indexIntervalBytes = config.indexIntervalBytes
    this.offsetIndex = new OffsetIndex(segmentPath(dir, baseOffset, INDEX_SUFFIX), baseOffset, config.segmentIndexBytes)
    this.timeIndex = new TimeIndex(segmentPath(dir, baseOffset, TIME_INDEX_SUFFIX), baseOffset, config.segmentIndexBytes)
  }

  /** Creates a new empty segment (all three files). */
  static create(dir: string, baseOffset: bigint, config: SegmentConfig, now: number): LogSegment {
    const seg = new LogSegment(dir, baseOffset, config, now)
    if (seg.size !== 0) throw new Error(`segment ${seg.logPath} already exists`)
    seg.offsetIndex.reset()
    seg.timeIndex.reset()
    seg.offsetIndex.ensureFile()
    seg.timeIndex.ensureFile()
    return seg
  }

  /** Opens an existing segment; the caller then loads its tail or recovers it. */
  static open(dir: string, baseOffset: bigint, config: SegmentConfig, now: number): LogSegment {
    const seg = new LogSegment(dir, baseOffset, config, now)
    // A closed segment's max timestamp is its time index's last entry (Kafka writes it when the segment becomes inactive).
    const last = seg.timeIndex.hasPartialEntry() ? null : seg.timeIndex.lastEntry()
    if (last && last.timestamp >= 0n) {
      seg.maxTimestampSoFar = last.timestamp
      seg.offsetOfMaxTimestampSoFar = last.offset
    }
    return seg
  }

  /** Largest timestamp for time retention: the max batch timestamp, or the file's mtime when no batch has one (like Kafka). */
  get largestTimestamp(): bigint {
    if (this.maxTimestampSoFar >= 0n) return this.maxTimestampSoFar
    return BigInt(Math.floor(statSync(this.logPath).mtimeMs))
  }

  /** True when an offset can be stored relative to this segment's base (int32). */
  canConvertToRelativeOffset(offset: bigint): boolean {
    const rel = offset - this.baseOffset
    return rel >= 0n && rel <= INT32_MAX
  }

  /**
   * Appends one batch whose offsets are already assigned. Index rule as Kafka: when more than
   * index.interval.bytes were appended since the last index entry, this batch (its last offset ->
   * its start position) gets an offset index entry and the max timestamp so far a time index entry.
   */
  append(batch: Buffer, lastOffset: bigint, maxTimestamp: bigint, now: number): void {
    const position = this.size
    if (position === 0) this.createdMs = now
    writeFully(this.fd, batch)
    this.rebuildStep(position, batch.length, lastOffset, maxTimestamp)
    this.size = position + batch.length
  }

  /** Reads `length` bytes at `position` into a new Buffer (fewer at end of file). */
  readAt(position: number, length: number, allocate: (length: number) => Buffer = Buffer.allocUnsafe): Buffer {
    const buf = allocate(length)
    const n = readFully(this.fd, buf, 0, length, position)
    return n === length ? buf : buf.subarray(0, n)
  }

  /** The first batch whose last offset is >= `offset`, found via the index then a header scan; null if none. */
  findBatch(offset: bigint, startPosition?: number): BatchLocation | null {
    return searchForOffset(this.fd, startPosition ?? this.offsetIndex.lookup(offset).position, this.size, offset)
  }

  /** Position of the batch holding `offset` (or the first batch after it), or null when it is past this segment. */
  positionOf(offset: bigint): number | null {
    if (this.readHint && this.readHint.offset === offset && this.readHint.position < this.size) return this.readHint.position
    const loc = this.findBatch(offset)
    return loc ? loc.position : null
  }

  /**
   * Reads whole batches starting at `position` (a batch start): at most `maxBytes`, but the whole first
   * batch when `minOneBatch`; stops before the first batch whose base offset is >= `maxOffset`.
   */
  readFrom(position: number, maxBytes: number, minOneBatch: boolean, maxOffset: bigint, allocate?: (length: number) => Buffer): SegmentRead {
    const available = this.size - position
    let buf = this.readAt(position, Math.max(0, Math.min(available, maxBytes)), allocate)
    // Only the active segment's tail can hold offsets at or past the bound, so skip the check otherwise.
    let end = wholeBatchesEnd(buf, maxOffset, maxOffset < this.nextOffset)
    if (end === 0 && minOneBatch && available >= LOG_OVERHEAD) {
      // The first batch alone is larger than maxBytes: return it whole, as Kafka does for progress.
      const head = buf.length >= LOG_OVERHEAD ? buf : this.readAt(position, LOG_OVERHEAD)
      const first = head.readInt32BE(BATCH_LENGTH) + LOG_OVERHEAD
      if (head.readBigInt64BE(BASE_OFFSET) < maxOffset && first <= available) {
        buf = this.readAt(position, first)
        end = first
      }
    }
    if (end === 0) return {buf: buf.subarray(0, 0), nextOffset: -1n, stoppedEarly: true}
    const out = buf.subarray(0, end)
    const nextOffset = nextOffsetAfter(out)
    const endPosition = position + end
    this.readHint = {offset: nextOffset, position: endPosition}
    return {buf: out, nextOffset, stoppedEarly: endPosition < this.size}
  }

  /** Every batch header from `position` to the end (used by tail loading). */
  headersFrom(position: number): Generator<BatchLocation, ScanEnd> {
    return batchHeadersFrom(this.fd, position, this.size)
  }

  /**
   * The first batch (at or after `startingOffset`) whose max timestamp is >= `timestamp`: the time index
   * gives an offset below which every timestamp is <= the target, the offset index a position for it.
   */
  findBatchByTimestamp(timestamp: bigint, startingOffset: bigint): BatchLocation | null {
    const entry = this.timeIndex.lookup(timestamp)
    const from = entry.offset > startingOffset ? entry.offset : startingOffset
    return searchForTimestamp(this.fd, this.offsetIndex.lookup(from).position, this.size, timestamp, startingOffset)
  }

  /**
   * Loads the state a clean segment does not store: next offset and max timestamp of the batches after
   * the last index entry, and the bytes since that entry. Returns why the tail is unreadable, or null.
   */
  loadTail(): string | null {
    const last = this.offsetIndex.lastEntry()
    let next: bigint | null = null
    const it = this.headersFrom(last.position)
    let r = it.next()
    for (; !r.done; r = it.next()) {
      const b = r.value
      if (b.maxTimestamp > this.maxTimestampSoFar) {
        this.maxTimestampSoFar = b.maxTimestamp
        this.offsetOfMaxTimestampSoFar = b.lastOffset
      }
      next = b.lastOffset + 1n
    }
    if (r.value.reason !== 'end') return `${r.value.reason === 'incomplete' ? 'incomplete batch' : 'invalid batch length'} at byte ${r.value.position}`
    this.nextOffset = next ?? this.baseOffset
    this.bytesSinceLastIndexEntry = this.offsetIndex.entries === 0 ? this.size : this.size - last.position
    return null
  }

  /** Cuts the .log file at `position` (a batch boundary) and drops index entries at or past it. */
  truncateToPosition(position: number, nextOffset: bigint): void {
    ftruncateSync(this.fd, position)
    this.size = position
    this.offsetIndex.truncateToPosition(position)
    this.timeIndex.truncateToOffset(nextOffset)
    this.readHint = null
    const t = this.timeIndex.lastEntry()
    this.maxTimestampSoFar = t.timestamp
    this.offsetOfMaxTimestampSoFar = t.offset
    // Re-derive next offset, max timestamp and index spacing from what is left.
    const problem = this.loadTail()
    if (problem) throw new Error(`segment ${this.logPath} after truncation: ${problem}`)
    if (this.size === 0) this.nextOffset = nextOffset
  }

  /** Resets the index state before recovery rebuilds it batch by batch. */
  beginRebuild(): void {
    this.offsetIndex.reset()
    this.timeIndex.reset()
    this.maxTimestampSoFar = -1n
    this.offsetOfMaxTimestampSoFar = this.baseOffset
    this.bytesSinceLastIndexEntry = 0
    this.readHint = null
  }

  /** Indexes one batch already in the file at `position`: append's index rule, and recovery's per-batch step. */
  rebuildStep(position: number, size: number, lastOffset: bigint, maxTimestamp: bigint): void {
    if (maxTimestamp > this.maxTimestampSoFar) {
      this.maxTimestampSoFar = maxTimestamp
      this.offsetOfMaxTimestampSoFar = lastOffset
    }
    if (this.bytesSinceLastIndexEntry > this.indexIntervalBytes) {
      this.offsetIndex.append(lastOffset, position)
      this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar)
      this.bytesSinceLastIndexEntry = 0
    }
    this.bytesSinceLastIndexEntry += size
    this.nextOffset = lastOffset + 1n
  }

  /** Ends a rebuild: cuts the file at `validBytes` and writes the final time index entry. */
  endRebuild(validBytes: number): void {
    if (validBytes < this.size) {
      ftruncateSync(this.fd, validBytes)
      this.size = validBytes
    }
    if (this.size === 0) this.nextOffset = this.baseOffset
    this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar, true)
    this.offsetIndex.ensureFile()
    this.timeIndex.ensureFile()
  }

  /** The fd, for recovery's whole-batch scan. */
  get fileDescriptor(): number {
    return this.fd
  }

  /** The segment stops being the active one: index its final max timestamp (as Kafka does) and stop index appends. */
  onBecomeInactive(): void {
    this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar, true)
    this.offsetIndex.closeForAppend()
    this.timeIndex.closeForAppend()
  }

  /** fsyncs the log and both indexes. */
  flush(): void {
    fsyncSync(this.fd)
    this.offsetIndex.flush()
    this.timeIndex.flush()
  }

  /** fsyncs the segment's files in the thread pool (after a roll), then calls `done`; errors are passed on, not thrown. */
  flushAsync(done: (err: Error | null) => void): void {
    fsyncPathsAsync([this.logPath, this.offsetIndex.path, this.timeIndex.path], done)
  }

  /** Closes the files (writes the final time index entry first). */
  close(): void {
    if (this.fd < 0) return
    this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar, true)
    this.closeHandles()
  }

  /** Closes without touching the files (used before deleting them). */
  closeHandles(): void {
    if (this.fd < 0) return
    closeSync(this.fd)
    this.fd = -1
    this.offsetIndex.close()
    this.timeIndex.close()
  }

  /** Deletes the segment's three files. */
  delete(): void {
    this.closeHandles()
    rmSync(this.logPath, {force: true})
    rmSync(this.offsetIndex.path, {force: true})
    rmSync(this.timeIndex.path, {force: true})
  }
}
