// samsa's Node-API addon (native/): CRC-32C with the SSE4.2 instruction and the broker's record walk.
// node-gyp builds it at npm install; where that failed (no compiler, another platform) it is null and
// the callers use @node-rs/crc32 and their JS versions.
import {createRequire} from 'node:module'

/** What the addon exports; crc32c only where the CPU has SSE4.2. */
export interface NativeAddon {
  /** CRC-32C of view[start, end). */
  crc32c?: (view: Uint8Array, start: number, end: number) => number
  /** walk_records in native/walk-records.c: 0 when the records are fine, else [result, record index, value]. */
  walkRecords?: (view: Uint8Array, start: number, end: number, count: number, sequential: boolean) => 0 | [number, number, number]
}

/** The loaded addon, or null when it was not built. */
export const nativeAddon: NativeAddon | null = (() => {
  try {
    // dist/src/records/ -> the package root, where node-gyp put the build.
    return createRequire(import.meta.url)('../../../build/Release/samsa_native.node') as NativeAddon
  } catch {
    return null
  }
})()
