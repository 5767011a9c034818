/**
 * TimeIndex: the segment's `.timeindex` file, Kafka's format: 12-byte entries of (timestamp: int64 BE,
 * offset relative to the base offset: int32 BE). Timestamps and offsets both increase: an entry is only
 * added when the segment's max timestamp so far grew, so entry (T, O) says "no batch up to offset O has a
 * timestamp above T".
 */
import {AbstractIndex} from './abstract-index.js'

export const TIME_INDEX_ENTRY_SIZE = 12

/** A (timestamp, absolute offset) pair. */
export interface TimestampOffset {
  timestamp: bigint
  offset: bigint
}

const tsAt = (mem: Buffer, i: number): bigint => mem.readBigInt64BE(i * TIME_INDEX_ENTRY_SIZE)

/** The .timeindex file of one segment; owned by its LogSegment. */
export class TimeIndex extends AbstractIndex {
  private readonly scratch = Buffer.alloc(TIME_INDEX_ENTRY_SIZE)

  constructor(path: string, baseOffset: bigint, maxIndexSize: number) {
    super(path, baseOffset, maxIndexSize, TIME_INDEX_ENTRY_SIZE)
  }

  /** Like Kafka, one slot stays free for the final entry written when the segment becomes inactive. */
  override get isFull(): boolean {
    return this.entries >= this.maxEntries - 1
  }

  /** The i-th entry. */
  entryAt(i: number): TimestampOffset {
    const e = i === this.entries - 1 ? this.peekEntry(i) : this.data().subarray(i * 12, i * 12 + 12)
    return {timestamp: e.readBigInt64BE(0), offset: this.baseOffset + BigInt(e.readInt32BE(8))}
  }

  /** The last entry, or (-1, baseOffset) when empty (Kafka's "no timestamp"). */
  lastEntry(): TimestampOffset {
    return this.entries === 0 ? {timestamp: -1n, offset: this.baseOffset} : this.entryAt(this.entries - 1)
  }

  /**
   * Appends (timestamp, offset) when the timestamp is above the last entry's. `skipFullCheck` is for the
   * final entry written when the segment becomes inactive, which Kafka allows past the size limit.
   */
  maybeAppend(timestamp: bigint, offset: bigint, skipFullCheck = false): boolean {
    if (!skipFullCheck && this.isFull) return false
    if (skipFullCheck && this.entries >= this.maxEntries) return false
    const last = this.lastEntry()
    if (timestamp <= last.timestamp) return false
    if (this.entries > 0 && offset < last.offset) return false
    this.scratch.writeBigInt64BE(timestamp, 0)
    this.scratch.writeInt32BE(Number(offset - this.baseOffset), 8)
    this.appendEntry(this.scratch)
    return true
  }

  /** The largest entry whose timestamp is <= `target`, or (-1, baseOffset): where to start scanning for `target`. */
  lookup(target: bigint): TimestampOffset {
    if (this.entries === 0) return {timestamp: -1n, offset: this.baseOffset}
    const i = this.largestLowerBound(tsAt, target)
    return i < 0 ? {timestamp: -1n, offset: this.baseOffset} : this.entryAt(i)
  }

  /** Drops entries whose offset is >= `offset` (the log is being truncated there). */
  truncateToOffset(offset: bigint): void {
    let n = this.entries
    while (n > 0 && this.entryAt(n - 1).offset >= offset) n--
    this.truncateToEntries(n)
  }

  /** Sanity check used at open: a whole number of entries and the last one inside [baseOffset, nextOffset). */
  sanityProblem(nextOffset: bigint): string | null {
    if (this.hasPartialEntry()) return 'time index file size is not a multiple of 12'
    if (this.entries === 0) return null
    const last = this.entryAt(this.entries - 1)
    if (last.offset < this.baseOffset) return `last entry offset ${last.offset} is below the base offset`
    if (last.offset >= nextOffset) return `last entry offset ${last.offset} is beyond the segment's last offset ${nextOffset - 1n}`
    return null
  }
}
