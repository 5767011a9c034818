/**
 * ProducerStateManager: one partition's idempotent-producer table (producer id -> ProducerStateEntry)
 * and its snapshot files. The Log owns one and calls it from its serial append path: checkAppend
 * before a client batch is written (duplicate, stale epoch, sequence gap), onAppend after it. State
 * survives restarts through `<offset>.snapshot` files written at segment roll and clean shutdown;
 * after a crash the loader replays the batches above the newest usable snapshot (see log-loader.ts).
 */
import {ErrorCode, KafkaError} from '../protocol/errors.js'
import {ATTRIBUTES, BASE_SEQUENCE, CONTROL_BIT, LAST_OFFSET_DELTA, PRODUCER_EPOCH, PRODUCER_ID} from '../records/batch-header.js'
import {BATCHES_TO_RETAIN, ProducerStateEntry, inSequence, incrementSequence, type BatchMetadata} from './producer-state-entry.js'
import {CorruptSnapshotError, deleteSnapshotFile, encodeProducerSnapshot, listSnapshotOffsets, readSnapshotFile,
  writeSnapshotFile, type SnapshotEntry} from './producer-snapshot.js'
import type {StorageLogger} from './log-loader.js'

export {ProducerStateEntry, type BatchMetadata} from './producer-state-entry.js'

/** Kafka's producer.id.expiration.ms default: a producer silent for a day is forgotten. */
export const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 86_400_000

/** The producer fields of one batch header. */
export interface ProducerBatch {
  producerId: bigint
  epoch: number
  firstSeq: number
  lastSeq: number
  /** lastOffsetDelta: records - 1 for a produced batch. */
  offsetDelta: number
  isControl: boolean
}

/** Reads the producer fields of the batch header at `pos` (call only when producerId >= 0). */
export function readProducerBatch(buf: Buffer, pos: number): ProducerBatch {
  const firstSeq = buf.readInt32BE(pos + BASE_SEQUENCE)
  const offsetDelta = buf.readInt32BE(pos + LAST_OFFSET_DELTA)
  return {
    producerId: buf.readBigInt64BE(pos + PRODUCER_ID), epoch: buf.readInt16BE(pos + PRODUCER_EPOCH), firstSeq,
    lastSeq: incrementSequence(firstSeq, offsetDelta), offsetDelta, isControl: (buf.readInt16BE(pos + ATTRIBUTES) & CONTROL_BIT) !== 0,
  }
}

/** Options of a ProducerStateManager. */
export interface ProducerStateOptions {
  /** `<topic>-<partition>`, for messages. */
  name: string
  producerIdExpirationMs?: number
  logger?: StorageLogger
  /** false: keep no snapshot files (a log no producer writes, such as the metadata log). */
  snapshots?: boolean
}

/** The producer table of one partition (see file comment). */
export class ProducerStateManager {
  readonly producers = new Map<bigint, ProducerStateEntry>()
  /** Offsets of the snapshot files on disk, ascending. */
  private snapshots: bigint[]
  /** Offset of the newest snapshot written or loaded (-1: none); a snapshot at the same offset is not rewritten. */
  private lastSnapOffset = -1n
  readonly producerIdExpirationMs: number
  private readonly logger: StorageLogger

  constructor(readonly dir: string, private readonly opts: ProducerStateOptions) {
    this.producerIdExpirationMs = opts.producerIdExpirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS
    this.logger = opts.logger ?? (() => {})
    this.snapshots = listSnapshotOffsets(dir)
  }

  /** Offsets of the snapshot files, ascending (a copy). */
  get snapshotOffsets(): bigint[] {
    return [...this.snapshots]
  }

