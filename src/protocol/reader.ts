import {ProtocolError} from './errors.js'
import {viewOf} from './dataview.js'

// Buffer's own utf8Slice skips toString's encoding-name handling (measurably faster for the many
// short strings of a request); fall back to toString where it does not exist.
const utf8Slice: (this: Buffer, start: number, end: number) => string =
  (Buffer.prototype as unknown as {utf8Slice?: (s: number, e: number) => string}).utf8Slice ??
  function (this: Buffer, start: number, end: number) { return this.toString('utf8', start, end) }

const HEX: string[] = []
for (let i = 0; i < 256; i++) HEX.push((i < 16 ? '0' : '') + i.toString(16))

/**
 * Cursor over one Buffer holding a Kafka message. Every read is bounds-checked once and throws
 * ProtocolError on underflow, so a hostile frame never surfaces as a RangeError.
 * Byte-ish results (bytes, records) are subarray views into the frame, not copies.
 */
export class Reader {
  readonly buf: Buffer
  offset: number
  // Fixed-width numbers go through a shared DataView over the whole ArrayBuffer (see dataview.ts);
  // `base` is the frame's position in it.
  private readonly dv: DataView
  private readonly base: number

  constructor(buf: Buffer, offset = 0) {
    this.buf = buf
    this.offset = offset
    this.dv = viewOf(buf)
    this.base = buf.byteOffset
  }

  /** Bytes left after the cursor. */
  remaining(): number {
    return this.buf.length - this.offset
  }

  /** Throws unless `n` more bytes are available; returns the current offset. */
  private need(n: number): number {
    const at = this.offset
    if (at + n > this.buf.length) {
      throw new ProtocolError(`frame truncated: need ${n} byte(s) at offset ${at}, have ${this.buf.length - at}`)
    }
    this.offset = at + n
    return at
  }

  /** Moves the cursor `n` bytes forward. */
  skip(n: number): void {
    if (n < 0) throw new ProtocolError(`negative skip ${n}`)
    this.need(n)
  }

  /** INT8. */
  int8(): number {
    return this.dv.getInt8(this.base + this.need(1))
  }

  /** INT16, big-endian. */
  int16(): number {
    return this.dv.getInt16(this.base + this.need(2))
  }

  /** UINT16, big-endian. */
  uint16(): number {
    return this.dv.getUint16(this.base + this.need(2))
  }

  /** INT32, big-endian. */
  int32(): number {
    return this.dv.getInt32(this.base + this.need(4))
  }

  /** UINT32, big-endian. */
  uint32(): number {
    return this.dv.getUint32(this.base + this.need(4))
  }

  /** INT64, big-endian, as bigint. */
  int64(): bigint {
    return this.dv.getBigInt64(this.base + this.need(8))
  }

  /** FLOAT64 (IEEE 754 double), big-endian. */
  float64(): number {
    return this.dv.getFloat64(this.base + this.need(8))
  }

  /** BOOLEAN: one byte, non-zero = true. */
  bool(): boolean {
    return this.buf[this.need(1)] !== 0
  }

  /** Unsigned LEB128 varint of at most 32 bits (the length/tag encoding of flexible versions). */
  uvarint(): number {
    const buf = this.buf
    let pos = this.offset
    let b = pos < buf.length ? buf[pos++] : -1
    if (b < 0) this.truncated('varint')
    // One-byte values (lengths < 127, tag counts) are by far the common case.
    if (b < 0x80) {
      this.offset = pos
      return b
    }
    let value = b & 0x7f
    let shift = 7
    for (;;) {
      if (pos >= buf.length) this.truncated('varint')
      b = buf[pos++]
      if (shift === 28) {
        if (b > 0x0f) throw new ProtocolError(`unsigned varint longer than 32 bits at offset ${this.offset}`)
        value += b * 0x10000000
        break
      }
      value |= (b & 0x7f) << shift
      if (b < 0x80) break
      shift += 7
    }
    this.offset = pos
    return value
  }

  /** Zigzag-encoded signed 32-bit varint. */
  varint(): number {
    const u = this.uvarint()
    return (u >>> 1) ^ -(u & 1)
  }

