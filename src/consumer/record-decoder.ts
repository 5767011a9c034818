/**
 * The consumer's hot path: turns one v2 batch's records section into ConsumerRecords straight
 * from the fetched bytes, a few at a time as poll() asks for them. The decode loop checks every
 * field of every record, as Kafka's consumer does, but a record keeps only where it starts and
 * points to one FetchedBatch for what its batch shares: key, value and headers become views (no
 * copies) on first access, sizes, offset and timestamp are read back on access, because most
 * consumers (perf tools, filters on one field) never touch every field and every stored field is
 * allocated a million times per million records. Varints are read inline instead of through a
 * cursor object.
 */
import {inspect} from 'node:util'
import type {ConsumerRecord} from './types.js'

const EMPTY_HEADERS: ConsumerRecord['headers'] = Object.freeze([]) as unknown as ConsumerRecord['headers']

/** What every record of one batch shares: one object per batch, which its records point to. */
export class FetchedBatch {
  constructor(
    readonly topic: string,
    readonly partition: number,
    /** The batch's records section (decompressed when the batch was compressed). */
    readonly section: Buffer,
    readonly baseOffset: number,
    readonly baseTimestamp: number,
    /** Set under LogAppendTime: every record takes the batch's max timestamp. */
    readonly logAppendTime: number | undefined,
    readonly timestampType: ConsumerRecord['timestampType'],
    readonly leaderEpoch: number | undefined,
  ) {}
}

// Position after the last varint read; module state keeps the readers free of allocations.
let at = 0

/**
 * Zigzag varint at pos (NaN when longer than 5 bytes). The one- and two-byte forms real records are
 * made of are decoded inline; the function is small so that every call site inlines it.
 */
function varint(buf: Buffer, pos: number): number {
  const b0 = buf[pos]
  if (b0 < 0x80) {
    at = pos + 1
    return (b0 >>> 1) ^ -(b0 & 1)
  }
  const b1 = buf[pos + 1]
  if (b1 < 0x80) {
    at = pos + 2
    const z = (b0 & 0x7f) | (b1 << 7)
    return (z >>> 1) ^ -(z & 1)
  }
  return varintLoop(buf, pos)
}

function varintLoop(buf: Buffer, pos: number): number {
  let result = 0
  for (let shift = 0; shift < 35; shift += 7) {
    const b = buf[pos++]
    result |= (b & 0x7f) << shift
    if (b < 0x80) {
      at = pos
      return (result >>> 1) ^ -(result & 1)
    }
  }
  at = pos
  return NaN
}

/** Zigzag varlong at pos as a double (exact up to 53 bits; timestamp deltas are far smaller). */
function varlong(buf: Buffer, pos: number): number {
  const b0 = buf[pos]
  if (b0 < 0x80) {
    at = pos + 1
    return (b0 >>> 1) ^ -(b0 & 1)
  }
  return varlongLoop(buf, pos)
}

function varlongLoop(buf: Buffer, pos: number): number {
  let z = 0
  let mul = 1
  for (let i = 0; i < 10; i++) {
    const b = buf[pos++]
    z += (b & 0x7f) * mul
    if (b < 0x80) {
      at = pos
      return z % 2 === 0 ? z / 2 : -(z + 1) / 2
    }
    mul *= 0x80
  }
  at = pos
  return NaN
}

/** A record's key, value and headers once asked for, kept so that `record.value === record.value`. */
interface RecordViews { key: Buffer | null | undefined; value: Buffer | null | undefined; headers: ConsumerRecord['headers'] | undefined }

/**
 * One fetched record: its batch and where it starts. Every field is read back from the fetched
 * bytes when asked for (the decode loop already checked them), so a record is two fields and an
 * initially empty third: a million records allocate half of what they would with every field
 * stored, which is fewer young-generation collections and fewer buffers promoted by them.
 * Spread `{...record}` does not copy the getters; use toJSON() for a plain object.
 */
export class FetchedRecord implements ConsumerRecord {
  private views: RecordViews | undefined = undefined

  constructor(
    private readonly batch: FetchedBatch,
    /** Position of the record's attributes byte (right after its length) in the batch section. */
    private readonly pos: number,
  ) {}

  /** Key length in bytes, -1 for a null key (leaves `at` at the key's first byte). */
  get keySize(): number {
    const section = this.batch.section
    varlong(section, this.pos + 1)
    varint(section, at)
    return varint(section, at)
  }

  /** Value length in bytes, -1 for a null value (leaves `at` at the value's first byte). */
  get valueSize(): number {
    const keySize = this.keySize
    return varint(this.batch.section, at + (keySize > 0 ? keySize : 0))
  }

