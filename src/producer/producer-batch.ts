/**
 * ProducerBatch: one record batch v2 being filled for one partition. Records are encoded straight
 * into a BufferPool buffer after 61 bytes left for the header; `close()` writes the header,
 * compresses the records section when asked and computes the CRC once. The batch keeps the callers'
 * callbacks and create timestamps so it can answer each record when the broker answers the batch.
 * Created and filled by RecordAccumulator; sent, retried and completed by the Sender.
 */
import {
  ATTRIBUTES, BASE_OFFSET, BASE_SEQUENCE, BASE_TIMESTAMP, BATCH_LENGTH, CRC, HEADER_SIZE, LAST_OFFSET_DELTA,
  LOG_OVERHEAD, MAGIC, MAX_TIMESTAMP, PARTITION_LEADER_EPOCH, PRODUCER_EPOCH, PRODUCER_ID, RECORDS_COUNT,
  CompressionType, compress, crc32c, varintSize, varlongSize, writeVarint, writeVarlong,
} from '../records/index.js'

/** Where a record ended up; offset -1n with acks=0, timestamp = LogAppendTime when the broker says so. */
export interface RecordMetadata { topic: string; partition: number; offset: bigint; timestamp: bigint }

/** A record's completion callback. */
export type SendCallback = (err: Error | null, md?: RecordMetadata) => void

/** A record header as given to send(). */
export interface HeaderInput { key: string; value: Buffer | string | null }

/** Value/key as given to send(). */
export type Payload = Buffer | string | null | undefined

/** Why an append did not happen. */
export const enum AppendResult { Appended = 0, NoRoom = 1 }

interface HeaderBytes { key: Buffer; value: Buffer | null }

/** Bytes a record takes at most besides its payloads (length, attributes, deltas, header count). */
export const RECORD_OVERHEAD_MAX = 5 + 1 + 10 + 5 + 5 + 5 + 5

/** Upper bound of a record's encoded size, used to size a batch for one oversized record and to check limits. */
export function estimateRecordSize(key: Payload, value: Payload, headers: HeaderInput[] | null | undefined): number {
  let size = RECORD_OVERHEAD_MAX + payloadBytes(key) + payloadBytes(value)
  if (headers) for (const h of headers) size += 10 + Buffer.byteLength(h.key) + payloadBytes(h.value)
  return size
}

function payloadBytes(p: Payload): number {
  return p === null || p === undefined ? 0 : typeof p === 'string' ? Buffer.byteLength(p) : p.length
}

let nextBatchId = 1

/** One batch of one partition, from first append to completion. */
export class ProducerBatch {
  /**
   * Send order within a partition (retries go back in this order): creation order, except that the
   * halves of a split batch share the slot [id, id + span) of the batch they replace.
   */
  readonly id: number
  readonly span: number
  /** Write position in `buf` (records start at HEADER_SIZE). */
  private pos = HEADER_SIZE
  recordCount = 0
  private baseTimestamp = 0
  private maxTimestamp = 0
  // Callbacks and create times (for RecordMetadata) as runs: records sent in a burst share one
  // callback (perf produce) and one millisecond, so a batch of thousands holds a handful of entries
  // instead of two growing arrays per record -- the bulk of the producer's garbage otherwise.
  private readonly cbs: SendCallback[] = []
  private readonly cbRuns: number[] = []
  private readonly tsValues: number[] = []
  private readonly tsRuns: number[] = []
  /** No more appends: full, or drained. */
  closed = false
  /** The wire bytes once closed (a view of `buf`, or a new buffer when compressed). */
  wire: Buffer | undefined
  baseSequence = -1
  producerId = -1n
  producerEpoch = -1
  /** Send attempts so far. */
  attempts = 0
  /** Earliest time (ms) a retry may leave. */
  retryAt = 0
  lastError: Error | undefined
  /** New base sequence to stamp before the next attempt (an earlier batch failed while this one was in flight). */
  pendingSequence: number | undefined
  done = false
  /** Called once when the batch completes (flush bookkeeping). */
  onDone: Array<() => void> | undefined

  constructor(
    readonly topic: string,
    readonly partition: number,
    /** The batch's buffer; given back to the pool when the batch completes, unless `pooled` is false. */
    readonly buf: Buffer,
    readonly createdMs: number,
    slot?: {id: number; span: number},
    /** False for the halves of a split, whose buffers come from outside buffer.memory (as Kafka's do). */
    readonly pooled = true,
  ) {
    this.id = slot?.id ?? nextBatchId++
    this.span = slot?.span ?? 1
  }

  /** Bytes of records appended so far (plus header room). */
  get sizeInBytes(): number {
    return this.pos
  }