  /** Unsigned varint of up to 64 bits, as bigint. */
  uvarlong(): bigint {
    const buf = this.buf
    let pos = this.offset
    let value = 0n
    let shift = 0n
    for (let i = 0; ; i++) {
      if (i === 10) throw new ProtocolError(`varlong longer than 10 bytes at offset ${this.offset}`)
      if (pos >= buf.length) this.truncated('varlong')
      const b = buf[pos++]
      value |= BigInt(b & 0x7f) << shift
      if (b < 0x80) break
      shift += 7n
    }
    this.offset = pos
    return BigInt.asUintN(64, value)
  }

  /** Zigzag-encoded signed 64-bit varint. */
  varlong(): bigint {
    const u = this.uvarlong()
    return (u >> 1n) ^ -(u & 1n)
  }

  private truncated(what: string): never {
    throw new ProtocolError(`frame truncated in ${what} at offset ${this.offset}`)
  }

  private text(len: number): string {
    const at = this.need(len)
    return utf8Slice.call(this.buf, at, at + len)
  }

  /** INT16-length string; a null (-1) decodes leniently to ''. */
  string(): string {
    const len = this.int16()
    if (len < 0) return this.nullLength(len, '')
    return this.text(len)
  }

  /** INT16-length string, -1 = null. */
  nullableString(): string | null {
    const len = this.int16()
    if (len < 0) return this.nullLength(len, null)
    return this.text(len)
  }

  /** Unsigned-varint (N+1) length string; 0 (null) decodes leniently to ''. */
  compactString(): string {
    const len = this.uvarint() - 1
    if (len < 0) return ''
    return this.text(len)
  }

  /** Unsigned-varint (N+1) length string, 0 = null. */
  compactNullableString(): string | null {
    const len = this.uvarint() - 1
    if (len < 0) return null
    return this.text(len)
  }

  private view(len: number): Buffer {
    const at = this.need(len)
    return this.buf.subarray(at, at + len)
  }

  /** INT32-length bytes as a view; null (-1) decodes leniently to an empty buffer. */
  bytes(): Buffer {
    const len = this.int32()
    if (len < 0) return this.nullLength(len, EMPTY)
    return this.view(len)
  }

  /** INT32-length bytes as a view, -1 = null. */
  nullableBytes(): Buffer | null {
    const len = this.int32()
    if (len < 0) return this.nullLength(len, null)
    return this.view(len)
  }

  /** Unsigned-varint (N+1) length bytes as a view; null decodes to an empty buffer. */
  compactBytes(): Buffer {
    const len = this.uvarint() - 1
    if (len < 0) return EMPTY
    return this.view(len)
  }

  /** Unsigned-varint (N+1) length bytes as a view, 0 = null. */
  compactNullableBytes(): Buffer | null {
    const len = this.uvarint() - 1
    if (len < 0) return null
    return this.view(len)
  }

  /** A `records` field (always nullable on the wire): INT32 length. */
  records(): Buffer | null {
    return this.nullableBytes()
  }

  /** A `records` field in a flexible version: compact length. */
  compactRecords(): Buffer | null {
    return this.compactNullableBytes()
  }

  /** 16 bytes formatted as xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx. */
  uuid(): string {
    const at = this.need(16)
    const b = this.buf
    let s = ''
    for (let i = 0; i < 16; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) s += '-'
      s += HEX[b[at + i]]
    }
    return s
  }

  /** Skips a tagged-fields section (count, then tag, size, bytes per field). */
  skipTaggedFields(): void {
    const n = this.uvarint()
    for (let i = 0; i < n; i++) {
      this.uvarint()
      this.skip(this.uvarint())
    }
  }

  /** Reads a tagged-fields section into a map of tag -> raw bytes view. */
  taggedFields(): Map<number, Buffer> {
    const out = new Map<number, Buffer>()
    const n = this.uvarint()
    for (let i = 0; i < n; i++) {
      const tag = this.uvarint()
      out.set(tag, this.view(this.uvarint()))
    }
    return out
  }

  /** Negative lengths other than -1 are malformed; -1 yields the given null stand-in. */
  private nullLength<T>(len: number, nullValue: T): T {
    if (len !== -1) throw new ProtocolError(`invalid length ${len} at offset ${this.offset}`)
    return nullValue
  }
}

const EMPTY = Buffer.alloc(0)
