// The record walk of broker-side batch validation (Kafka's LogValidator reads every record too), in
// two versions: native/walk-records.c in samsa's addon, and the JS below, which is the reference and
// the fallback where the addon was not built.
import {nativeAddon} from './native.js'

// attributes i8 + timestampDelta + offsetDelta + key len + value len + header count, each at least 1 byte.
const MIN_RECORD_BODY = 6

type RecordWalk = (buf: Buffer, start: number, end: number, count: number, sequentialOffsets: boolean) => string | null

const nativeWalk = nativeAddon?.walkRecords

/**
 * The native walk (native/walk-records.c), about twice the speed of the JS one below; its results
 * become the same reasons, word for word.
 */
function walkRecordsNative(buf: Buffer, start: number, end: number, count: number, sequentialOffsets: boolean): string | null {
  const r = nativeWalk!(buf, start, end, count, sequentialOffsets)
  return r === 0 ? null : nativeReason(r, count)
}

/** walk_result in native/walk-records.h: the addon answers with these numbers. */
const enum WalkResult {
  LengthMalformed = 1, LengthInvalid = 2, BadFields = 3, NegativeHeaders = 4, NullHeaderKey = 5,
  OffsetDelta = 6, CountMismatch = 7, TrailingBytes = 8,
}

/** The reason a native walk result stands for. */
function nativeReason([result, i, value]: [number, number, number], count: number): string {
  switch (result) {
    case WalkResult.LengthMalformed: return recordReason(i, 'length invalid or overruns the batch')
    case WalkResult.LengthInvalid: return recordReason(i, 'length invalid or overruns the batch', value)
    case WalkResult.BadFields: return badFields(i, value)
    case WalkResult.NegativeHeaders: return recordReason(i, 'negative header count', value)
    case WalkResult.NullHeaderKey: return recordReason(i, 'null header key')
    case WalkResult.OffsetDelta: return recordReason(i, 'offsetDelta is not the record\'s index', value)
    case WalkResult.CountMismatch: return `header says ${count} records, found ${i}`
    case WalkResult.TrailingBytes: return `${value} bytes after the last of ${count} records`
    default: return `record ${i}: unknown walk result ${result}`
  }
}

/** The record walks available here, by name (for tests that hold them to each other). */
export const RECORD_WALKS: Record<string, RecordWalk> = {
  ...(nativeWalk ? {native: walkRecordsNative} : {}),
  js: walkRecords,
}

/** The record walk in use: native where the addon is built. */
export const walk: RecordWalk = nativeWalk ? walkRecordsNative : walkRecords

/**
 * Position after the varint varintAt last read, or -1 when it was cut short by the end or longer than
 * 5 bytes. Module state rather than a result object: the record walk must not allocate, and a
 * small-integer return value keeps varintAt cheap to inline.
 */
let varintEnd = 0

/** Zigzag varint of at most 5 bytes at buf[pos, end); sets varintEnd (-1 and returns 0 when malformed). */
function varintAt(buf: Buffer, pos: number, end: number): number {
  let result = 0
  for (let shift = 0; shift < 35; shift += 7) {
    if (pos >= end) break
    const b = buf[pos++]
    result |= (b & 0x7f) << shift
    if (b < 0x80) {
      varintEnd = pos
      return (result >>> 1) ^ -(result & 1)
    }
  }
  varintEnd = -1
  return 0
}

/**
 * Checks the records section frames exactly `count` records, each internally consistent. It runs over
 * every produced record, so it is written for speed: state in locals (no cursor object), and the
 * one- and two-byte varints that real records are made of decoded inline, with varintAt only for
 * longer or truncated ones. Allocation-free. Returns null when fine, else the reason. The reference for
 * native/walk-records.c, and the walk where the addon was not built.
 */
