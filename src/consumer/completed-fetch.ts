/**
 * CompletedFetch: one partition's records from one Fetch response, decoded lazily batch by batch
 * as poll() drains them. It skips what a consumer must not see: records below the fetch position,
 * control batches and, under read_committed, batches of aborted transactions.
 */
import {ErrorCode, KafkaError} from '../protocol/index.js'
import {CompressionType, decompress, crc32c, HEADER_SIZE, LOG_OVERHEAD} from '../records/index.js'
import {FetchedBatch, BatchRecordReader, type FetchedRecord} from './record-decoder.js'
import type {TopicPartitionState} from './subscription-state.js'
import type {ConsumerRecord} from './types.js'

/** An aborted transaction as a Fetch response lists it. */
export interface AbortedTransaction { producerId: bigint; firstOffset: bigint }

const CONTROL_BIT = 0x20
const TRANSACTIONAL_BIT = 0x10
const TIMESTAMP_TYPE_BIT = 0x08

/** Records of one partition from one response, with the cursor poll() drains. */
export class CompletedFetch {
  /** Offset the next drained record must be at or above; becomes the partition's position. */
  nextOffset: bigint
  private pos = 0
  private cursor: BatchRecordReader | undefined
  private batchBase = 0n
  private batchNext = 0n
  private readonly aborted: AbortedTransaction[] | null
  private readonly abortedProducers = new Set<bigint>()
  /** Key and value bytes of the records the last drain() handed out (the consumer's bytes-consumed metric). */
  drainedBytes = 0
  /** Bytes of the records section (for metrics and buffer accounting). */
  readonly sizeInBytes: number

  constructor(
    readonly state: TopicPartitionState,
    /** state.epoch when the request was sent: a later seek makes this fetch stale. */
    readonly epoch: number,
    private readonly records: Buffer,
    fetchOffset: bigint,
    aborted: AbortedTransaction[] | null,
    private readonly checkCrcs: boolean,
  ) {
    this.nextOffset = fetchOffset
    this.sizeInBytes = records.length
    this.aborted = aborted && aborted.length > 0 ? [...aborted].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1)) : null
  }

  /** True while the partition's state still matches (not revoked, not seeked since). */
  get current(): boolean {
    return this.state.epoch === this.epoch
  }

  /** Appends up to `max` records to `out`; returns false once everything is drained. */
  drain(max: number, out: ConsumerRecord[]): boolean {
    let taken = 0
    this.drainedBytes = 0
    while (taken < max) {
      const cursor = this.cursor
      if (cursor !== undefined && !cursor.done) {
        let n: number
        try {
          n = cursor.decodeInto(out as FetchedRecord[], max - taken)
        } catch (err) {
          throw this.corrupt(`batch at offset ${this.batchBase}: ${(err as Error).message}`)
        }
        taken += n
        this.drainedBytes += cursor.lastBytes
        if (cursor.done) this.nextOffset = this.batchNext
        else if (n > 0) this.nextOffset = BigInt(cursor.lastOffset + 1)
        continue
      }
      if (!this.nextBatch()) return false
    }
    return (this.cursor !== undefined && !this.cursor.done) || this.pos < this.records.length
  }

  /** Loads the next batch that has records to return; false at the end of the data. */
  private nextBatch(): boolean {
    const buf = this.records
    this.cursor = undefined
    while (this.pos + LOG_OVERHEAD <= buf.length) {
      const start = this.pos
      const batchLength = buf.readInt32BE(start + 8)
      const end = start + LOG_OVERHEAD + batchLength
      // A response may end in the middle of a batch: that part is fetched again next time.
      if (end > buf.length) break
      if (batchLength < HEADER_SIZE - LOG_OVERHEAD) throw this.corrupt(`batch length ${batchLength} at byte ${start}`)
      this.pos = end
      const magic = buf[start + 16]
      if (magic !== 2) throw this.corrupt(`unsupported record format (magic ${magic}) at byte ${start}`)
      const baseOffset = buf.readBigInt64BE(start)
      const lastOffset = baseOffset + BigInt(buf.readInt32BE(start + 23))
      if (lastOffset < this.nextOffset) continue
      if (this.checkCrcs && crc32c(buf, start + 21, end) !== buf.readUInt32BE(start + 17)) {
        throw this.corrupt(`CRC-32C mismatch in the batch at offset ${baseOffset}`)
      }
      const attributes = buf.readInt16BE(start + 21)
      const next = lastOffset + 1n
      if (this.aborted !== null && (attributes & TRANSACTIONAL_BIT) !== 0 && this.skipAborted(buf, start, attributes, lastOffset)) {
        this.nextOffset = next
        continue
      }
      const count = buf.readInt32BE(start + 57)
      if ((attributes & CONTROL_BIT) !== 0 || count <= 0) {
        this.nextOffset = next
        continue
      }
      const codec = (attributes & 0x07) as CompressionType
      let section = buf.subarray(start + HEADER_SIZE, end)
      if (codec !== CompressionType.None) {
        try {
          section = decompress(codec, section)
        } catch (err) {
          throw this.corrupt(`batch at offset ${baseOffset}: ${(err as Error).message}`)
        }
      }
      const logAppend = (attributes & TIMESTAMP_TYPE_BIT) !== 0
      const epoch = buf.readInt32BE(start + 12)
      const batch = new FetchedBatch(this.state.topic, this.state.partition, section, Number(baseOffset), Number(buf.readBigInt64BE(start + 27)),
        logAppend ? Number(buf.readBigInt64BE(start + 35)) : undefined, logAppend ? 'LogAppendTime' : 'CreateTime', epoch >= 0 ? epoch : undefined)
      this.cursor = new BatchRecordReader(batch, count, Number(this.nextOffset))
      this.batchBase = baseOffset
      this.batchNext = next
      return true
    }
    this.pos = buf.length
    return false
  }

  /** read_committed: true when the batch belongs to an aborted transaction (or is its abort marker). */
  private skipAborted(buf: Buffer, start: number, attributes: number, lastOffset: bigint): boolean {
    const aborted = this.aborted!
    // Producers whose aborted transaction starts at or before this batch become "aborted" until their marker.
    while (aborted.length > 0 && aborted[0].firstOffset <= lastOffset) this.abortedProducers.add(aborted.shift()!.producerId)
    const producerId = buf.readBigInt64BE(start + 43)
    if ((attributes & CONTROL_BIT) !== 0) {
      // Control record key: version int16, type int16 (0 = abort); the marker ends the aborted range.
      if (this.abortedProducers.has(producerId)) this.abortedProducers.delete(producerId)
      return true
    }
    return this.abortedProducers.has(producerId)
  }

  private corrupt(why: string): KafkaError {
    return new KafkaError(ErrorCode.CORRUPT_MESSAGE, `corrupt data in ${this.state.topic}-${this.state.partition}: ${why}`)
  }
}
