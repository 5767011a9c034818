import {allocMessageBuffer, viewOf} from './dataview.js'

/**
 * Growable big-endian writer for Kafka messages. The buffer doubles when full, so encoding a
 * message costs amortised O(1) per byte; `patchInt32` back-fills the 4-byte frame size.
 *
 * Chunked mode (`zeroCopyMin`): `records` fields of at least that many bytes are not copied but
 * referenced, and the message comes out as a list of buffers (`toChunks`) for a vectored socket
 * write -- the fetch path hands segment bytes to the socket without touching them.
 */
export class Writer {
  buf: Buffer
  offset = 0
  // Fixed-width numbers go through a DataView over the whole ArrayBuffer (see dataview.ts);
  // `base` is the buffer's position in it.
  private dv: DataView
  private base: number
  // Chunked mode: finished pieces, and where the not-yet-emitted part of `buf` starts.
  private readonly zeroCopyMin: number
  private chunks: Buffer[] | null = null
  private segStart = 0

  constructor(initial = 256, zeroCopyMin = Infinity) {
    this.buf = allocMessageBuffer(Math.max(16, initial))
    this.dv = viewOf(this.buf)
    this.base = this.buf.byteOffset
    this.zeroCopyMin = zeroCopyMin
  }

  /**
   * Makes room for `n` more bytes and returns the offset to write them at. It may replace
   * `this.buf`, so callers read `this.buf` only after calling it.
   */
  ensure(n: number): number {
    const at = this.offset
    const need = at + n
    if (need > this.buf.length) {
      let size = this.buf.length * 2
      if (size < need) size = need
      const next = allocMessageBuffer(size)
      // Bytes before segStart were already emitted as a chunk (chunked mode): move only the rest.
      const from = this.segStart
      this.buf.copy(next, 0, from, at)
      this.buf = next
      this.dv = viewOf(next)
      this.base = next.byteOffset
      this.segStart = 0
      this.offset = at - from + n
      return at - from
    }
    this.offset = need
    return at
  }

  /** In chunked mode: emits the pending bytes of `buf`, then `parts` by reference. */
  private emit(parts: Uint8Array[]): void {
    const chunks = (this.chunks ??= [])
    if (this.offset > this.segStart) chunks.push(this.buf.subarray(this.segStart, this.offset))
    for (const p of parts) if (p.length > 0) chunks.push(Buffer.isBuffer(p) ? p : Buffer.from(p.buffer, p.byteOffset, p.length))
    this.segStart = this.offset
  }

  /** The message as a list of buffers (chunked mode; a single buffer otherwise). */
  toChunks(): Buffer[] {
    if (this.chunks === null) return [this.toBuffer()]
    const out = this.chunks.slice()
    if (this.offset > this.segStart) out.push(this.buf.subarray(this.segStart, this.offset))
    return out
  }

  /** INT8. */
  int8(v: number): this {
    const at = this.ensure(1)
    this.buf[at] = v
    return this
  }

  /** INT16, big-endian. */
  int16(v: number): this {
    const at = this.ensure(2)
    this.dv.setInt16(this.base + at, v)
    return this
  }

  /** UINT16, big-endian. */
  uint16(v: number): this {
    const at = this.ensure(2)
    this.dv.setUint16(this.base + at, v)
    return this
  }

  /** INT32, big-endian. */
  int32(v: number): this {
    const at = this.ensure(4)
    this.dv.setInt32(this.base + at, v)
    return this
  }

  /** UINT32, big-endian. */
  uint32(v: number): this {
    const at = this.ensure(4)
    this.dv.setUint32(this.base + at, v)
    return this
  }

  /** INT64; numbers are accepted for convenience and converted. */
  int64(v: bigint | number): this {
    const at = this.ensure(8)
    this.dv.setBigInt64(this.base + at, typeof v === 'bigint' ? v : BigInt(v))
    return this
  }

  /** FLOAT64 (IEEE 754 double), big-endian. */
  float64(v: number): this {
    const at = this.ensure(8)
    this.dv.setFloat64(this.base + at, v)
    return this
  }

  /** BOOLEAN: one byte, non-zero = true. */
  bool(v: boolean): this {
    const at = this.ensure(1)
    this.buf[at] = v ? 1 : 0
    return this
  }

  /** Unsigned LEB128 varint of a 32-bit value (lengths and tags of flexible versions). */
  uvarint(v: number): this {
    if (v < 0x80 && v >= 0) {
      const at = this.ensure(1)
      this.buf[at] = v
      return this
    }
    v >>>= 0
    let at = this.ensure(uvarintSize(v))
    const buf = this.buf
    while (v >= 0x80) {
      buf[at++] = (v & 0x7f) | 0x80
      v >>>= 7
    }
    buf[at] = v
    return this
  }

  /** Zigzag-encoded signed 32-bit varint. */
  varint(v: number): this {
    return this.uvarint(((v << 1) ^ (v >> 31)) >>> 0)
  }