  /** The topic. */
  get topic(): string {
    return this.batch.topic
  }

  /** The partition. */
  get partition(): number {
    return this.batch.partition
  }

  /** The offset as a number (exact below 2^53, which Kafka offsets stay under). */
  get offsetNumber(): number {
    varlong(this.batch.section, this.pos + 1)
    return this.batch.baseOffset + varint(this.batch.section, at)
  }

  /** The record's offset. */
  get offset(): bigint {
    return BigInt(this.offsetNumber)
  }

  /** Timestamp in ms (CreateTime or LogAppendTime). */
  get timestamp(): bigint {
    const batch = this.batch
    return BigInt(batch.logAppendTime ?? batch.baseTimestamp + varlong(batch.section, this.pos + 1))
  }

  /** CreateTime or LogAppendTime, as the batch says. */
  get timestampType(): ConsumerRecord['timestampType'] {
    return this.batch.timestampType
  }

  /** The partition leader's epoch when the batch was written (undefined when unknown). */
  get leaderEpoch(): number | undefined {
    return this.batch.leaderEpoch
  }

  /** The key as a view into the fetched bytes (null when absent). */
  get key(): Buffer | null {
    const views = this.viewsOf()
    if (views.key === undefined) {
      const size = this.keySize
      views.key = size < 0 ? null : this.batch.section.subarray(at, at + size)
    }
    return views.key
  }

  /** The value as a view into the fetched bytes (null when absent). */
  get value(): Buffer | null {
    const views = this.viewsOf()
    if (views.value === undefined) {
      const size = this.valueSize
      views.value = size < 0 ? null : this.batch.section.subarray(at, at + size)
    }
    return views.value
  }

  /** The headers, in order (one shared frozen empty array when there are none). */
  get headers(): ConsumerRecord['headers'] {
    const views = this.viewsOf()
    if (views.headers === undefined) {
      const section = this.batch.section
      const size = this.valueSize
      const count = varint(section, at + (size > 0 ? size : 0))
      views.headers = count > 0 ? decodeHeaders(section, at, count) : EMPTY_HEADERS
    }
    return views.headers
  }

  /** A plain object with every field of ConsumerRecord. */
  toJSON(): ConsumerRecord {
    return {
      topic: this.topic, partition: this.partition, offset: this.offset, timestamp: this.timestamp, timestampType: this.timestampType,
      key: this.key, value: this.value, headers: this.headers, leaderEpoch: this.leaderEpoch,
    }
  }

  [inspect.custom](): ConsumerRecord {
    return this.toJSON()
  }

  private viewsOf(): RecordViews {
    return (this.views ??= {key: undefined, value: undefined, headers: undefined})
  }
}

/**
 * An empty array for decodeInto to fill, already in the elements kind of an array of objects. A
 * plain `[]` starts as an array of small integers and changes its map on the first store; the decode
 * loop, optimized on the first poll's array after that change, would deoptimize on the next poll's
 * fresh one, and warm up again.
 */
export function newRecordArray(): FetchedRecord[] {
  const out: FetchedRecord[] = [OBJECT_ELEMENT as FetchedRecord]
  out.length = 0
  return out
}

const OBJECT_ELEMENT = Object.freeze({})

/** Thrown for records that do not parse; the caller names the partition. */
export class RecordDecodeError extends Error {}

/**
 * The error for record i. The messages are built in here, not by a template literal at each throw:
 * the optimizer merged the throws' identical number-to-string conversions of i and hoisted the
 * one left into the decode loop, where it ran for every record (a twentieth of the decode time).
 */
function recordError(i: number, why: string, value?: number): RecordDecodeError {
  return new RecordDecodeError(`record ${i}: ${why}${value === undefined ? '' : ` (${value})`}`)
}

/**
 * Decodes one batch's records a few at a time, as poll() asks for them, so only the records handed
 * out are ever alive (a whole batch of records decoded at once would survive young-generation
 * collections and be copied by each). Records below `minOffset` are skipped. decodeInto throws
 * RecordDecodeError when the bytes do not form exactly `count` well-formed records.
 */
export class BatchRecordReader {
  private pos = 0
  private index = 0
  /** Offset of the last record handed out, -1 before the first. */
  lastOffset = -1
  /** Key and value bytes of the records the last decodeInto handed out. */
  lastBytes = 0

  constructor(private readonly batch: FetchedBatch, private readonly count: number, private readonly minOffset: number) {}

  /** True once every record of the batch has been decoded. */
  get done(): boolean {
    return this.index >= this.count
  }