  /** True once nothing else is likely to fit. */
  get isFull(): boolean {
    return this.closed || this.buf.length - this.pos < 32
  }

  /**
   * Encodes one record at the end of the batch, or returns NoRoom (the batch is then closed when
   * it already holds records). Lengths are first guessed as one byte per string character and
   * checked after writing: an ASCII string then costs one write and no separate length scan.
   */
  append(timestamp: number, key: Payload, value: Payload, headers: HeaderInput[] | null | undefined, cb: SendCallback): AppendResult {
    if (this.closed) return AppendResult.NoRoom
    const keyLen = key === null || key === undefined ? -1 : key.length
    const valueLen = value === null || value === undefined ? -1 : value.length
    let end = this.write(timestamp, key, keyLen, value, valueLen, headers)
    if (end === -2) {
      // A string was not plain ASCII: encode again with exact byte lengths.
      const exactKey = typeof key === 'string' ? Buffer.byteLength(key) : keyLen
      const exactValue = typeof value === 'string' ? Buffer.byteLength(value) : valueLen
      end = this.write(timestamp, key, exactKey, value, exactValue, headers, true)
    }
    if (end < 0) {
      if (this.recordCount > 0) this.closed = true
      return AppendResult.NoRoom
    }
    if (this.recordCount === 0) {
      this.baseTimestamp = timestamp
      this.maxTimestamp = timestamp
    } else if (timestamp > this.maxTimestamp) {
      this.maxTimestamp = timestamp
    }
    this.pos = end
    this.recordCount++
    const c = this.cbs.length - 1
    if (c >= 0 && this.cbs[c] === cb) this.cbRuns[c]++
    else {
      this.cbs.push(cb)
      this.cbRuns.push(1)
    }
    const t = this.tsValues.length - 1
    if (t >= 0 && this.tsValues[t] === timestamp) this.tsRuns[t]++
    else {
      this.tsValues.push(timestamp)
      this.tsRuns.push(1)
    }
    return AppendResult.Appended
  }

  /** Writes one record at `pos`; returns the end, -1 when it does not fit, -2 when a guessed string length was wrong. */
  private write(timestamp: number, key: Payload, keyLen: number, value: Payload, valueLen: number,
    headers: HeaderInput[] | null | undefined, exact = false): number {
    const buf = this.buf
    const delta = this.recordCount === 0 ? 0 : timestamp - this.baseTimestamp
    const offsetDelta = this.recordCount
    let hdrs: HeaderBytes[] | null = null
    let headersSize = 1
    if (headers && headers.length > 0) {
      hdrs = new Array(headers.length)
      headersSize = varintSize(headers.length)
      for (let i = 0; i < headers.length; i++) {
        const h = headers[i]
        const hk = Buffer.from(h.key)
        const hv = h.value === null || h.value === undefined ? null : typeof h.value === 'string' ? Buffer.from(h.value) : h.value
        hdrs[i] = {key: hk, value: hv}
        headersSize += varintSize(hk.length) + hk.length + (hv === null ? 1 : varintSize(hv.length) + hv.length)
      }
    }
    const bodySize = 1 + (delta >= 0 && delta < 64 ? 1 : varlongSize(delta)) + varintSize(offsetDelta) +
      (keyLen < 0 ? 1 : varintSize(keyLen) + keyLen) + (valueLen < 0 ? 1 : varintSize(valueLen) + valueLen) + headersSize
    const total = varintSize(bodySize) + bodySize
    let pos = this.pos
    // An empty batch always takes its first record: the accumulator sized the buffer for it.
    if (pos + total > buf.length) return -1
    pos = writeVarint(buf, pos, bodySize)
    buf[pos++] = 0
    pos = delta >= 0 && delta < 64 ? (buf[pos] = delta << 1, pos + 1) : writeVarlong(buf, pos, delta)
    pos = writeVarint(buf, pos, offsetDelta)
    pos = writePayload(buf, pos, key, keyLen, exact)
    if (pos < 0) return -2
    pos = writePayload(buf, pos, value, valueLen, exact)
    if (pos < 0) return -2
    if (hdrs === null) {
      buf[pos++] = 0
    } else {
      pos = writeVarint(buf, pos, hdrs.length)
      for (const h of hdrs) {
        pos = writeVarint(buf, pos, h.key.length)
        pos += h.key.copy(buf, pos)
        if (h.value === null) {
          pos = writeVarint(buf, pos, -1)
        } else {
          pos = writeVarint(buf, pos, h.value.length)
          pos += h.value.copy(buf, pos)
        }
      }
    }
    return pos
  }

