/** Reading Kafka's segment index files (.index: offset -> position, .timeindex: timestamp -> offset). */
import {readFileSync} from 'node:fs'
import {basename} from 'node:path'

/** One offset index entry, absolute offset. */
export interface OffsetIndexEntry { type: 'index-entry'; offset: bigint; position: number }
/** One time index entry, absolute offset. */
export interface TimeIndexEntry { type: 'timeindex-entry'; timestamp: bigint; offset: bigint }
/** Either index entry. */
export type IndexEntry = OffsetIndexEntry | TimeIndexEntry

/** Base offset from a segment file name (20 digits), or an error when the name is not one. */
export function baseOffsetOf(path: string): bigint {
  const m = /^(\d{1,20})\.[a-z]+$/.exec(basename(path))
  if (!m) throw new Error(`${basename(path)} is not named after a base offset`)
  return BigInt(m[1])
}

/**
 * Decodes every entry of an index file. Kafka preallocates index files of an active segment with
 * zeros, so an all-zero entry after the first one marks the end of the real entries.
 */
export function readIndexEntries(path: string): {entries: IndexEntry[]; problems: Array<{message: string}>} {
  const isTime = path.endsWith('.timeindex')
  const size = isTime ? 12 : 8
  const buf = readFileSync(path)
  const base = baseOffsetOf(path)
  const problems: Array<{message: string}> = []
  if (buf.length % size !== 0) problems.push({message: `${buf.length % size} trailing bytes: not a whole number of ${size}-byte entries`})
  const entries: IndexEntry[] = []
  const n = Math.floor(buf.length / size)
  for (let i = 0; i < n; i++) {
    const at = i * size
    if (isTime) {
      const timestamp = buf.readBigInt64BE(at)
      const rel = buf.readInt32BE(at + 8)
      if (i > 0 && timestamp === 0n && rel === 0) break
      entries.push({type: 'timeindex-entry', timestamp, offset: base + BigInt(rel)})
    } else {
      const rel = buf.readInt32BE(at)
      const position = buf.readInt32BE(at + 4)
      if (i > 0 && rel === 0 && position === 0) break
      entries.push({type: 'index-entry', offset: base + BigInt(rel), position})
    }
  }
  return {entries, problems}
}
