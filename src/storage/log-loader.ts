/**
 * LogLoader: the steps loadLog (log-open.ts) runs on a partition dir before the Log exists: completes an interrupted
 * cleaner swap, removes leftovers of interrupted operations, lists the segments, sanity-checks their indexes, and after an unclean stop
 * recovers every segment from the recovery point (CRC scan, index rebuild, truncation), reporting
 * each truncation and deleted segment through the logger; then rebuilds the producer state from the
 * newest usable snapshot plus the batches above it.
 */
import {existsSync, readdirSync, rmSync} from 'node:fs'
import {basename, join} from 'node:path'
import {BASE_OFFSET, LAST_OFFSET_DELTA, MAX_TIMESTAMP, PRODUCER_ID} from '../records/batch-header.js'
import {scanBatches} from './batch-scan.js'
import {INDEX_SUFFIX, TIME_INDEX_SUFFIX} from './file-util.js'
import type {LogSegment} from './log-segment.js'
import {readProducerBatch, type ProducerStateManager} from './producer-state.js'
import {recoverSegment} from './segment-recovery.js'
import {completeSwaps} from './log-cleaner-swap.js'

/** `(level, msg)` sink injected by the broker; src/ never writes to the console. */
export type StorageLogger = (level: 'info' | 'warn' | 'error', msg: string) => void

const SEGMENT_NAME = /^(\d{20})\.log$/

/** Splits `<topic>-<partition>` (the topic may itself contain '-'). */
export function parsePartitionDirName(name: string): {topic: string; partition: number} {
  const m = /^(.+)-(\d+)$/.exec(name)
  if (!m) throw new Error(`'${name}' is not a partition directory name (<topic>-<partition>)`)
  return {topic: m[1], partition: Number(m[2])}
}

/**
 * Finishes a committed cleaner swap (see log-cleaner-swap.ts), removes leftovers of interrupted
 * operations (.deleted/.cleaned/.swap/.tmp files, index files without a .log) and lists segment base offsets.
 */
export function cleanDirAndListSegments(dir: string): bigint[] {
  completeSwaps(dir)
  const names = readdirSync(dir)
  const bases = new Set<string>()
  for (const n of names) {
    const m = SEGMENT_NAME.exec(n)
    if (m) bases.add(m[1])
  }
  for (const n of names) {
    if (/\.(deleted|cleaned|swap|tmp)$/.test(n)) rmSync(join(dir, n), {force: true})
    else if ((n.endsWith(INDEX_SUFFIX) || n.endsWith(TIME_INDEX_SUFFIX)) && /^\d{20}\./.test(n) && !bases.has(n.slice(0, 20))) rmSync(join(dir, n), {force: true})
  }
  return [...bases].map((b) => BigInt(b)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/**
 * Brings opened segments to a consistent state: sanity-checks indexes, recovers (CRC scan + index
 * rebuild + truncation) every segment from the recovery point after an unclean stop, and deletes the
 * segments after a truncation. Reports each truncation through the logger.
 */
export function loadSegments(name: string, segs: LogSegment[], recoveryPoint: bigint, clean: boolean, logger: StorageLogger): void {
  let expected = segs.length > 0 ? segs[0].baseOffset : 0n
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]
    const next = i + 1 < segs.length ? segs[i + 1] : null
    const file = basename(seg.logPath)
    let why: string | null = null
    if (!clean && (next === null || next.baseOffset > recoveryPoint)) why = 'unclean shutdown'
    else why = indexProblem(seg, next)
    if (why === null && next === null) {
      const tail = seg.loadTail()
      if (tail) why = tail
    }
    if (why === null) {
      if (next) seg.nextOffset = next.baseOffset
      expected = seg.nextOffset
      continue
    }
    if (why === 'unclean shutdown') logger('info', `${name}: recovering unflushed segment ${file} (${seg.size} bytes)`)
    else logger('warn', `${name}: rebuilding indexes of segment ${file}: ${why}`)
    const r = recoverSegment(seg, expected)
    if (next && r.truncatedBytes === 0) seg.nextOffset = next.baseOffset
    expected = seg.nextOffset
    if (r.truncatedBytes === 0) continue
    logger('warn', `${name}: truncating segment ${file} at byte position ${r.validBytes} (offset ${r.nextOffset}): ` +
      `removed ${r.truncatedBytes} bytes (${r.reason}); ${r.batches} valid batches kept`)
    for (const later of segs.splice(i + 1)) {
      logger('warn', `${name}: deleting segment ${basename(later.logPath)} (${later.size} bytes) after the truncation at offset ${r.nextOffset}`)
      later.delete()
    }
    break
  }
}

/** Why a segment's indexes cannot be trusted (missing file, partial entry, last entry outside the file), or null. */
function indexProblem(seg: LogSegment, next: LogSegment | null): string | null {
  if (seg.size > 0 && (!existsSync(seg.offsetIndex.path) || !existsSync(seg.timeIndex.path))) return 'index file missing'
  const off = seg.offsetIndex.sanityProblem(seg.size)
  if (off) return `offset index: ${off}`
  if (seg.offsetIndex.entries >= 2 && seg.offsetIndex.entryAt(seg.offsetIndex.entries - 2).offset >= seg.offsetIndex.lastEntry().offset) {
    return 'offset index: entries do not increase'
  }
  const time = seg.timeIndex.sanityProblem(next ? next.baseOffset : BigInt('0x7fffffffffffffff'))
  if (time) return `time index: ${time}`
  return null
}

/**
 * Rebuilds `state` for segments that are already loaded: drops snapshots past the log end offset
 * (their data is gone) and strays, loads the newest usable snapshot, then replays the idempotent
 * batches from there (or from the log start offset) to the log end, reading headers only. Returns
 * the offset replay started from and the batches replayed; the caller snapshots the result.
 */
export function rebuildProducerState(state: ProducerStateManager, segs: LogSegment[], logStartOffset: bigint, now: number):
  {from: bigint; to: bigint; batches: number} {
  const leo = segs[segs.length - 1].nextOffset
  state.deleteSnapshotsAbove(leo)
  state.removeStraySnapshots(segs.map((s) => s.baseOffset))
  let from = state.loadLatestSnapshot(now) ?? segs[0].baseOffset
  if (from < logStartOffset) from = logStartOffset
  let batches = 0
  for (const seg of segs) {
    if (from >= leo) break
    if (seg.size === 0 || seg.nextOffset <= from) continue
    const start = seg.baseOffset >= from ? 0 : seg.offsetIndex.lookup(from).position
    const it = scanBatches(seg.fileDescriptor, start, seg.size, false)
    for (let r = it.next(); !r.done; r = it.next()) {
      const {buf, off} = r.value
      // producerId -1 (the common case) has a negative high word: skip without allocating a bigint.
      if (buf.readInt32BE(off + PRODUCER_ID) < 0) continue
      const last = buf.readBigInt64BE(off + BASE_OFFSET) + BigInt(buf.readInt32BE(off + LAST_OFFSET_DELTA))
      if (last < from) continue
      state.onBatch(readProducerBatch(buf, off), last, buf.readBigInt64BE(off + MAX_TIMESTAMP))
      batches++
    }
  }
  return {from, to: leo, batches}
}