  /**
   * Seals the batch for sending: header fields, optional compression of the records section, and
   * the CRC-32C. Idempotent batches carry the producer id, epoch and base sequence.
   */
  close(compression: CompressionType, producerId: bigint, producerEpoch: number, baseSequence: number): Buffer {
    this.closed = true
    this.producerId = producerId
    this.producerEpoch = producerEpoch
    this.baseSequence = baseSequence
    let wire = this.buf.subarray(0, this.pos)
    if (compression !== CompressionType.None) {
      const packed = compress(compression, wire.subarray(HEADER_SIZE))
      wire = Buffer.allocUnsafe(HEADER_SIZE + packed.length)
      packed.copy(wire, HEADER_SIZE)
    }
    wire.writeBigInt64BE(0n, BASE_OFFSET)
    wire.writeInt32BE(wire.length - LOG_OVERHEAD, BATCH_LENGTH)
    wire.writeInt32BE(-1, PARTITION_LEADER_EPOCH)
    wire[MAGIC] = 2
    wire.writeInt16BE(compression, ATTRIBUTES)
    wire.writeInt32BE(this.recordCount - 1, LAST_OFFSET_DELTA)
    wire.writeBigInt64BE(BigInt(this.baseTimestamp), BASE_TIMESTAMP)
    wire.writeBigInt64BE(BigInt(this.maxTimestamp), MAX_TIMESTAMP)
    wire.writeInt32BE(this.recordCount, RECORDS_COUNT)
    this.wire = wire
    this.stampProducer(producerId, producerEpoch, baseSequence)
    return wire
  }

  /** Rewrites producer id, epoch and base sequence (a resequenced retry) and the CRC they are under. */
  stampProducer(producerId: bigint, producerEpoch: number, baseSequence: number): void {
    const wire = this.wire!
    this.producerId = producerId
    this.producerEpoch = producerEpoch
    this.baseSequence = baseSequence
    wire.writeBigInt64BE(producerId, PRODUCER_ID)
    wire.writeInt16BE(producerEpoch, PRODUCER_EPOCH)
    wire.writeInt32BE(baseSequence, BASE_SEQUENCE)
    wire.writeUInt32BE(crc32c(wire, ATTRIBUTES), CRC)
  }

  /** Each record's callback, in record order (a split hands them to the halves). */
  recordCallbacks(): SendCallback[] {
    const out: SendCallback[] = []
    for (let c = 0; c < this.cbs.length; c++) for (let k = 0; k < this.cbRuns[c]; k++) out.push(this.cbs[c])
    return out
  }

  /**
   * Answers every record: offsets base..base+n-1, or everyone's error. A callback declared with exactly
   * one parameter gets no RecordMetadata (saves an object and two bigints per record on the hot path).
   * Callback exceptions are passed to `onCallbackError`.
   */
  complete(baseOffset: bigint, logAppendTime: bigint, err: Error | null, onCallbackError: (e: unknown) => void): void {
    if (this.done) return
    this.done = true
    const {cbs, cbRuns, tsValues, tsRuns, topic, partition} = this
    // i: record index; t/tLeft: the timestamp run holding record i and what is left of it.
    let i = 0
    let t = 0
    let tLeft = tsRuns.length > 0 ? tsRuns[0] : 0
    for (let c = 0; c < cbs.length; c++) {
      const cb = cbs[c]
      const run = cbRuns[c]
      // A callback declared as (err) => ... cannot read the metadata: skip building it.
      const bare = err !== null || cb.length === 1
      for (let k = 0; k < run; k++, i++) {
        while (tLeft === 0) tLeft = tsRuns[++t]
        tLeft--
        try {
          if (bare) cb(err)
          else {
            cb(null, {
              topic, partition,
              offset: baseOffset < 0n ? -1n : baseOffset + BigInt(i),
              timestamp: logAppendTime >= 0n ? logAppendTime : BigInt(tsValues[t]),
            })
          }
        } catch (e) {
          onCallbackError(e)
        }
      }
    }
    if (this.onDone) for (const f of this.onDone) f()
  }
}

/** Writes a nullable payload with its zigzag length; -1 when a string's guessed length was wrong. */
function writePayload(buf: Buffer, pos: number, p: Payload, len: number, exact: boolean): number {
  if (len < 0) {
    buf[pos] = 1 // zigzag(-1)
    return pos + 1
  }
  pos = writeVarint(buf, pos, len)
  if (typeof p === 'string') {
    const room = buf.length - pos
    const written = (buf as any).utf8Write(p, pos, room) as number
    // Equal byte and character counts mean plain ASCII, unless the write was cut short near the end.
    if (!exact && (written !== len || (room - len < 4 && Buffer.byteLength(p) !== len))) return -1
    return pos + written
  }
  if (len > 0) {
    if (len < 64) {
      for (let i = 0; i < len; i++) buf[pos + i] = p![i]
    } else {
      buf.set(p!, pos)
    }
  }
  return pos + len
}