  /**
   * Validates a client's batch against the producer's state, as Kafka's ProducerAppendInfo does:
   * returns the remembered batch when this one is a retry of it (append nothing, answer with its
   * offsets), null when it may be appended; throws KafkaError INVALID_PRODUCER_EPOCH for an older
   * epoch and OUT_OF_ORDER_SEQUENCE_NUMBER for a gap. An unknown producer may start at any sequence
   * (Kafka 2.5+, KIP-360): its state may have been removed with its records by retention.
   */
  checkAppend(producerId: bigint, epoch: number, firstSeq: number, lastSeq: number, offset: bigint): BatchMetadata | null {
    const entry = this.producers.get(producerId)
    if (entry === undefined) return null
    const duplicate = entry.findDuplicate(epoch, firstSeq, lastSeq)
    if (duplicate) return duplicate
    const current = entry.producerEpoch
    if (epoch < current) {
      throw new KafkaError(ErrorCode.INVALID_PRODUCER_EPOCH, `Epoch of producer ${producerId} at offset ${offset} in ${this.opts.name} ` +
        `is ${epoch}, which is smaller than the last seen epoch ${current}`)
    }
    if (epoch !== current) {
      // A bumped epoch restarts the sequence at 0.
      if (firstSeq !== 0 && current !== -1) {
        throw new KafkaError(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `Invalid sequence number for new epoch of producer ${producerId} ` +
          `at offset ${offset} in ${this.opts.name}: ${epoch} (request epoch), ${firstSeq} (seq. number), ${current} (current producer epoch)`)
      }
    } else if (current !== -1 && !inSequence(entry.lastSeq, firstSeq)) {
      throw new KafkaError(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `Out of order sequence number for producer ${producerId} at offset ` +
        `${offset} in ${this.opts.name}: ${firstSeq} (incoming seq. number), ${entry.lastSeq} (current end sequence number)`)
    }
    return null
  }

  /** checkAppend for a batch read by readProducerBatch. */
  checkBatch(b: ProducerBatch, offset: bigint): BatchMetadata | null {
    return this.checkAppend(b.producerId, b.epoch, b.firstSeq, b.lastSeq, offset)
  }

  /** Records a batch (data or control) that now ends at `lastOffset` in the log: an append or a replay. */
  onBatch(b: ProducerBatch, lastOffset: bigint, timestamp: bigint): void {
    if (b.isControl) this.onControlBatch(b.producerId, b.epoch, timestamp)
    else this.onAppend(b.producerId, b.epoch, b.lastSeq, lastOffset, b.offsetDelta, timestamp)
  }

  /** Records a batch written at [lastOffset - offsetDelta, lastOffset] (client or replica append, or log replay). */
  onAppend(producerId: bigint, epoch: number, lastSeq: number, lastOffset: bigint, offsetDelta: number, timestamp: bigint): void {
    let entry = this.producers.get(producerId)
    if (entry === undefined) {
      entry = new ProducerStateEntry(producerId, epoch)
      this.producers.set(producerId, entry)
    }
    entry.addBatch(epoch, lastSeq, lastOffset, offsetDelta, timestamp)
  }

  /** A control batch (transaction marker) read from the log: it carries the epoch but no sequence. */
  onControlBatch(producerId: bigint, epoch: number, timestamp: bigint): void {
    let entry = this.producers.get(producerId)
    if (entry === undefined) {
      entry = new ProducerStateEntry(producerId, epoch)
      this.producers.set(producerId, entry)
    }
    entry.updateEpoch(epoch)
    entry.currentTxnFirstOffset = -1n
    entry.lastTimestamp = timestamp
  }

  /** The table as snapshot entries (the last batch of each producer, as Kafka stores it). */
  snapshotEntries(): SnapshotEntry[] {
    const out: SnapshotEntry[] = []
    for (const e of this.producers.values()) {
      out.push({
        producerId: e.producerId, producerEpoch: e.producerEpoch, lastSequence: e.lastSeq, lastOffset: e.lastDataOffset,
        offsetDelta: e.lastOffsetDelta, timestamp: e.lastTimestamp, coordinatorEpoch: e.coordinatorEpoch,
        currentTxnFirstOffset: e.currentTxnFirstOffset,
      })
    }
    return out
  }

  /**
   * Writes `<offset>.snapshot` holding the state of every batch below `offset` (the caller's log end
   * offset), unless one was already written or loaded there. Returns whether a file was written.
   */
  takeSnapshot(offset: bigint, sync: boolean): boolean {
    if (offset === this.lastSnapOffset || this.opts.snapshots === false) return false
    writeSnapshotFile(this.dir, offset, encodeProducerSnapshot(this.snapshotEntries()), sync)
    this.addSnapshotOffset(offset)
    this.lastSnapOffset = offset
    return true
  }

