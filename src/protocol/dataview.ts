/**
 * Shared DataViews. Fixed-width numbers are read and written through a DataView because that is
 * several times faster than Buffer's read/write*BE methods on Node 20 (writeBigInt64BE especially).
 * Views span a whole ArrayBuffer and callers add the Buffer's byteOffset to their positions, so
 * one view serves every message carved from the same memory: the writers' slab, and consecutive
 * frames cut from one socket chunk (a one-entry cache; a WeakMap keyed by short-lived
 * ArrayBuffers proved several times slower because of its GC cost).
 */
let lastBuffer: ArrayBufferLike | null = null
let lastView: DataView | null = null

/** A DataView spanning the whole ArrayBuffer behind `buf`. */
export function viewOf(buf: Uint8Array): DataView {
  const ab = buf.buffer
  if (ab === slabBuffer) return slabView
  if (ab === lastBuffer) return lastView!
  lastBuffer = ab
  return (lastView = new DataView(ab))
}

const SLAB_SIZE = 64 * 1024
const SLAB_MAX_PIECE = 4096
let slab = Buffer.allocUnsafeSlow(0)
// The slab's ArrayBuffer is kept in a variable: the typed-array `buffer` getter is not free.
let slabBuffer: ArrayBufferLike = slab.buffer
let slabView = new DataView(slabBuffer)
let slabPos = 0

/**
 * An uninitialised buffer for a new message. Small ones are carved from a shared 64 KiB slab (like
 * Node's own pool, but cheaper per piece); the slab stays alive while any piece is referenced.
 */
export function allocMessageBuffer(size: number): Buffer {
  if (size > SLAB_MAX_PIECE) return Buffer.allocUnsafeSlow(size)
  if (slabPos + size > slab.length) {
    slab = Buffer.allocUnsafeSlow(SLAB_SIZE)
    slabBuffer = slab.buffer
    slabView = new DataView(slabBuffer)
    slabPos = 0
  }
  const piece = slab.subarray(slabPos, slabPos + size)
  slabPos = (slabPos + size + 7) & ~7 // keep pieces 8-byte aligned
  return piece
}
