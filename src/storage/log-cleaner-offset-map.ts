/**
 * SkimpyOffsetMap: the LogCleaner's key -> latest offset table, as Kafka's. Keys are not stored, only a
 * 128-bit hash of each (Kafka uses MD5; here MurmurHash3 x86_128 computed in place, so a lookup
 * allocates nothing), with open addressing in typed arrays: 24 bytes per slot. With 128-bit hashes a
 * collision among even billions of keys is vanishingly unlikely, which is the same bet Kafka makes.
 */

const BYTES_PER_SLOT = 24
/** Fill ratio above which the map reports itself full (linear probing slows down past it). */
export const OFFSET_MAP_LOAD_FACTOR = 0.75
/** Kafka's log.cleaner.dedupe.buffer.size default (128 MiB); the table is sized down to what a log needs. */
export const DEFAULT_DEDUPE_BUFFER_SIZE = 128 * 1024 * 1024

const C1 = 0x239b961b
const C2 = 0xab0e9789
const C3 = 0x38b34ae5
const C4 = 0xa1e38b93

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r))

function fmix(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return h ^ (h >>> 16)
}

/** Writes MurmurHash3 x86_128 of buf[start, end) (seed `seed`) into out[0..3] as int32s. */
export function murmur3x86x128(buf: Uint8Array, start: number, end: number, seed: number, out: Int32Array): void {
  let h1 = seed | 0, h2 = seed | 0, h3 = seed | 0, h4 = seed | 0
  const len = end - start
  const blocksEnd = start + (len & ~15)
  const word = (p: number): number => buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16) | (buf[p + 3] << 24)
  for (let p = start; p < blocksEnd; p += 16) {
    let k1 = word(p), k2 = word(p + 4), k3 = word(p + 8), k4 = word(p + 12)
    k1 = Math.imul(rotl(Math.imul(k1, C1), 15), C2)
    h1 ^= k1
    h1 = (Math.imul(rotl(h1, 19) + h2, 5) + 0x561ccd1b) | 0
    k2 = Math.imul(rotl(Math.imul(k2, C2), 16), C3)
    h2 ^= k2
    h2 = (Math.imul(rotl(h2, 17) + h3, 5) + 0x0bcaa747) | 0
    k3 = Math.imul(rotl(Math.imul(k3, C3), 17), C4)
    h3 ^= k3
    h3 = (Math.imul(rotl(h3, 15) + h4, 5) + 0x96cd1c35) | 0
    k4 = Math.imul(rotl(Math.imul(k4, C4), 18), C1)
    h4 ^= k4
    h4 = (Math.imul(rotl(h4, 13) + h1, 5) + 0x32ac3b17) | 0
  }
  // Tail: up to 15 bytes, little-endian into k1..k4.
  let k1 = 0, k2 = 0, k3 = 0, k4 = 0
  const tail = len & 15
  for (let i = tail - 1; i >= 0; i--) {
    const b = buf[blocksEnd + i]
    if (i >= 12) k4 |= b << ((i - 12) * 8)
    else if (i >= 8) k3 |= b << ((i - 8) * 8)
    else if (i >= 4) k2 |= b << ((i - 4) * 8)
    else k1 |= b << (i * 8)
  }
  if (tail > 12) h4 ^= Math.imul(rotl(Math.imul(k4, C4), 18), C1)
  if (tail > 8) h3 ^= Math.imul(rotl(Math.imul(k3, C3), 17), C4)
  if (tail > 4) h2 ^= Math.imul(rotl(Math.imul(k2, C2), 16), C3)
  if (tail > 0) h1 ^= Math.imul(rotl(Math.imul(k1, C1), 15), C2)
  h1 ^= len; h2 ^= len; h3 ^= len; h4 ^= len
  h1 = (h1 + h2 + h3 + h4) | 0
  h2 = (h2 + h1) | 0; h3 = (h3 + h1) | 0; h4 = (h4 + h1) | 0
  h1 = fmix(h1); h2 = fmix(h2); h3 = fmix(h3); h4 = fmix(h4)
  h1 = (h1 + h2 + h3 + h4) | 0
  h2 = (h2 + h1) | 0; h3 = (h3 + h1) | 0; h4 = (h4 + h1) | 0
  out[0] = h1; out[1] = h2; out[2] = h3; out[3] = h4
}

/** Key hash -> latest offset, for one cleaning of one log (see file comment). Offsets must be put in increasing order. */
export class SkimpyOffsetMap {
  readonly slots: number
  /** Entries allowed before isFull (slots x load factor). */
  readonly capacity: number
  private readonly hashes: Int32Array
  /** -1: empty slot. Offsets are below 2^53 in practice, so a double holds them exactly. */
  private readonly offsets: Float64Array
  private readonly mask: number
  private readonly h = new Int32Array(4)
  private readonly seed: number
  size = 0
  /** The highest offset put, -1 when empty. */
  latestOffset = -1

  /** A map of at most `memoryBytes`, no larger than `expectedEntries` needs (both rounded to a power of two of slots). */
  constructor(memoryBytes: number = DEFAULT_DEDUPE_BUFFER_SIZE, expectedEntries = Number.MAX_SAFE_INTEGER) {
    const maxSlots = 2 ** Math.floor(Math.log2(Math.max(16, memoryBytes / BYTES_PER_SLOT)))
    const wanted = 2 ** Math.ceil(Math.log2(Math.max(16, expectedEntries / OFFSET_MAP_LOAD_FACTOR)))
    this.slots = Math.min(maxSlots, wanted)
    this.capacity = Math.floor(this.slots * OFFSET_MAP_LOAD_FACTOR)
    this.mask = this.slots - 1
    this.hashes = new Int32Array(this.slots * 4)
    this.offsets = new Float64Array(this.slots).fill(-1)
    // A per-map seed: crafted colliding keys cannot be prepared in advance against a fixed hash.
    this.seed = (Math.random() * 0x100000000) | 0
  }

  /** True when no more entries fit. */
  get isFull(): boolean {
    return this.size >= this.capacity
  }

  /** Free entries left. */
  get remaining(): number {
    return this.capacity - this.size
  }

  /** Slot of the key's hash (in this.h): its own slot or the empty one where it would go. */
  private probe(): number {
    const h = this.h
    let i = h[0] & this.mask
    for (;;) {
      if (this.offsets[i] < 0) return i
      const b = i * 4
      if (this.hashes[b] === h[0] && this.hashes[b + 1] === h[1] && this.hashes[b + 2] === h[2] && this.hashes[b + 3] === h[3]) return i
      i = (i + 1) & this.mask
    }
  }

  /** Records `offset` as the latest offset of the key buf[start, end); throws when full and the key is new. */
  put(buf: Uint8Array, start: number, end: number, offset: number): void {
    murmur3x86x128(buf, start, end, this.seed, this.h)
    const i = this.probe()
    if (this.offsets[i] < 0) {
      if (this.size >= this.capacity) throw new Error('offset map is full')
      this.hashes.set(this.h, i * 4)
      this.size++
    }
    this.offsets[i] = offset
    if (offset > this.latestOffset) this.latestOffset = offset
  }

  /** The latest offset of the key buf[start, end), or -1 when it is not in the map. */
  get(buf: Uint8Array, start: number, end: number): number {
    murmur3x86x128(buf, start, end, this.seed, this.h)
    return this.offsets[this.probe()]
  }
}
