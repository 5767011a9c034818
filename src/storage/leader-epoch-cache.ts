/**
 * LeaderEpochFileCache: the `leader-epoch-checkpoint` file of a partition dir, Kafka's text format
 * (a version line "0", a count line, then one "epoch startOffset" line per entry). Each entry says
 * where a leader epoch's first batch sits in the log; OffsetForLeaderEpoch answers from it so a
 * follower can find where its log diverges from the leader's. Written atomically on every change
 * (epoch changes are rare, so the fsync cost does not matter).
 */
import {closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync} from 'node:fs'
import {join} from 'node:path'
import {fsyncDir, writeFully} from './file-util.js'

export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint'
/** Kafka's UNDEFINED_EPOCH / UNDEFINED_EPOCH_OFFSET. */
export const UNDEFINED_EPOCH = -1
export const UNDEFINED_EPOCH_OFFSET = -1n

/** One leader epoch and the offset of its first batch. */
export interface EpochEntry { epoch: number; startOffset: bigint }

/** Parses Kafka's format; throws on a malformed file. */
export function parseLeaderEpochCheckpoint(text: string): EpochEntry[] {
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  if (lines.length < 2 || lines[0].trim() !== '0') throw new Error('bad leader-epoch-checkpoint header')
  const count = Number(lines[1].trim())
  if (!Number.isInteger(count) || count < 0 || lines.length - 2 !== count) throw new Error(`bad entry count '${lines[1]}'`)
  return lines.slice(2).map((line) => {
    const m = /^(\d+) (\d+)$/.exec(line.trim())
    if (!m) throw new Error(`malformed leader-epoch-checkpoint line '${line}'`)
    return {epoch: Number(m[1]), startOffset: BigInt(m[2])}
  })
}

/** Serialises entries in Kafka's format. */
export function formatLeaderEpochCheckpoint(entries: readonly EpochEntry[]): string {
  return ['0', String(entries.length), ...entries.map((e) => `${e.epoch} ${e.startOffset}`)].join('\n') + '\n'
}

/** The epoch -> start offset map of one partition, kept in its checkpoint file (see file comment). */
export class LeaderEpochFileCache {
  private entries: EpochEntry[]

  private constructor(private readonly path: string | null, entries: EpochEntry[]) {
    this.entries = entries
  }

  /**
   * Loads `dir/leader-epoch-checkpoint`; when it is missing or unreadable, `rebuild()` supplies the
   * entries (a scan of the log) and the file is written. `dir` null: in memory only.
   */
  static load(dir: string | null, rebuild: () => EpochEntry[]): LeaderEpochFileCache {
    const path = dir === null ? null : join(dir, LEADER_EPOCH_CHECKPOINT)
    if (path !== null && existsSync(path)) {
      try {
        return new LeaderEpochFileCache(path, parseLeaderEpochCheckpoint(readFileSync(path, 'utf8')))
      } catch {
        // fall through: a torn or foreign file is rebuilt from the batches themselves
      }
    }
    const cache = new LeaderEpochFileCache(path, [])
    for (const e of rebuild()) cache.assign(e.epoch, e.startOffset, false)
    cache.flush()
    return cache
  }

  /** The entries, oldest first (a copy). */
  get epochEntries(): EpochEntry[] {
    return this.entries.map((e) => ({...e}))
  }

  /** The newest epoch, or UNDEFINED_EPOCH when there is none. */
  get latestEpoch(): number {
    return this.entries.length === 0 ? UNDEFINED_EPOCH : this.entries[this.entries.length - 1].epoch
  }

  /**
   * Records that `epoch` starts at `startOffset` when it is newer than the latest epoch. An entry that
   * contradicts it (same or newer epoch, or a start at or after it) is dropped first, as Kafka does.
   * Returns true when the cache changed.
   */
  assign(epoch: number, startOffset: bigint, write = true): boolean {
    if (epoch < 0) return false
    const last = this.entries[this.entries.length - 1]
    if (last && last.epoch === epoch && last.startOffset <= startOffset) return false
    if (last && last.epoch > epoch && last.startOffset <= startOffset) return false // an older epoch's late batch: ignore
    this.entries = this.entries.filter((e) => e.epoch < epoch && e.startOffset < startOffset)
    this.entries.push({epoch, startOffset})
    if (write) this.flush()
    return true
  }

  /**
   * OffsetForLeaderEpoch as Kafka defines it: for the latest epoch, the log end offset; for an older
   * one, the start offset of the first newer epoch, with the largest known epoch <= the requested
   * one (or the requested epoch itself when it is older than all); unknown / newer than all:
   * (UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET).
   */
  endOffsetFor(epoch: number, logEndOffset: bigint): {epoch: number; endOffset: bigint} {
    const undefinedAnswer = {epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET}
    if (epoch === UNDEFINED_EPOCH || this.entries.length === 0) return undefinedAnswer
    if (epoch === this.latestEpoch) return {epoch, endOffset: logEndOffset}
    const higher = this.entries.find((e) => e.epoch > epoch)
    if (!higher) return undefinedAnswer
    let floor: EpochEntry | undefined
    for (const e of this.entries) if (e.epoch <= epoch) floor = e
    return {epoch: floor ? floor.epoch : epoch, endOffset: higher.startOffset}
  }

  /** Drops the entries starting at or after `endOffset` (the log was truncated there). */
  truncateFromEnd(endOffset: bigint): void {
    const kept = this.entries.filter((e) => e.startOffset < endOffset)
    if (kept.length === this.entries.length) return
    this.entries = kept
    this.flush()
  }

  /** The log now starts at `startOffset`: earlier entries go, the one covering it starts there. */
  truncateFromStart(startOffset: bigint): void {
    let i = 0
    while (i + 1 < this.entries.length && this.entries[i + 1].startOffset <= startOffset) i++
    const first = this.entries[i]
    if (i === 0 && (!first || first.startOffset >= startOffset)) return
    this.entries = this.entries.slice(i)
    if (this.entries[0].startOffset < startOffset) this.entries[0] = {epoch: this.entries[0].epoch, startOffset}
    this.flush()
  }

  /** Removes every entry (the log was emptied). */
  clear(): void {
    if (this.entries.length === 0) return
    this.entries = []
    this.flush()
  }

  /** Writes the file atomically (tmp + fsync + rename + directory fsync). */
  flush(): void {
    // No epoch was ever stamped (batches of a single node's producers carry -1): no file, as before replication.
    if (this.path === null || (this.entries.length === 0 && !existsSync(this.path))) return
    const tmp = `${this.path}.tmp`
    const fd = openSync(tmp, 'w')
    try {
      writeFully(fd, Buffer.from(formatLeaderEpochCheckpoint(this.entries), 'utf8'))
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, this.path)
    fsyncDir(join(this.path, '..'))
  }
}
