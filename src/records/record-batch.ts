// Encoding and decoding of whole v2 record batches: used by clients and `log dump`; the broker keeps bytes.
import {
  ATTRIBUTES, BASE_OFFSET, BASE_SEQUENCE, BASE_TIMESTAMP, BATCH_LENGTH, CONTROL_BIT, CRC, HEADER_SIZE, LAST_OFFSET_DELTA,
  LOG_OVERHEAD, MAGIC, MAX_TIMESTAMP, PARTITION_LEADER_EPOCH, PRODUCER_EPOCH, PRODUCER_ID, RECORDS_COUNT,
  TIMESTAMP_TYPE_BIT, TRANSACTIONAL_BIT, batchCrcValid, iterateBatches, readBatchHeader,
  type BatchHeader, type TimestampType,
} from './batch-header.js'
import {CompressionType, compress, decompress} from './compression.js'
import {crc32c} from './crc32c.js'
import {CorruptRecordError} from './errors.js'
import {RecordCursor, varintSize, varlongSize, writeVarint, writeVarlong} from './varint.js'

/** One record header; values may be null, keys may not. */
export interface RecordHeader {
  key: string
  value: Buffer | null
}

/** A decoded record with its absolute offset and timestamp. */
export interface Record {
  offset: bigint
  timestamp: bigint
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
}

/** Control record types (key: version int16, type int16). */
export enum ControlType {
  Abort = 0,
  Commit = 1,
}

/** A decoded batch. key/value buffers are views into the input (or into the decompressed section). */
export interface RecordBatch extends BatchHeader {
  records: Record[]
  /** For control batches: the type in the first record's key. */
  controlType?: ControlType
}

/** A record to encode; strings are written as UTF-8. A missing timestamp means "now". */
export interface RecordInput {
  key?: Buffer | string | null
  value?: Buffer | string | null
  headers?: {key: string; value: Buffer | string | null}[] | null
  timestamp?: bigint | number
}

/** Options of encodeRecordBatch; header fields default to a non-idempotent, non-transactional batch. */
export interface EncodeBatchOptions {
  baseOffset?: bigint
  records: RecordInput[]
  compression?: CompressionType
  /** gzip/zstd level; undefined = codec default. */
  compressionLevel?: number
  producerId?: bigint
  producerEpoch?: number
  baseSequence?: number
  isTransactional?: boolean
  isControl?: boolean
  partitionLeaderEpoch?: number
  baseTimestamp?: bigint
  timestampType?: TimestampType
}

type Bytes = Buffer | null

function toBytes(v: Buffer | string | null | undefined): Bytes {
  return v === undefined || v === null ? null : typeof v === 'string' ? Buffer.from(v) : v
}

function bytesSize(b: Bytes): number {
  return b === null ? 1 : varintSize(b.length) + b.length
}

function writeBytes(buf: Buffer, pos: number, b: Bytes): number {
  if (b === null) return writeVarint(buf, pos, -1)
  pos = writeVarint(buf, pos, b.length)
  buf.set(b, pos)
  return pos + b.length
}

