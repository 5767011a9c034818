// CRC-32C (Castagnoli), the checksum of Kafka's v2 record batch.
//
// The broker checks it over every produced byte and the consumer over every fetched one, so it is the hottest
// loop of both. Three implementations, the first that loads wins:
// - samsa's own addon (native/crc32c.c, built by node-gyp at install, see native.ts): three interleaved streams
//   of the SSE4.2 crc32 instruction, 17-22 GB/s on 64 KB-1 MB here;
// - `@node-rs/crc32` (prebuilt binaries shipped as npm packages, SSE4.2/ARM CRC instructions): 2.9-5 GB/s, as its
//   build calls a function per 8-byte step; it covers machines where the addon could not be built;
// - the JS below (0.4-0.9 GB/s), for platforms with neither, and as a cross-check in tests.
//
// Why not the `crc-32` package's crc32c (import path 'crc-32/crc32c.js': the package has no exports map, so the
// extensionless subpath fails under Node ESM): measured on this machine (Node 20, best of 60 interleaved rounds,
// quiet host) it ran ~620 MB/s on 1 MiB and ~530 MB/s on 1 KiB; this slicing-by-16 variant reading aligned 32-bit
// words through an Int32Array view ran ~860-930 MB/s and ~830 MB/s (a byte-reading slicing-by-8 only reached
// ~270-530). bench/records-bench.ts prints both. The package stays as the test oracle.

import {createRequire} from 'node:module'
import {nativeAddon} from './native.js'

/** CRC-32C of view[start, end); the range is checked by the caller. */
type RangeCrc = (view: Uint8Array, start: number, end: number) => number

const require = createRequire(import.meta.url)

let nodeRs: RangeCrc | null | undefined

/** @node-rs/crc32 over a range, loaded on first use (null where it is not installed). */
function loadNodeRs(): RangeCrc | null {
  if (nodeRs !== undefined) return nodeRs
  try {
    const f = (require('@node-rs/crc32') as {crc32c: (input: Buffer) => number}).crc32c
    nodeRs = (view, start, end) => f(Buffer.from(view.buffer, view.byteOffset + start, end - start)) >>> 0
  } catch {
    nodeRs = null
  }
  return nodeRs
}

const addon = nativeAddon?.crc32c ?? null
// @node-rs/crc32 is loaded only where the addon is missing: loading it costs every process ~5 ms.
const native: RangeCrc | null = addon ?? loadNodeRs()

/** Every implementation that loads here, by name, JS included (for tests and benchmarks). */
export function crc32cImplementations(): Record<string, RangeCrc> {
  const rs = loadNodeRs()
  return {...(addon ? {addon} : {}), ...(rs ? {'@node-rs/crc32': rs} : {}), js: crc32cJs}
}

/** Which implementation crc32c() runs: 'addon' (samsa's SSE4.2 build), '@node-rs/crc32' or 'js'. */
export const CRC32C_IMPLEMENTATION = addon ? 'addon' : native ? '@node-rs/crc32' : 'js'

/** CRC-32C of buf[start, end) as an unsigned 32-bit number; reads in place, never copies. */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  if (start < 0 || end > buf.length || start > end) throw new RangeError(`crc32c range [${start}, ${end}) outside buffer of ${buf.length}`)
  return native === null ? crc32cJs(buf, start, end) : native(buf, start, end)
}

const POLY = 0x82f63b78 // reflected Castagnoli polynomial

/** 16 lookup tables of 256 entries: TABLES[k][b] = CRC of byte b followed by k zero bytes. */
const TABLES: Int32Array[] = (() => {
  const all = new Int32Array(16 * 256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? POLY ^ (c >>> 1) : c >>> 1
    all[n] = c
  }
  for (let n = 0; n < 256; n++) {
    let v = all[n]
    for (let t = 1; t < 16; t++) {
      v = all[v & 0xff] ^ (v >>> 8)
      all[t * 256 + n] = v
    }
  }
  const out: Int32Array[] = []
  for (let t = 0; t < 16; t++) out.push(all.subarray(t * 256, t * 256 + 256))
  return out
})()
// Separate typed arrays (not one table plus offsets) let V8 keep each lookup a plain indexed load.
const [T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, Ta, Tb, Tc, Td, Te, Tf] = TABLES

/** Byte-at-a-time update for heads and tails shorter than a 16-byte stride. */
function updateBytes(crc: number, buf: Uint8Array, i: number, end: number): number {
  for (; i < end; i++) crc = T0[(crc ^ buf[i]) & 0xff] ^ (crc >>> 8)
  return crc
}

/** Slicing-by-16 over 32-bit words; requires (buf.byteOffset + i) % 4 === 0. Little-endian hosts only. */
function updateWords(crc: number, buf: Uint8Array, i: number, words: number): number {
  const w = new Int32Array(buf.buffer, buf.byteOffset + i, words)
  for (let k = 0; k < words; k += 4) {
    const a = crc ^ w[k], b = w[k + 1], c = w[k + 2], d = w[k + 3]
    crc =
      Tf[a & 0xff] ^ Te[(a >>> 8) & 0xff] ^ Td[(a >>> 16) & 0xff] ^ Tc[a >>> 24] ^
      Tb[b & 0xff] ^ Ta[(b >>> 8) & 0xff] ^ T9[(b >>> 16) & 0xff] ^ T8[b >>> 24] ^
      T7[c & 0xff] ^ T6[(c >>> 8) & 0xff] ^ T5[(c >>> 16) & 0xff] ^ T4[c >>> 24] ^
      T3[d & 0xff] ^ T2[(d >>> 8) & 0xff] ^ T1[(d >>> 16) & 0xff] ^ T0[d >>> 24]
  }
  return crc
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/** CRC-32C of buf[start, end) in portable JS; reads in place, never copies. */
export function crc32cJs(buf: Uint8Array, start = 0, end = buf.length): number {
  if (start < 0 || end > buf.length || start > end) throw new RangeError(`crc32c range [${start}, ${end}) outside buffer of ${buf.length}`)
  let crc = -1
  let i = start
  // Below ~64 bytes the typed-array view costs more than it saves.
  if (LITTLE_ENDIAN && end - start >= 64) {
    const head = (4 - ((buf.byteOffset + i) & 3)) & 3
    crc = updateBytes(crc, buf, i, i + head)
    i += head
    const words = ((end - i) >>> 4) << 2
    crc = updateWords(crc, buf, i, words)
    i += words * 4
  }
  crc = updateBytes(crc, buf, i, end)
  return ~crc >>> 0
}