function walkRecords(buf: Buffer, start: number, end: number, count: number, sequentialOffsets: boolean): string | null {
  let pos = start
  let i = 0
  for (; i < count && pos < end; i++) {
    // length
    let len: number
    let b = buf[pos]
    let c: number
    if (b < 0x80) {
      len = (b >>> 1) ^ -(b & 1)
      pos++
    } else if (pos + 1 < end && (c = buf[pos + 1]) < 0x80) {
      const z = (b & 0x7f) | (c << 7)
      len = (z >>> 1) ^ -(z & 1)
      pos += 2
    } else {
      len = varintAt(buf, pos, end)
      if (varintEnd < 0) return recordReason(i, 'length invalid or overruns the batch')
      pos = varintEnd
    }
    if (len < MIN_RECORD_BODY || len > end - pos) return recordReason(i, 'length invalid or overruns the batch', len)
    const recordEnd = pos + len
    // attributes (unused in v2): len >= MIN_RECORD_BODY guarantees the byte is there.
    pos++
    // timestampDelta: a varlong of at most 10 bytes, skipped.
    const tsLimit = recordEnd < pos + 10 ? recordEnd : pos + 10
    while (pos < tsLimit && buf[pos] >= 0x80) pos++
    if (pos >= tsLimit) return badFields(i, len)
    pos++
    // offsetDelta
    let offsetDelta: number
    b = pos < recordEnd ? buf[pos] : 0x80
    if (b < 0x80) {
      offsetDelta = (b >>> 1) ^ -(b & 1)
      pos++
    } else if (pos + 1 < recordEnd && (c = buf[pos + 1]) < 0x80) {
      const z = (b & 0x7f) | (c << 7)
      offsetDelta = (z >>> 1) ^ -(z & 1)
      pos += 2
    } else {
      offsetDelta = varintAt(buf, pos, recordEnd)
      if (varintEnd < 0) return badFields(i, len)
      pos = varintEnd
    }
    // key: usually null or short
    let n: number
    b = pos < recordEnd ? buf[pos] : 0x80
    if (b < 0x80) {
      n = (b >>> 1) ^ -(b & 1)
      pos++
    } else {
      n = varintAt(buf, pos, recordEnd)
      if (varintEnd < 0) return badFields(i, len)
      pos = varintEnd
    }
    if (n < -1 || n > recordEnd - pos) return badFields(i, len)
    if (n > 0) pos += n
    // value: often 64 bytes or more, so two-byte lengths are common
    b = pos < recordEnd ? buf[pos] : 0x80
    if (b < 0x80) {
      n = (b >>> 1) ^ -(b & 1)
      pos++
    } else if (pos + 1 < recordEnd && (c = buf[pos + 1]) < 0x80) {
      const z = (b & 0x7f) | (c << 7)
      n = (z >>> 1) ^ -(z & 1)
      pos += 2
    } else {
      n = varintAt(buf, pos, recordEnd)
      if (varintEnd < 0) return badFields(i, len)
      pos = varintEnd
    }
    if (n < -1 || n > recordEnd - pos) return badFields(i, len)
    if (n > 0) pos += n
    // headers: almost always none, a single byte
    let headers: number
    b = pos < recordEnd ? buf[pos] : 0x80
    if (b < 0x80) {
      headers = (b >>> 1) ^ -(b & 1)
      pos++
    } else {
      headers = varintAt(buf, pos, recordEnd)
      pos = varintEnd
      if (pos < 0) return badFields(i, len)
    }
    if (headers < 0) return recordReason(i, 'negative header count', headers)
    for (; headers > 0; headers--) {
      const keyLength = varintAt(buf, pos, recordEnd)
      if (varintEnd < 0) return badFields(i, len)
      if (keyLength < 0) return keyLength === -1 ? recordReason(i, 'null header key') : badFields(i, len)
      pos = varintEnd + keyLength
      if (pos > recordEnd) return badFields(i, len)
      const valueLength = varintAt(buf, pos, recordEnd)
      if (varintEnd < 0 || valueLength < -1 || valueLength > recordEnd - varintEnd) return badFields(i, len)
      pos = valueLength > 0 ? varintEnd + valueLength : varintEnd
    }
    if (pos !== recordEnd) return badFields(i, len)
    if (sequentialOffsets && offsetDelta !== i) return recordReason(i, 'offsetDelta is not the record\'s index', offsetDelta)
  }
  if (i !== count) return `header says ${count} records, found ${i}`
  if (pos !== end) return `${end - pos} bytes after the last of ${count} records`
  return null
}

function badFields(i: number, len: number): string {
  return recordReason(i, 'fields do not fill its length', len)
}

/**
 * The reason record i is invalid. Built in here, never by a template literal in walkRecords: the
 * optimizer merged the returns' identical number-to-string conversions of i and hoisted the one
 * left into the loop, where it ran for every record produced.
 */
function recordReason(i: number, why: string, value?: number): string {
  return `record ${i}: ${why}${value === undefined ? '' : ` (${value})`}`
}
