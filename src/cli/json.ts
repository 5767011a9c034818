/** JSON output that survives Kafka's int64s (bigint) and binary data. */

/** Replaces bigints by numbers when exact, else by decimal strings; Buffers by UTF-8 or {base64}. */
export function toJsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString()
  }
  if (Buffer.isBuffer(value)) return bytesToJson(value)
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toJsonSafe(v)]))
  if (Array.isArray(value)) return value.map(toJsonSafe)
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJsonSafe(v)
    return out
  }
  return value
}

/** Bytes as a UTF-8 string when they are valid UTF-8, else {base64}; null stays null. */
export function bytesToJson(buf: Buffer | null): string | {base64: string} | null {
  if (buf === null) return null
  try {
    return STRICT_UTF8.decode(buf)
  } catch {
    return {base64: buf.toString('base64')}
  }
}

// fatal: throws on malformed UTF-8 instead of substituting U+FFFD.
const STRICT_UTF8 = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true})

/** One compact JSON line (for JSON-lines streams). */
export function jsonLine(value: unknown): string {
  return JSON.stringify(toJsonSafe(value))
}
