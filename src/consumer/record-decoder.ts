/**
 * The consumer's hot path: turns one v2 batch's records section into ConsumerRecords straight
 * from the fetched bytes. A record keeps positions into the section; its key and value become
 * subarray views (no copies) on first access, and offset/timestamp become bigints on access,
 * because creating a Buffer view costs more than decoding the whole record and many consumers
 * (perf tools, filters on one field) never touch every field. A record without headers shares
 * one frozen empty array, and varints are read inline instead of through a cursor object.
 */
import {inspect} from 'node:util'
import type {ConsumerRecord} from './types.js'

const EMPTY_HEADERS: ConsumerRecord['headers'] = Object.freeze([]) as unknown as ConsumerRecord['headers']

/** The batch fields every record of the batch shares. */
export interface BatchContext {
  topic: string
  partition: number
  baseOffset: number
  baseTimestamp: number
  /** Set under LogAppendTime: every record takes the batch's max timestamp. */
  logAppendTime: number | undefined
  leaderEpoch: number | undefined
  /** Records below this offset are skipped (a batch may start before the fetch position). */
  minOffset: number
}

// Position after the last varint read; module state keeps the readers free of allocations.
let at = 0

function varint(buf: Buffer, pos: number): number {
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

function varlong(buf: Buffer, pos: number): number {
  // Doubles are exact up to 53 bits; timestamp deltas are far smaller.
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

/**
 * One fetched record. Fields are Kafka's; key/value/offset/timestamp are getters over the fetched
 * bytes (so spread `{...record}` does not copy them; use toJSON() for a plain object).
 */
export class FetchedRecord implements ConsumerRecord {
  private cachedKey: Buffer | null | undefined = undefined
  private cachedValue: Buffer | null | undefined = undefined

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly section: Buffer,
    private readonly keyPos: number,
    /** Key length in bytes, -1 for a null key. */
    readonly keySize: number,
    private readonly valuePos: number,
    /** Value length in bytes, -1 for a null value. */
    readonly valueSize: number,
    /** The offset as a number (exact below 2^53, which Kafka offsets stay under). */
    readonly offsetNumber: number,
    private readonly timestampNumber: number,
    readonly timestampType: ConsumerRecord['timestampType'],
    readonly headers: ConsumerRecord['headers'],
    readonly leaderEpoch: number | undefined,
  ) {}

  /** The record's offset. */
  get offset(): bigint {
    return BigInt(this.offsetNumber)
  }

  /** Timestamp in ms (CreateTime or LogAppendTime). */
  get timestamp(): bigint {
    return BigInt(this.timestampNumber)
  }

  /** The key as a view into the fetched bytes (null when absent). */
  get key(): Buffer | null {
    if (this.cachedKey === undefined) {
      this.cachedKey = this.keySize < 0 ? null : this.section.subarray(this.keyPos, this.keyPos + this.keySize)
    }
    return this.cachedKey
  }

  /** The value as a view into the fetched bytes (null when absent). */
  get value(): Buffer | null {
    if (this.cachedValue === undefined) {
      this.cachedValue = this.valueSize < 0 ? null : this.section.subarray(this.valuePos, this.valuePos + this.valueSize)
    }
    return this.cachedValue
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
}

/** Thrown for records that do not parse; the caller names the partition. */
export class RecordDecodeError extends Error {}

/**
 * Decodes `count` records of `section` into `out` (records below ctx.minOffset are skipped).
 * Throws RecordDecodeError when the bytes do not form exactly `count` well-formed records.
 */
export function decodeRecordsInto(section: Buffer, count: number, ctx: BatchContext, timestampType: ConsumerRecord['timestampType'], out: FetchedRecord[]): void {
  const end = section.length
  let pos = 0
  const {topic, partition, baseOffset, baseTimestamp, logAppendTime, leaderEpoch, minOffset} = ctx
  for (let i = 0; i < count; i++) {
    const len = varint(section, pos)
    pos = at
    const recordEnd = pos + len
    if (!(len >= 0) || recordEnd > end) throw new RecordDecodeError(`record ${i}: invalid length ${len}`)
    pos++ // attributes: unused
    const tsDelta = varlong(section, pos)
    const offsetDelta = varint(section, at)
    const offset = baseOffset + offsetDelta
    if (offset < minOffset) {
      pos = recordEnd
      continue
    }
    const keyLen = varint(section, at)
    const keyPos = at
    pos = at
    if (keyLen >= 0) {
      if (pos + keyLen > recordEnd) throw new RecordDecodeError(`record ${i}: key overruns the record`)
      pos += keyLen
    } else if (keyLen !== -1) {
      throw new RecordDecodeError(`record ${i}: invalid key length`)
    }
    const valueLen = varint(section, pos)
    const valuePos = at
    pos = at
    if (valueLen >= 0) {
      if (pos + valueLen > recordEnd) throw new RecordDecodeError(`record ${i}: value overruns the record`)
      pos += valueLen
    } else if (valueLen !== -1) {
      throw new RecordDecodeError(`record ${i}: invalid value length`)
    }
    const headerCount = varint(section, pos)
    pos = at
    let headers = EMPTY_HEADERS
    if (headerCount > 0) {
      headers = []
      for (let j = 0; j < headerCount && pos < recordEnd; j++) {
        const kLen = varint(section, pos)
        pos = at
        if (!(kLen >= 0) || pos + kLen > recordEnd) throw new RecordDecodeError(`record ${i}: header key overruns the record`)
        const hKey = section.toString('utf8', pos, pos + kLen)
        pos += kLen
        const vLen = varint(section, pos)
        pos = at
        let hValue: Buffer | null = null
        if (vLen >= 0) {
          if (pos + vLen > recordEnd) throw new RecordDecodeError(`record ${i}: header value overruns the record`)
          hValue = section.subarray(pos, pos + vLen)
          pos += vLen
        }
        headers.push({key: hKey, value: hValue})
      }
    } else if (headerCount < 0 || headerCount !== headerCount) {
      throw new RecordDecodeError(`record ${i}: invalid header count`)
    }
    if (pos !== recordEnd || tsDelta !== tsDelta || offsetDelta !== offsetDelta) {
      throw new RecordDecodeError(`record ${i}: fields do not fill its ${len}-byte length`)
    }
    out.push(new FetchedRecord(topic, partition, section, keyPos, keyLen, valuePos, valueLen, offset,
      logAppendTime ?? baseTimestamp + tsDelta, timestampType, headers, leaderEpoch))
  }
  if (pos !== end) throw new RecordDecodeError(`${end - pos} bytes after the last record`)
}
