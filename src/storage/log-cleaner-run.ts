/**
 * One cleaning of one log, Kafka's Cleaner.doClean: build the offset map over the dirty section
 * [firstDirty, firstUncleanable), then rewrite every inactive segment below the map's end, grouped up
 * to segment.bytes, keeping what filterBatch keeps, and swap each group in. The work runs in slices
 * (about `sliceBytes` of input each, then setImmediate) so the broker keeps serving; the old segments
 * are read through the cleaner's own fds and only swapped if the log still holds them unchanged.
 */
import {closeSync, fsyncSync, openSync} from 'node:fs'
import {BASE_OFFSET, CONTROL_BIT, ATTRIBUTES, LAST_OFFSET_DELTA, MAX_TIMESTAMP, RECORDS_COUNT} from '../records/batch-header.js'
import {scanBatches} from './batch-scan.js'
import {INDEX_SUFFIX, LOG_SUFFIX, TIME_INDEX_SUFFIX, fsyncDir, writeFully} from './file-util.js'
import {SkimpyOffsetMap} from './log-cleaner-offset-map.js'
import {RecordWalker, filterBatch, recordsSection, type FilterContext} from './log-cleaner-records.js'
import {cleanedPath, discardCleaned, type SwapStep} from './log-cleaner-swap.js'
import type {Log} from './log.js'
import type {LogSegment} from './log-segment.js'
import {OffsetIndex} from './offset-index.js'
import {TimeIndex} from './time-index.js'

/** Thrown inside a cleaning when the log changed under it (closed, segment gone): the cleaning is dropped. */
export class CleaningAbortedError extends Error {}

/** Figures of one cleaning. */
export interface CleanerStats {
  topic: string
  partition: number
  firstDirtyOffset: bigint
  /** Offsets below this are now clean (the next cleaning's first dirty offset). */
  endOffset: bigint
  bytesRead: number
  bytesWritten: number
  recordsRead: number
  recordsKept: number
  segmentsBefore: number
  segmentsAfter: number
  /** Earliest delete horizon of the tombstones kept (-1: none): the log must be cleaned again after it. */
  nextTombstoneHorizon: number
  /** True when the log changed during the cleaning and a group was not swapped in. */
  aborted: boolean
}

/** Settings of one cleaning. */
export interface CleaningOptions {
  now: number
  firstDirtyOffset: bigint
  firstUncleanableOffset: bigint
  dedupeBufferSize: number
  sliceBytes: number
  onSwapStep?: (step: SwapStep) => void
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** Reads the whole batches of an inactive segment through a private fd, yielding to the loop every sliceBytes. */
async function* segmentBatches(log: Log, seg: LogSegment, size: number, from: number, sliceBytes: number):
  AsyncGenerator<{buf: Buffer; off: number; size: number}> {
  const fd = openSync(seg.logPath, 'r')
  try {
    let sinceYield = 0
    const it = scanBatches(fd, from, size, true)
    for (let r = it.next(); !r.done; r = it.next()) {
      yield {buf: r.value.buf, off: r.value.off, size: r.value.size}
      sinceYield += r.value.size
      if (sinceYield >= sliceBytes) {
        sinceYield = 0
        await yieldToLoop()
        if (log.isClosed || !log.logSegments.includes(seg)) throw new CleaningAbortedError(`segment ${seg.baseOffset} left the log`)
      }
    }
  } finally {
    closeSync(fd)
  }
}

/** Fills `map` with the latest offset of each key in [from, to); returns the offset up to which every record is mapped. */
async function buildOffsetMap(log: Log, segs: readonly LogSegment[], from: bigint, to: bigint, map: SkimpyOffsetMap, sliceBytes: number): Promise<bigint> {
  const walker = new RecordWalker()
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]
    const next = segs[i + 1]
    if (next === undefined || seg.baseOffset >= to || next.baseOffset <= from) continue
    const start = seg.baseOffset >= from ? 0 : seg.offsetIndex.lookup(from).position
    for await (const {buf, off, size} of segmentBatches(log, seg, seg.size, start, sliceBytes)) {
      const base = buf.readBigInt64BE(off + BASE_OFFSET)
      if (base >= to) return to
      if (base + BigInt(buf.readInt32BE(off + LAST_OFFSET_DELTA)) < from) continue
      if ((buf.readInt16BE(off + ATTRIBUTES) & CONTROL_BIT) !== 0) continue
      const count = buf.readInt32BE(off + RECORDS_COUNT)
      if (count > map.remaining) {
        if (map.size === 0) throw new Error(`a batch of ${count} records does not fit the cleaner's offset map (${map.capacity} entries)`)
        return base
      }
      const section = recordsSection(buf, off, size)
      const baseN = Number(base)
      walker.reset(section, count)
      while (walker.next()) {
        if (walker.keyLength >= 0) map.put(section, walker.keyStart, walker.keyStart + walker.keyLength, baseN + walker.offsetDelta)
      }
    }
  }
  return to
}