  /** Appends up to `max` records to `out`; returns how many. */
  decodeInto(out: FetchedRecord[], max: number): number {
    const batch = this.batch
    const section = batch.section
    const end = section.length
    const {baseOffset} = batch
    const minOffset = this.minOffset
    let pos = this.pos
    let i = this.index
    let taken = 0
    let bytes = 0
    let lastDelta = -1
    for (; i < this.count && taken < max; i++) {
      const len = varint(section, pos)
      pos = at
      const recordEnd = pos + len
      if (!(len >= 0) || recordEnd > end) throw recordError(i, 'invalid length', len)
      const recordStart = pos
      pos++ // attributes: unused
      const tsDelta = varlong(section, pos)
      pos = at
      // Past one byte, offset deltas go through varintLoop, also at two bytes: in batches of more than
      // 8192 records they reach three, and the call is warm by then. An inline two-byte branch would
      // leave the three-byte case a branch never taken when the optimizer ran, which deoptimizes the
      // loop the first time it is taken, and the loop warms up all over again.
      let offsetDelta: number
      const b = section[pos]
      if (b < 0x80) {
        offsetDelta = (b >>> 1) ^ -(b & 1)
        pos += 1
      } else {
        offsetDelta = varintLoop(section, pos)
        pos = at
      }
      if (baseOffset + offsetDelta < minOffset) {
        pos = recordEnd
        continue
      }
      const keyLen = varint(section, pos)
      pos = skipField(keyLen, at, recordEnd, i, 'key')
      const valueLen = varint(section, pos)
      pos = at
      pos = skipField(valueLen, pos, recordEnd, i, 'value')
      const headerCount = varint(section, pos)
      pos = at
      if (headerCount > 0) {
        pos = skipHeaders(section, pos, recordEnd, headerCount, i)
      } else if (headerCount < 0 || headerCount !== headerCount) {
        throw recordError(i, 'invalid header count')
      }
      if (pos !== recordEnd || tsDelta !== tsDelta || offsetDelta !== offsetDelta) {
        throw recordError(i, 'fields do not fill its length', len)
      }
      // An indexed store, not push(): the optimizer left push() here as a call to the generic builtin
      // (about a twentieth of the consumer's time in a perf profile of 1M records).
      out[out.length] = new FetchedRecord(batch, recordStart)
      lastDelta = offsetDelta
      bytes += (keyLen > 0 ? keyLen : 0) + (valueLen > 0 ? valueLen : 0)
      taken++
    }
    this.pos = pos
    this.index = i
    this.lastBytes = bytes
    if (lastDelta >= 0) this.lastOffset = baseOffset + lastDelta
    if (i >= this.count && pos !== end) throw new RecordDecodeError(`${end - pos} bytes after the last record`)
    return taken
  }
}

/** Position after a field of `len` bytes at pos (-1: null, no bytes); throws when it overruns the record. */
function skipField(len: number, pos: number, recordEnd: number, i: number, what: string): number {
  if (len >= 0) {
    if (pos + len > recordEnd) throw recordError(i, what + ' overruns the record')
    return pos + len
  }
  if (len !== -1) throw recordError(i, 'invalid ' + what + ' length', len)
  return pos
}

/** Position after the `count` headers at pos; throws when they do not fit in the record. */
function skipHeaders(section: Buffer, pos: number, recordEnd: number, count: number, i: number): number {
  for (let j = 0; j < count; j++) {
    if (pos >= recordEnd) throw recordError(i, `${count} headers promised, ${j} present`)
    const kLen = varint(section, pos)
    pos = at
    if (!(kLen >= 0) || pos + kLen > recordEnd) throw recordError(i, 'header key overruns the record')
    pos += kLen
    const vLen = varint(section, pos)
    pos = at
    if (vLen >= 0) {
      if (pos + vLen > recordEnd) throw recordError(i, 'header value overruns the record')
      pos += vLen
    }
  }
  return pos
}

/** The `count` headers at pos, which skipHeaders has checked. */
function decodeHeaders(section: Buffer, pos: number, count: number): ConsumerRecord['headers'] {
  const headers: ConsumerRecord['headers'] = []
  for (let j = 0; j < count; j++) {
    const kLen = varint(section, pos)
    pos = at
    const hKey = section.toString('utf8', pos, pos + kLen)
    pos += kLen
    const vLen = varint(section, pos)
    pos = at
    let hValue: Buffer | null = null
    if (vLen >= 0) {
      hValue = section.subarray(pos, pos + vLen)
      pos += vLen
    }
    headers.push({key: hKey, value: hValue})
  }
  return headers
}
