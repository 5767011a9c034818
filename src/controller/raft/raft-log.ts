/**
 * RaftLog: the replicated `__cluster_metadata-0` partition as the Raft client sees it (KRaft's
 * KafkaMetadataLog): Kafka's segment format through the storage Log, plus an in-memory
 * LeaderEpochFileCache (epoch -> start offset), rebuilt from the batches' partitionLeaderEpoch
 * fields at open. Batches written by the single-node controller carry epoch -1 and count as epoch 0.
 * Only the KafkaRaftClient calls it, from its serial path.
 */
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {Log, defaultLogConfig, CLEAN_SHUTDOWN_FILE} from '../../storage/index.js'
import {BASE_OFFSET, LAST_OFFSET_DELTA, PARTITION_LEADER_EPOCH, iterateBatches, validateBatch,
  decodeRecordBatches, type RecordBatch} from '../../records/index.js'
import {ErrorCode, KafkaError} from '../../protocol/index.js'
import type {CommittedBatch} from './types.js'

/** Directory name of the metadata partition, as Kafka names it. */
export const METADATA_PARTITION_DIR = '__cluster_metadata-0'

/** Read size per step while scanning or delivering. */
const READ_CHUNK = 1 << 20

/** A decoded data batch as listeners receive it (epoch -1 of single-node batches counts as 0). */
export function toCommittedBatch(b: RecordBatch): CommittedBatch {
  return {baseOffset: b.baseOffset, lastOffset: b.baseOffset + BigInt(b.lastOffsetDelta), epoch: Math.max(0, b.partitionLeaderEpoch),
    records: b.records.map((r) => r.value).filter((v): v is Buffer => v !== null)}
}

/** An epoch and the end offset (exclusive) of its entries in a log. */
export interface OffsetAndEpoch { epoch: number; endOffset: bigint }

interface EpochEntry { epoch: number; startOffset: bigint }

/** The replicated metadata log of one node (see file comment). */
export class RaftLog {
  private epochs: EpochEntry[] = []

  private constructor(private readonly log: Log) {
    this.rebuildEpochCache()
  }

  /** Opens (or creates) `<dataDir>/__cluster_metadata-0`; run before LogManager.open consumes the clean-shutdown marker. */
  static open(dataDir: string, logger: (level: 'info' | 'warn' | 'error', msg: string) => void): RaftLog {
    const config = defaultLogConfig({retentionMs: -1, retentionBytes: -1})
    const cleanShutdown = existsSync(join(dataDir, CLEAN_SHUTDOWN_FILE))
    return new RaftLog(Log.open(join(dataDir, METADATA_PARTITION_DIR), config, {logger, cleanShutdown, producerSnapshots: false}))
  }

  /** The partition directory (the quorum-state file lives there too). */
  get dir(): string {
    return this.log.dir
  }

  get endOffset(): bigint {
    return this.log.logEndOffset
  }

  /** Epoch of the last batch in the log (0 when empty): the "last fetched epoch" of Fetch and Vote. */
  get lastEpoch(): number {
    return this.epochs.length === 0 ? 0 : this.epochs[this.epochs.length - 1].epoch
  }

  private rebuildEpochCache(): void {
    this.epochs = []
    let offset = this.log.logStartOffset
    const end = this.log.logEndOffset
    while (offset < end) {
      const {records} = this.log.read(offset, READ_CHUNK, true, end)
      if (records.length === 0) break
      const before = offset
      for (const buf of records) {
        for (const {pos} of iterateBatches(buf)) {
          const base = buf.readBigInt64BE(pos + BASE_OFFSET)
          this.noteEpoch(buf.readInt32BE(pos + PARTITION_LEADER_EPOCH), base)
          offset = base + BigInt(buf.readInt32BE(pos + LAST_OFFSET_DELTA)) + 1n
        }
      }
      if (offset <= before) break
    }
  }