/**
 * Kafka's groupSegmentsBySize: consecutive segments whose total size fits segment.bytes, total index
 * sizes fit segment.index.bytes, and whose offsets stay within int32 of the group's base offset.
 */
export function groupSegmentsBySize(segs: readonly LogSegment[], nextBaseOf: (i: number) => bigint, maxSize: number, maxIndexSize: number): LogSegment[][] {
  const groups: LogSegment[][] = []
  let i = 0
  while (i < segs.length) {
    const group = [segs[i]]
    let size = segs[i].size
    let indexSize = segs[i].offsetIndex.sizeInBytes
    let timeIndexSize = segs[i].timeIndex.sizeInBytes
    let j = i + 1
    while (j < segs.length && size + segs[j].size <= maxSize && indexSize + segs[j].offsetIndex.sizeInBytes <= maxIndexSize &&
      timeIndexSize + segs[j].timeIndex.sizeInBytes <= maxIndexSize && nextBaseOf(j) - 1n - group[0].baseOffset <= 0x7fffffffn) {
      group.push(segs[j])
      size += segs[j].size
      indexSize += segs[j].offsetIndex.sizeInBytes
      timeIndexSize += segs[j].timeIndex.sizeInBytes
      j++
    }
    groups.push(group)
    i = j
  }
  return groups
}

/** Writes the `.cleaned` files of one group: the log through a 1 MiB buffer, the indexes with the append rule. */
class CleanedSegmentWriter {
  private fd: number
  private readonly out = Buffer.allocUnsafe(1024 * 1024)
  private used = 0
  position = 0
  private bytesSinceIndex = 0
  private maxTimestamp = -1n
  private offsetOfMaxTimestamp: bigint
  readonly offsetIndex: OffsetIndex
  readonly timeIndex: TimeIndex

  constructor(readonly dir: string, readonly baseOffset: bigint, private readonly indexIntervalBytes: number, indexBytes: number) {
    discardCleaned(dir, baseOffset)
    this.fd = openSync(cleanedPath(dir, baseOffset, LOG_SUFFIX), 'w')
    this.offsetOfMaxTimestamp = baseOffset
    this.offsetIndex = new OffsetIndex(cleanedPath(dir, baseOffset, INDEX_SUFFIX), baseOffset, indexBytes)
    this.timeIndex = new TimeIndex(cleanedPath(dir, baseOffset, TIME_INDEX_SUFFIX), baseOffset, indexBytes)
  }

