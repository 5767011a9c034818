/**
 * OffsetIndex: the segment's `.index` file, Kafka's format: 8-byte entries of (offset relative to the
 * segment's base offset: int32 BE, physical byte position in the .log file: int32 BE), in increasing order.
 * Each entry maps the LAST offset of a batch to the position where that batch starts, so a lookup for
 * offset X finds a position at or before the batch holding X.
 */
import {AbstractIndex} from './abstract-index.js'

export const OFFSET_INDEX_ENTRY_SIZE = 8

/** An (absolute offset, position) pair. */
export interface OffsetPosition {
  offset: bigint
  position: number
}

const relAt = (mem: Buffer, i: number): number => mem.readInt32BE(i * OFFSET_INDEX_ENTRY_SIZE)

/** The .index file of one segment; owned by its LogSegment. */
export class OffsetIndex extends AbstractIndex {
  private readonly scratch = Buffer.alloc(OFFSET_INDEX_ENTRY_SIZE)

  constructor(path: string, baseOffset: bigint, maxIndexSize: number) {
    super(path, baseOffset, maxIndexSize, OFFSET_INDEX_ENTRY_SIZE)
  }

  /** Appends (offset, position); offsets must increase. */
  append(offset: bigint, position: number): void {
    const rel = Number(offset - this.baseOffset)
    if (this.entries > 0) {
      const last = this.entryAt(this.entries - 1)
      if (offset <= last.offset) throw new Error(`offset index ${this.path}: offset ${offset} is not after the last entry ${last.offset}`)
    }
    this.scratch.writeInt32BE(rel, 0)
    this.scratch.writeInt32BE(position, 4)
    this.appendEntry(this.scratch)
  }

  /** The i-th entry. */
  entryAt(i: number): OffsetPosition {
    const e = this.entries > 0 && i === this.entries - 1 ? this.peekEntry(i) : this.data().subarray(i * 8, i * 8 + 8)
    return {offset: this.baseOffset + BigInt(e.readInt32BE(0)), position: e.readInt32BE(4)}
  }

  /** The last entry, or (baseOffset, 0) when empty. */
  lastEntry(): OffsetPosition {
    return this.entries === 0 ? {offset: this.baseOffset, position: 0} : this.entryAt(this.entries - 1)
  }

  /** The largest entry whose offset is <= `target`, or (baseOffset, 0): where to start scanning for `target`. */
  lookup(target: bigint): OffsetPosition {
    const rel = target - this.baseOffset
    if (this.entries === 0 || rel < 0n) return {offset: this.baseOffset, position: 0}
    const relN = rel > 0x7fffffffn ? 0x7fffffff : Number(rel)
    const i = this.largestLowerBound(relAt, relN)
    return i < 0 ? {offset: this.baseOffset, position: 0} : this.entryAt(i)
  }

  /** Drops entries whose position is >= `position` (the log is being truncated there). */
  truncateToPosition(position: number): void {
    let n = this.entries
    while (n > 0 && this.entryAt(n - 1).position >= position) n--
    this.truncateToEntries(n)
  }

  /** Sanity check used at open: a whole number of entries, and the last one inside the log file and segment range. */
  sanityProblem(logSize: number): string | null {
    if (this.hasPartialEntry()) return 'index file size is not a multiple of 8'
    if (this.entries === 0) return null
    const last = this.entryAt(this.entries - 1)
    if (last.offset < this.baseOffset) return `last entry offset ${last.offset} is below the base offset`
    if (last.position < 0 || last.position >= logSize) return `last entry position ${last.position} is outside the ${logSize}-byte log`
    return null
  }
}