  private addSnapshotOffset(offset: bigint): void {
    const s = this.snapshots
    if (s.length === 0 || s[s.length - 1] < offset) s.push(offset)
    else if (!s.includes(offset)) {
      s.push(offset)
      s.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    }
  }

  /**
   * Replaces the table with the newest snapshot that reads back intact (corrupt ones are deleted with
   * a warning), dropping producers expired at `now`. Returns the snapshot's offset, or null when none.
   */
  loadLatestSnapshot(now: number): bigint | null {
    this.producers.clear()
    while (this.snapshots.length > 0) {
      const offset = this.snapshots[this.snapshots.length - 1]
      let entries: SnapshotEntry[]
      try {
        entries = readSnapshotFile(this.dir, offset)
      } catch (err) {
        if (!(err instanceof CorruptSnapshotError) && (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
        this.logger('warn', `${this.opts.name}: deleting unusable producer snapshot at offset ${offset}: ${(err as Error).message}`)
        this.deleteSnapshot(offset)
        continue
      }
      for (const e of entries) {
        if (e.currentTxnFirstOffset < 0n && BigInt(now) - e.timestamp >= BigInt(this.producerIdExpirationMs)) continue
        const entry = new ProducerStateEntry(e.producerId, e.producerEpoch, e.coordinatorEpoch, e.timestamp, e.currentTxnFirstOffset)
        if (e.lastOffset >= 0n) entry.addBatch(e.producerEpoch, e.lastSequence, e.lastOffset, e.offsetDelta, e.timestamp)
        this.producers.set(e.producerId, entry)
      }
      this.lastSnapOffset = offset
      return offset
    }
    this.lastSnapOffset = -1n
    return null
  }

  /** Deletes the snapshots at offsets above `offset` (their data was truncated away). */
  deleteSnapshotsAbove(offset: bigint): void {
    while (this.snapshots.length > 0 && this.snapshots[this.snapshots.length - 1] > offset) this.deleteSnapshot(this.snapshots[this.snapshots.length - 1])
    if (this.lastSnapOffset > offset) this.lastSnapOffset = -1n
  }

  /** Deletes the snapshots at offsets below `offset` (the log start offset moved past them). */
  deleteSnapshotsBefore(offset: bigint): void {
    while (this.snapshots.length > 0 && this.snapshots[0] < offset) this.deleteSnapshot(this.snapshots[0])
  }

  /** Deletes snapshots that belong to no segment, except the newest (written at a clean stop), as Kafka's removeStraySnapshots. */
  removeStraySnapshots(segmentBaseOffsets: bigint[]): void {
    const bases = new Set(segmentBaseOffsets)
    const newest = this.snapshots.length > 0 ? this.snapshots[this.snapshots.length - 1] : null
    const maxBase = segmentBaseOffsets.length > 0 ? segmentBaseOffsets[segmentBaseOffsets.length - 1] : null
    for (const offset of [...this.snapshots]) {
      if (bases.has(offset)) continue
      if (offset === newest && (maxBase === null || offset >= maxBase)) continue
      this.deleteSnapshot(offset)
    }
  }

  /** Forgets every producer and snapshot (the log was emptied or truncated below its first segment). */
  truncateFully(): void {
    this.producers.clear()
    for (const offset of [...this.snapshots]) this.deleteSnapshot(offset)
    this.lastSnapOffset = -1n
  }

  /** Forgets producers silent for producer.id.expiration.ms (no open transaction); returns how many. */
  removeExpiredProducers(now: number): number {
    let n = 0
    const limit = BigInt(now) - BigInt(this.producerIdExpirationMs)
    for (const [id, e] of this.producers) {
      if (e.currentTxnFirstOffset < 0n && e.lastTimestamp <= limit) {
        this.producers.delete(id)
        n++
      }
    }
    return n
  }

  private deleteSnapshot(offset: bigint): void {
    deleteSnapshotFile(this.dir, offset)
    const i = this.snapshots.indexOf(offset)
    if (i >= 0) this.snapshots.splice(i, 1)
    if (offset === this.lastSnapOffset) this.lastSnapOffset = -1n
  }
}

/** Retained batches per producer, re-exported for tests and tools. */
export {BATCHES_TO_RETAIN}