/** Encodes one v2 batch; sets lastOffsetDelta, maxTimestamp, batchLength and crc. */
export function encodeRecordBatch(opts: EncodeBatchOptions): Buffer {
  const n = opts.records.length
  const now = BigInt(Date.now())
  const timestamps: bigint[] = new Array(n)
  for (let i = 0; i < n; i++) {
    const ts = opts.records[i].timestamp
    timestamps[i] = ts === undefined ? now : BigInt(ts)
  }
  const baseTimestamp = opts.baseTimestamp ?? (n > 0 ? timestamps[0] : now)
  let maxTimestamp = n > 0 ? timestamps[0] : baseTimestamp

  // Pass 1: normalise inputs and size every record so the batch is written into one allocation.
  const keys: Bytes[] = new Array(n)
  const values: Bytes[] = new Array(n)
  const headerKeys: Buffer[][] = new Array(n)
  const headerValues: Bytes[][] = new Array(n)
  const deltas: number[] = new Array(n)
  const bodySizes: number[] = new Array(n)
  let recordsSize = 0
  for (let i = 0; i < n; i++) {
    const r = opts.records[i]
    if (timestamps[i] > maxTimestamp) maxTimestamp = timestamps[i]
    const delta = Number(timestamps[i] - baseTimestamp)
    const key = (keys[i] = toBytes(r.key))
    const value = (values[i] = toBytes(r.value))
    const hs = r.headers ?? []
    const hk: Buffer[] = (headerKeys[i] = new Array(hs.length))
    const hv: Bytes[] = (headerValues[i] = new Array(hs.length))
    let size = 1 + varlongSize(delta) + varintSize(i) + bytesSize(key) + bytesSize(value) + varintSize(hs.length)
    for (let j = 0; j < hs.length; j++) {
      hk[j] = Buffer.from(hs[j].key)
      hv[j] = toBytes(hs[j].value)
      size += bytesSize(hk[j]) + bytesSize(hv[j])
    }
    deltas[i] = delta
    bodySizes[i] = size
    recordsSize += varintSize(size) + size
  }

  // Pass 2: write records, straight after the header unless they must be compressed first.
  const compression = opts.compression ?? CompressionType.None
  const inPlace = compression === CompressionType.None
  const records = Buffer.allocUnsafe((inPlace ? HEADER_SIZE : 0) + recordsSize)
  let pos = inPlace ? HEADER_SIZE : 0
  for (let i = 0; i < n; i++) {
    pos = writeVarint(records, pos, bodySizes[i])
    records[pos++] = 0 // record attributes: unused
    pos = writeVarlong(records, pos, deltas[i])
    pos = writeVarint(records, pos, i)
    pos = writeBytes(records, pos, keys[i])
    pos = writeBytes(records, pos, values[i])
    const hk = headerKeys[i], hv = headerValues[i]
    pos = writeVarint(records, pos, hk.length)
    for (let j = 0; j < hk.length; j++) {
      pos = writeBytes(records, pos, hk[j])
      pos = writeBytes(records, pos, hv[j])
    }
  }

  let batch = records
  if (!inPlace) {
    const compressed = compress(compression, records, opts.compressionLevel)
    batch = Buffer.allocUnsafe(HEADER_SIZE + compressed.length)
    batch.set(compressed, HEADER_SIZE)
  }
  let attributes = compression
  if (opts.timestampType === 'LogAppendTime') attributes |= TIMESTAMP_TYPE_BIT
  if (opts.isTransactional) attributes |= TRANSACTIONAL_BIT
  if (opts.isControl) attributes |= CONTROL_BIT
  batch.writeBigInt64BE(opts.baseOffset ?? 0n, BASE_OFFSET)
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, BATCH_LENGTH)
  batch.writeInt32BE(opts.partitionLeaderEpoch ?? -1, PARTITION_LEADER_EPOCH)
  batch.writeInt8(2, MAGIC)
  batch.writeInt16BE(attributes, ATTRIBUTES)
  batch.writeInt32BE(Math.max(0, n - 1), LAST_OFFSET_DELTA)
  batch.writeBigInt64BE(baseTimestamp, BASE_TIMESTAMP)
  batch.writeBigInt64BE(maxTimestamp, MAX_TIMESTAMP)
  batch.writeBigInt64BE(opts.producerId ?? -1n, PRODUCER_ID)
  batch.writeInt16BE(opts.producerEpoch ?? -1, PRODUCER_EPOCH)
  batch.writeInt32BE(opts.baseSequence ?? -1, BASE_SEQUENCE)
  batch.writeInt32BE(n, RECORDS_COUNT)
  batch.writeUInt32BE(crc32c(batch, ATTRIBUTES), CRC)
  return batch
}

/** Key of a control record (version 0, type). */
export function controlRecordKey(type: ControlType): Buffer {
  const b = Buffer.alloc(4)
  b.writeInt16BE(type, 2)
  return b
}

