/**
 * AbstractIndex: a fixed-entry-size index file of one segment (.index or .timeindex) mirrored in memory.
 * Unlike Kafka we do not preallocate and mmap the file: entries are appended with writeSync, so the file
 * only ever holds valid entries and a reader (or Kafka's tools) never sees zero padding. The in-memory
 * copy is loaded lazily (old segments are rarely looked up) and grows geometrically.
 */
import {closeSync, existsSync, fsyncSync, openSync, readFileSync, rmSync, statSync, truncateSync} from 'node:fs'
import {readFully, writeFully} from './file-util.js'

export abstract class AbstractIndex {
  /** Number of valid entries. */
  entries = 0
  readonly maxEntries: number
  private mem: Buffer | null = null
  private fd: number | null = null
  private closed = false

  /** `maxIndexSize` is segment.index.bytes; like Kafka it is rounded down to a whole number of entries. */
  constructor(public path: string, readonly baseOffset: bigint, maxIndexSize: number, readonly entrySize: number) {
    this.maxEntries = Math.max(1, Math.floor(maxIndexSize / entrySize))
    this.entries = existsSync(path) ? Math.floor(statSync(path).size / entrySize) : 0
  }

  /** True when another entry would exceed segment.index.bytes (the segment must roll). */
  get isFull(): boolean {
    return this.entries >= this.maxEntries
  }

  /** Size of the file's valid part in bytes. */
  get sizeInBytes(): number {
    return this.entries * this.entrySize
  }

  /** True when the file on disk is not a whole number of entries (a torn index write). */
  hasPartialEntry(): boolean {
    return existsSync(this.path) && statSync(this.path).size % this.entrySize !== 0
  }

  /** Reads the raw bytes of the entry at `i` without loading the whole file (used by sanity checks). */
  protected peekEntry(i: number): Buffer {
    if (this.mem) return this.mem.subarray(i * this.entrySize, (i + 1) * this.entrySize)
    const out = Buffer.alloc(this.entrySize)
    const fd = openSync(this.path, 'r')
    try {
      readFully(fd, out, 0, this.entrySize, i * this.entrySize)
    } finally {
      closeSync(fd)
    }
    return out
  }

  /** The in-memory copy of all valid entries (loaded on first use). */
  protected data(): Buffer {
    if (this.mem === null) {
      const bytes = this.entries * this.entrySize
      const cap = Math.max(bytes, 64 * this.entrySize)
      this.mem = Buffer.allocUnsafe(cap)
      if (bytes > 0) {
        const raw = readFileSync(this.path)
        raw.copy(this.mem, 0, 0, bytes)
      }
    }
    return this.mem
  }

  /** Appends one encoded entry to the file and the memory copy. */
  protected appendEntry(entry: Buffer): void {
    if (this.closed) throw new Error(`index ${this.path} is closed`)
    let mem = this.data()
    const at = this.entries * this.entrySize
    if (at + this.entrySize > mem.length) {
      const grown = Buffer.allocUnsafe(Math.min(Math.max(mem.length * 2, at + this.entrySize), Math.max(this.maxEntries, this.entries + 1) * this.entrySize))
      mem.copy(grown, 0, 0, at)
      this.mem = mem = grown
    }
    entry.copy(mem, at)
    if (this.fd === null) this.fd = openSync(this.path, 'a')
    writeFully(this.fd, entry)
    this.entries++
  }

  /** Keeps only the first `n` entries, on disk and in memory. */
  truncateToEntries(n: number): void {
    if (n > this.entries) return
    if (existsSync(this.path)) truncateSync(this.path, n * this.entrySize)
    this.entries = n
  }

  /** Removes every entry (before a rebuild). */
  reset(): void {
    if (existsSync(this.path)) truncateSync(this.path, 0)
    this.entries = 0
  }

  /** Creates the (empty) file if it does not exist, like Kafka which always has both index files. */
  ensureFile(): void {
    if (!existsSync(this.path)) closeSync(openSync(this.path, 'a'))
  }

  /** fsyncs appended entries. */
  flush(): void {
    if (this.fd !== null) fsyncSync(this.fd)
  }

  /** Stops appending (the segment became inactive): closes the write fd, keeps the memory copy for lookups. */
  closeForAppend(): void {
    if (this.fd !== null) {
      closeSync(this.fd)
      this.fd = null
    }
  }

  /** Releases the fd and memory. */
  close(): void {
    this.closeForAppend()
    this.mem = null
    this.closed = true
  }

  /** Deletes the file. */
  delete(): void {
    this.close()
    rmSync(this.path, {force: true})
  }

  /** Binary search: index of the last entry whose key (read by `keyAt`) is <= target, or -1. */
  protected largestLowerBound(keyAt: (mem: Buffer, i: number) => number | bigint, target: number | bigint): number {
    const mem = this.data()
    let lo = 0
    let hi = this.entries - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (keyAt(mem, mid) <= target) {
        found = mid
        lo = mid + 1
      } else {
        hi = mid - 1
      }
    }
    return found
  }
}