  private noteEpoch(rawEpoch: number, baseOffset: bigint): void {
    const epoch = rawEpoch < 0 ? 0 : rawEpoch
    if (this.epochs.length === 0 || epoch > this.epochs[this.epochs.length - 1].epoch) this.epochs.push({epoch, startOffset: baseOffset})
  }

  /**
   * The largest epoch <= `epoch` in this log and where it ends (the next epoch's start offset, or the
   * log end offset for the latest epoch): what a leader compares a follower's last fetched epoch with.
   */
  endOffsetForEpoch(epoch: number): OffsetAndEpoch {
    const n = this.epochs.length
    if (n === 0) return {epoch: 0, endOffset: this.endOffset}
    if (epoch >= this.epochs[n - 1].epoch) return {epoch: this.epochs[n - 1].epoch, endOffset: this.endOffset}
    let i = 0
    while (i < n && this.epochs[i].epoch <= epoch) i++
    const higher = this.epochs[i]
    return {epoch: i === 0 ? epoch : this.epochs[i - 1].epoch, endOffset: higher.startOffset}
  }

  /** Leader append: assigns offsets from the log end offset and stamps `epoch`. */
  appendAsLeader(batch: Buffer, epoch: number): {firstOffset: bigint; lastOffset: bigint} {
    const r = this.log.append(batch, {assignOffsets: true, leaderEpoch: epoch})
    this.noteEpoch(epoch, r.firstOffset)
    return {firstOffset: r.firstOffset, lastOffset: r.lastOffset}
  }

  /**
   * Follower append of a Fetch answer's records: each batch is checked (size, magic, CRC) and must
   * start exactly at the log end offset. Returns how many batches were appended; throws KafkaError
   * CORRUPT_MESSAGE on a bad batch (the follower then refetches).
   */
  appendAsFollower(records: Buffer): number {
    let n = 0
    for (const {pos, size} of iterateBatches(records)) {
      const v = validateBatch(records, pos, size, {fromLog: true, allowControl: true})
      if (!v.ok) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `fetched metadata batch rejected: ${v.reason}`)
      if (v.header.baseOffset !== this.endOffset) {
        throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `fetched batch at ${v.header.baseOffset}, expected ${this.endOffset}`)
      }
      this.log.append(Buffer.from(records.subarray(pos, pos + size)), {assignOffsets: false})
      this.noteEpoch(v.header.partitionLeaderEpoch, v.header.baseOffset)
      n++
    }
    return n
  }

  /** Removes every batch at or after `offset` (a divergent, uncommitted tail). */
  truncateTo(offset: bigint): void {
    if (offset >= this.endOffset) return
    this.log.truncateTo(offset)
    while (this.epochs.length > 0 && this.epochs[this.epochs.length - 1].startOffset >= this.endOffset) this.epochs.pop()
  }

  /** Raw batches from `from`, up to maxBytes (at least one batch) and below `maxOffset` (for Fetch answers). */
  read(from: bigint, maxBytes: number, maxOffset: bigint): Buffer[] {
    if (from >= maxOffset) return []
    const r = this.log.read(from, maxBytes, true, maxOffset)
    return r.errorCode === 0 ? r.records : []
  }

  /** Decoded batches from `from` up to (not including) `to`, for delivery to listeners. */
  readBatches(from: bigint, to: bigint): RecordBatch[] {
    const out: RecordBatch[] = []
    let offset = from
    while (offset < to) {
      const chunk = this.read(offset, READ_CHUNK, to)
      if (chunk.length === 0) break
      const before = offset
      for (const b of decodeRecordBatches(chunk.length === 1 ? chunk[0] : Buffer.concat(chunk))) {
        const last = b.baseOffset + BigInt(b.lastOffsetDelta)
        if (last < offset) continue
        if (b.baseOffset >= to) return out
        out.push(b)
        offset = last + 1n
      }
      if (offset <= before) break
    }
    return out
  }

  /** fsyncs everything appended so far (a voter counts its own entries only once durable). */
  flush(): void {
    this.log.flush()
  }

  close(): void {
    this.log.close()
  }
}