  append(batch: Buffer): void {
    const lastOffset = batch.readBigInt64BE(BASE_OFFSET) + BigInt(batch.readInt32BE(LAST_OFFSET_DELTA))
    const ts = batch.readBigInt64BE(MAX_TIMESTAMP)
    if (ts > this.maxTimestamp) {
      this.maxTimestamp = ts
      this.offsetOfMaxTimestamp = lastOffset
    }
    if (this.bytesSinceIndex > this.indexIntervalBytes) {
      this.offsetIndex.append(lastOffset, this.position)
      this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp)
      this.bytesSinceIndex = 0
    }
    this.bytesSinceIndex += batch.length
    this.position += batch.length
    if (this.used + batch.length > this.out.length) this.flushBuffer()
    if (batch.length > this.out.length) writeFully(this.fd, batch)
    else this.used += batch.copy(this.out, this.used)
  }

  private flushBuffer(): void {
    if (this.used > 0) writeFully(this.fd, this.out.subarray(0, this.used))
    this.used = 0
  }

  /** Writes what is buffered, the final time index entry, and fsyncs all three files. */
  finish(): void {
    this.flushBuffer()
    fsyncSync(this.fd)
    this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp, true)
    this.offsetIndex.ensureFile()
    this.timeIndex.ensureFile()
    this.offsetIndex.flush()
    this.timeIndex.flush()
    this.offsetIndex.close()
    this.timeIndex.close()
    closeSync(this.fd)
    this.fd = -1
    // The swap must only ever see durable bytes.
    for (const s of [INDEX_SUFFIX, TIME_INDEX_SUFFIX]) fsyncPath(cleanedPath(this.dir, this.baseOffset, s))
    fsyncDir(this.dir)
  }

  /** Drops the files (the cleaning was abandoned). */
  abandon(): void {
    if (this.fd >= 0) closeSync(this.fd)
    this.fd = -1
    this.offsetIndex.close()
    this.timeIndex.close()
    discardCleaned(this.dir, this.baseOffset)
  }
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Runs one cleaning of `log` (see file comment). */
export async function cleanLog(log: Log, opts: CleaningOptions): Promise<CleanerStats> {
  const segs = log.logSegments.slice()
  const sizes = new Map(segs.map((s) => [s, s.size]))
  const stats: CleanerStats = {topic: log.topic, partition: log.partition, firstDirtyOffset: opts.firstDirtyOffset,
    endOffset: opts.firstDirtyOffset, bytesRead: 0, bytesWritten: 0, recordsRead: 0, recordsKept: 0,
    segmentsBefore: segs.length, segmentsAfter: segs.length, nextTombstoneHorizon: -1, aborted: false}
  let dirtyBytes = 0
  for (let i = 0; i + 1 < segs.length; i++) {
    if (segs[i + 1].baseOffset > opts.firstDirtyOffset && segs[i].baseOffset < opts.firstUncleanableOffset) dirtyBytes += segs[i].size
  }
  // A record takes at least 8 bytes, so this many entries always suffice; the dedupe buffer caps it.
  const map = new SkimpyOffsetMap(opts.dedupeBufferSize, Math.ceil(dirtyBytes / 8))
  const endOffset = opts.firstDirtyOffset < opts.firstUncleanableOffset
    ? await buildOffsetMap(log, segs, opts.firstDirtyOffset, opts.firstUncleanableOffset, map, opts.sliceBytes)
    : opts.firstDirtyOffset
  stats.endOffset = endOffset
  const lastBatchOfProducer = new Map<bigint, bigint>()
  for (const [pid, entry] of log.producerState.producers) {
    const last = entry.batches[entry.batches.length - 1]
    if (last) lastBatchOfProducer.set(pid, last.lastOffset)
  }
  const ctx: FilterContext = {map, now: opts.now, deleteRetentionMs: log.config.deleteRetentionMs, lastBatchOfProducer}
  const active = segs.length - 1
  const candidates = segs.slice(0, active).filter((s) => s.baseOffset < endOffset)
  const groups = groupSegmentsBySize(candidates, (i) => segs[i + 1].baseOffset, log.config.segmentBytes, log.config.segmentIndexBytes)
  for (const group of groups) {
    const writer = new CleanedSegmentWriter(log.dir, group[0].baseOffset, log.config.indexIntervalBytes, log.config.segmentIndexBytes)
    try {
      for (const seg of group) {
        for await (const {buf, off, size} of segmentBatches(log, seg, sizes.get(seg)!, 0, opts.sliceBytes)) {
          stats.bytesRead += size
          const r = filterBatch(buf, off, size, ctx)
          stats.recordsRead += r.recordsRead
          stats.recordsKept += r.recordsKept
          if (r.tombstoneHorizon >= 0 && (stats.nextTombstoneHorizon < 0 || r.tombstoneHorizon < stats.nextTombstoneHorizon)) {
            stats.nextTombstoneHorizon = r.tombstoneHorizon
          }
          if (r.batch) writer.append(r.batch)
        }
      }
      writer.finish()
    } catch (err) {
      writer.abandon()
      if (err instanceof CleaningAbortedError) {
        stats.aborted = true
        return stats
      }
      throw err
    }
    if (!log.replaceSegments(group, group.map((s) => sizes.get(s)!), opts.onSwapStep)) {
      writer.abandon()
      stats.aborted = true
      return stats
    }
    stats.bytesWritten += writer.position
  }
  stats.segmentsAfter = segs.length - candidates.length + groups.length
  return stats
}