  /** Unsigned varint of up to 64 bits. */
  uvarlong(v: bigint): this {
    v = BigInt.asUintN(64, v)
    while (v >= 0x80n) {
      const at = this.ensure(1)
      this.buf[at] = Number(v & 0x7fn) | 0x80
      v >>= 7n
    }
    const at = this.ensure(1)
    this.buf[at] = Number(v)
    return this
  }

  /** Zigzag-encoded signed 64-bit varint. */
  varlong(v: bigint | number): this {
    const b = BigInt.asIntN(64, typeof v === 'bigint' ? v : BigInt(v))
    return this.uvarlong(BigInt.asUintN(64, (b << 1n) ^ (b >> 63n)))
  }

  private text(s: string, len: number): void {
    const at = this.ensure(len)
    if (len > 0) this.buf.write(s, at, len, 'utf8')
  }

  /** INT16-length string; null is written as -1. */
  string(s: string | null): this {
    if (s == null) return this.int16(-1)
    const len = Buffer.byteLength(s, 'utf8')
    if (len > 0x7fff) throw new RangeError(`string of ${len} bytes exceeds INT16 length`)
    this.int16(len)
    this.text(s, len)
    return this
  }

  /** INT16-length string, -1 = null. */
  nullableString(s: string | null): this {
    return this.string(s)
  }

  /** Unsigned-varint (N+1) length string; null is written as 0. */
  compactString(s: string | null): this {
    if (s == null) return this.uvarint(0)
    const len = Buffer.byteLength(s, 'utf8')
    this.uvarint(len + 1)
    this.text(s, len)
    return this
  }

  /** Unsigned-varint (N+1) length string, 0 = null. */
  compactNullableString(s: string | null): this {
    return this.compactString(s)
  }

  /** INT32-length bytes; null is written as -1. */
  bytes(b: Uint8Array | null): this {
    if (b == null) return this.int32(-1)
    this.int32(b.length)
    return this.raw(b)
  }

  /** INT32-length bytes, -1 = null. */
  nullableBytes(b: Uint8Array | null): this {
    return this.bytes(b)
  }

  /** Unsigned-varint (N+1) length bytes; null is written as 0. */
  compactBytes(b: Uint8Array | null): this {
    if (b == null) return this.uvarint(0)
    this.uvarint(b.length + 1)
    return this.raw(b)
  }

  /** Unsigned-varint (N+1) length bytes, 0 = null. */
  compactNullableBytes(b: Uint8Array | null): this {
    return this.compactBytes(b)
  }

  /** A `records` field: INT32 length, then one buffer or the concatenation of several. */
  records(r: Uint8Array | Uint8Array[] | null | undefined): this {
    if (r == null) return this.int32(-1)
    const parts = Array.isArray(r) ? r : [r]
    const total = totalLength(parts)
    if (total >= this.zeroCopyMin) {
      this.int32(total)
      this.emit(parts)
      return this
    }
    if (!Array.isArray(r)) return this.bytes(r)
    this.ensure(4 + total)
    this.offset -= 4 + total
    this.int32(total)
    for (const part of r) this.raw(part)
    return this
  }

  /** A `records` field in a flexible version: compact length, then the bytes. */
  compactRecords(r: Uint8Array | Uint8Array[] | null | undefined): this {
    if (r == null) return this.uvarint(0)
    const parts = Array.isArray(r) ? r : [r]
    const total = totalLength(parts)
    if (total >= this.zeroCopyMin) {
      this.uvarint(total + 1)
      this.emit(parts)
      return this
    }
    if (!Array.isArray(r)) return this.compactBytes(r)
    this.uvarint(total + 1)
    this.ensure(total)
    this.offset -= total
    for (const part of r) this.raw(part)
    return this
  }

  /** UUID string (with or without dashes) as 16 raw bytes. */
  uuid(u: string | null | undefined): this {
    const at = this.ensure(16)
    if (u == null) {
      this.buf.fill(0, at, at + 16)
      return this
    }
    const hex = u.length === 36 ? u.replace(/-/g, '') : u
    if (hex.length !== 32 || this.buf.write(hex, at, 16, 'hex') !== 16) {
      throw new RangeError(`invalid uuid ${JSON.stringify(u)}`)
    }
    return this
  }

  /** Copies raw bytes. */
  raw(b: Uint8Array): this {
    const at = this.ensure(b.length)
    this.buf.set(b, at)
    return this
  }

  /** Overwrites a big-endian INT32 already written at `at` (used for frame sizes). */
  patchInt32(at: number, v: number): this {
    this.dv.setInt32(this.base + at, v)
    return this
  }

  /** The bytes written so far, as a view (no copy); in chunked mode the chunks joined (a copy). */
  toBuffer(): Buffer {
    if (this.chunks !== null) return Buffer.concat(this.toChunks())
    return this.buf.subarray(0, this.offset)
  }
}

/** Encoded size of an unsigned 32-bit varint. */
export function uvarintSize(v: number): number {
  v >>>= 0
  if (v < 0x80) return 1
  if (v < 0x4000) return 2
  if (v < 0x200000) return 3
  if (v < 0x10000000) return 4
  return 5
}

function totalLength(parts: Uint8Array[]): number {
  let n = 0
  for (const p of parts) n += p.length
  return n
}
