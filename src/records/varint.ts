// Zigzag varints as used inside v2 records (signed; unlike the unsigned varints of flexible protocol fields).

/** Bytes needed for the zigzag varint of a 32-bit signed integer. */
export function varintSize(v: number): number {
  let z = ((v << 1) ^ (v >> 31)) >>> 0
  let n = 1
  while (z >= 0x80) {
    z >>>= 7
    n++
  }
  return n
}

/** Writes a zigzag varint (32-bit signed) at pos and returns the position after it. */
export function writeVarint(buf: Buffer, pos: number, v: number): number {
  let z = ((v << 1) ^ (v >> 31)) >>> 0
  while (z >= 0x80) {
    buf[pos++] = (z & 0x7f) | 0x80
    z >>>= 7
  }
  buf[pos++] = z
  return pos
}

/** Bytes needed for the zigzag varlong of a safe integer (timestamp deltas). */
export function varlongSize(v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1
  let n = 1
  while (z >= 0x80) {
    z = Math.floor(z / 0x80)
    n++
  }
  return n
}

/** Writes a zigzag varlong of a safe integer at pos and returns the position after it. */
export function writeVarlong(buf: Buffer, pos: number, v: number): number {
  // Arithmetic rather than bit ops: zigzag of a 53-bit value does not fit in 32 bits.
  let z = v >= 0 ? v * 2 : -v * 2 - 1
  while (z >= 0x80) {
    buf[pos++] = (z % 0x80) | 0x80
    z = Math.floor(z / 0x80)
  }
  buf[pos++] = z
  return pos
}

/**
 * Bounds-checked reader over one records section. It never throws: a read past `end` or an over-long varint
 * sets `bad` and returns 0, so hostile input costs one flag check per record instead of try/catch.
 */
export class RecordCursor {
  bad = false
  constructor(
    public buf: Buffer,
    public pos: number,
    public end: number,
  ) {}

  /** Reads one byte as int8. */
  int8(): number {
    if (this.pos >= this.end) return this.fail()
    const b = this.buf[this.pos++]
    return b > 127 ? b - 256 : b
  }

  /** Reads a zigzag varint of at most 5 bytes. */
  varint(): number {
    const buf = this.buf
    let result = 0
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= this.end) return this.fail()
      const b = buf[this.pos++]
      result |= (b & 0x7f) << shift
      if (b < 0x80) return (result >>> 1) ^ -(result & 1)
    }
    return this.fail()
  }

  /** Reads a zigzag varlong of at most 10 bytes as a bigint. */
  varlong(): bigint {
    const buf = this.buf
    const start = this.pos
    // Fast path: up to 7 bytes (49 bits) is exact in a double; timestamp deltas almost always fit.
    let z = 0
    let mul = 1
    for (let i = 0; i < 7; i++) {
      if (this.pos >= this.end) return BigInt(this.fail())
      const b = buf[this.pos++]
      z += (b & 0x7f) * mul
      if (b < 0x80) return BigInt(z % 2 === 0 ? z / 2 : -(z + 1) / 2)
      mul *= 0x80
    }
    this.pos = start
    let big = 0n
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) return BigInt(this.fail())
      const b = buf[this.pos++]
      big |= BigInt(b & 0x7f) << shift
      if (b < 0x80) return BigInt.asIntN(64, (big >> 1n) ^ -(big & 1n))
    }
    return BigInt(this.fail())
  }

  /** Skips a varint/varlong of at most maxBytes bytes. */
  skipVarint(maxBytes: number): void {
    for (let i = 0; i < maxBytes; i++) {
      if (this.pos >= this.end) {
        this.fail()
        return
      }
      if (this.buf[this.pos++] < 0x80) return
    }
    this.fail()
  }

  /** Reads a varint length; returns -1 for null, and fails on anything below -1 or past the end. */
  length(): number {
    const n = this.varint()
    if (n < -1 || n > this.end - this.pos) return this.fail()
    return n
  }

  /** Reads varint-length-prefixed bytes as a view into the buffer (null for length -1). */
  nullableBytes(): Buffer | null {
    const n = this.length()
    if (n < 0 || this.bad) return null
    const v = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return v
  }

  /** Skips varint-length-prefixed bytes (null allowed). */
  skipBytes(): void {
    const n = this.length()
    if (n > 0) this.pos += n
  }

  /** Reads a varint-length-prefixed UTF-8 string (header keys are never null). */
  string(): string {
    const n = this.length()
    if (n < 0) {
      this.fail()
      return ''
    }
    const s = this.buf.toString('utf8', this.pos, this.pos + n)
    this.pos += n
    return s
  }

  private fail(): number {
    this.bad = true
    this.pos = this.end
    return 0
  }
}
