/**
 * Crash-safe replacement of cleaned segments, as Kafka's: the cleaner writes `<base>.log.cleaned` (and
 * its .index/.timeindex), fsyncs them, then the swap renames them to `.swap` -- the rename of the .log
 * is the commit point -- removes the old segments, and renames the swaps to their final names. After a
 * kill -9 at any step the loader (completeSwaps) finds either no `.log.swap` (old segments intact,
 * `.cleaned` leftovers removed) or one, whose replaced segments it removes before renaming it in place.
 */
import {closeSync, existsSync, openSync, readdirSync, renameSync, rmSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {BASE_OFFSET, LAST_OFFSET_DELTA} from '../records/batch-header.js'
import {scanBatches} from './batch-scan.js'
import {INDEX_SUFFIX, LOG_SUFFIX, TIME_INDEX_SUFFIX, fsyncDir, segmentPath} from './file-util.js'

export const CLEANED_SUFFIX = '.cleaned'
export const SWAP_SUFFIX = '.swap'
const SEGMENT_SUFFIXES = [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]

/** Steps of a swap, reported to `onStep` (tests throw there to simulate a crash). */
export type SwapStep = 'swap-renamed' | 'old-deleted' | 'done'

/** Path of one of the cleaned segment's files, e.g. `<dir>/00000000000000000000.log.cleaned`. */
export function cleanedPath(dir: string, baseOffset: bigint, suffix: string): string {
  return segmentPath(dir, baseOffset, suffix) + CLEANED_SUFFIX
}

/** Removes the files of an abandoned cleaning. */
export function discardCleaned(dir: string, baseOffset: bigint): void {
  for (const s of SEGMENT_SUFFIXES) rmSync(cleanedPath(dir, baseOffset, s), {force: true})
}

function removeSegmentFiles(dir: string, baseOffset: bigint): void {
  for (const s of SEGMENT_SUFFIXES) rmSync(segmentPath(dir, baseOffset, s), {force: true})
}

/**
 * Puts the fsynced cleaned segment at `baseOffset` in place of the segments at `oldBases` (whose
 * handles the caller closed). Synchronous, so nothing on the event loop sees a half-swapped dir.
 */
export function swapInCleaned(dir: string, baseOffset: bigint, oldBases: readonly bigint[], onStep?: (step: SwapStep) => void): void {
  // Indexes first: a .log.swap is only ever next to complete index swaps (the loader rebuilds them anyway).
  for (const s of [INDEX_SUFFIX, TIME_INDEX_SUFFIX, LOG_SUFFIX]) {
    renameSync(cleanedPath(dir, baseOffset, s), segmentPath(dir, baseOffset, s) + SWAP_SUFFIX)
  }
  fsyncDir(dir)
  onStep?.('swap-renamed')
  for (const b of oldBases) removeSegmentFiles(dir, b)
  onStep?.('old-deleted')
  for (const s of [INDEX_SUFFIX, TIME_INDEX_SUFFIX, LOG_SUFFIX]) renameSync(segmentPath(dir, baseOffset, s) + SWAP_SUFFIX, segmentPath(dir, baseOffset, s))
  fsyncDir(dir)
  onStep?.('done')
}

/** Last offset of the batches in a segment file (baseOffset - 1 when it holds none). */
function lastOffsetInFile(path: string, baseOffset: bigint): bigint {
  const fd = openSync(path, 'r')
  try {
    let last = baseOffset - 1n
    const it = scanBatches(fd, 0, statSync(path).size, false)
    for (let r = it.next(); !r.done; r = it.next()) {
      last = r.value.buf.readBigInt64BE(r.value.off + BASE_OFFSET) + BigInt(r.value.buf.readInt32BE(r.value.off + LAST_OFFSET_DELTA))
    }
    return last
  } finally {
    closeSync(fd)
  }
}

/**
 * Loader step: finishes every committed swap in `dir` (a `<base>.log.swap`): removes the segments it
 * replaced (base offsets in [base, its last offset]) and the index files of its own base, which are
 * stale, then renames it in place; its indexes are rebuilt by the loader since they are missing.
 * Index swaps without a log swap belong to an uncommitted cleaning and are removed. Returns the
 * base offsets of the swapped-in segments.
 */
export function completeSwaps(dir: string): bigint[] {
  const names = readdirSync(dir)
  const done: bigint[] = []
  for (const n of names) {
    const m = /^(\d{20})\.log\.swap$/.exec(n)
    if (!m) continue
    const base = BigInt(m[1])
    const swap = join(dir, n)
    const last = lastOffsetInFile(swap, base)
    for (const other of names) {
      const o = /^(\d{20})\.log$/.exec(other)
      if (!o) continue
      const b = BigInt(o[1])
      if (b >= base && b <= (last < base ? base : last)) removeSegmentFiles(dir, b)
    }
    removeSegmentFiles(dir, base)
    renameSync(swap, segmentPath(dir, base, LOG_SUFFIX))
    done.push(base)
  }
  for (const n of readdirSync(dir)) if (/^\d{20}\.(index|timeindex)\.swap$/.test(n)) rmSync(join(dir, n), {force: true})
  if (done.length > 0) fsyncDir(dir)
  return done
}

/** True when a cleaned segment's .log exists (tests). */
export function hasCleaned(dir: string, baseOffset: bigint): boolean {
  return existsSync(cleanedPath(dir, baseOffset, LOG_SUFFIX))
}