/** Value of an end-transaction marker (version 0, coordinatorEpoch). */
export function controlRecordValue(coordinatorEpoch: number): Buffer {
  const b = Buffer.alloc(6)
  b.writeInt32BE(coordinatorEpoch, 2)
  return b
}

/** Options of the decoders. */
export interface DecodeOptions {
  /** Check CRC-32C before decoding (default true, like the Java consumer's check.crcs). */
  verifyCrc?: boolean
}

/** Decodes the batch at pos, decompressing if needed; throws CorruptRecordError on malformed bytes. */
export function decodeRecordBatch(buf: Buffer, pos: number, opts: DecodeOptions = {}): RecordBatch {
  if (pos < 0 || pos + HEADER_SIZE > buf.length) throw new CorruptRecordError(`no complete batch header at ${pos}`)
  const header = readBatchHeader(buf, pos)
  const end = pos + LOG_OVERHEAD + header.batchLength
  if (header.magic !== 2) throw new CorruptRecordError(`unsupported magic ${header.magic} at ${pos}`)
  if (end < pos + HEADER_SIZE || end > buf.length) throw new CorruptRecordError(`batch at ${pos} overruns the buffer`)
  if (opts.verifyCrc !== false && !batchCrcValid(buf, pos)) throw new CorruptRecordError(`CRC-32C mismatch in batch at ${pos}`)
  if (header.recordsCount < 0) throw new CorruptRecordError(`negative record count in batch at ${pos}`)

  const section = header.compression === CompressionType.None
    ? buf.subarray(pos + HEADER_SIZE, end)
    : decompress(header.compression, buf.subarray(pos + HEADER_SIZE, end))
  const records = decodeRecords(section, header)
  const batch: RecordBatch = {...header, records}
  if (header.isControl && records.length > 0) {
    const key = records[0].key
    if (key !== null && key.length >= 4) batch.controlType = key.readInt16BE(2)
  }
  return batch
}

function decodeRecords(section: Buffer, h: BatchHeader): Record[] {
  const records: Record[] = [] // not pre-sized: recordsCount is untrusted
  const c = new RecordCursor(section, 0, section.length)
  const logAppendTime = h.timestampType === 'LogAppendTime'
  for (let i = 0; i < h.recordsCount; i++) {
    c.end = section.length
    const len = c.varint()
    if (c.bad || len < 0 || len > section.length - c.pos) throw new CorruptRecordError(`record ${i}: invalid length ${len}`)
    const recordEnd = c.pos + len
    c.end = recordEnd
    c.int8() // attributes: unused
    const timestampDelta = c.varlong()
    const offsetDelta = c.varint()
    const key = c.nullableBytes()
    const value = c.nullableBytes()
    const headerCount = c.varint()
    if (headerCount < 0) throw new CorruptRecordError(`record ${i}: negative header count`)
    const headers: RecordHeader[] = []
    for (let j = 0; j < headerCount && !c.bad; j++) headers.push({key: c.string(), value: c.nullableBytes()})
    if (c.bad || c.pos !== recordEnd) throw new CorruptRecordError(`record ${i}: fields do not fill its ${len}-byte length`)
    records.push({
      offset: h.baseOffset + BigInt(offsetDelta),
      // Under LogAppendTime the broker's time (maxTimestamp) replaces every record's own timestamp.
      timestamp: logAppendTime ? h.maxTimestamp : h.baseTimestamp + timestampDelta,
      key,
      value,
      headers,
    })
  }
  if (c.pos !== section.length) throw new CorruptRecordError(`${section.length - c.pos} bytes after the last record`)
  return records
}

/** Decodes concatenated batches (a Fetch response's records), skipping a partial tail batch. */
export function decodeRecordBatches(buf: Buffer, opts: DecodeOptions = {}): RecordBatch[] {
  const out: RecordBatch[] = []
  for (const {pos} of iterateBatches(buf)) out.push(decodeRecordBatch(buf, pos, opts))
  return out
}
