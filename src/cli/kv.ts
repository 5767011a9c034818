/** Parsing of repeatable KEY=VALUE flags (-X, --set, --config). */
import {UsageError} from './errors.js'

/** Parses ["a=1", "b=x=y"] into {a: "1", b: "x=y"}; throws UsageError naming the flag on a bad entry. */
export function parseKeyValues(entries: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const entry of entries ?? []) {
    const eq = entry.indexOf('=')
    if (eq <= 0) throw new UsageError(`${flag} expects KEY=VALUE, got "${entry}"`)
    out[entry.slice(0, eq).trim()] = entry.slice(eq + 1)
  }
  return out
}

/** Parses "host:port" (host may be empty = 127.0.0.1; port 0 = ephemeral). */
export function parseListen(value: string, flag = '--listen'): {host: string; port: number} {
  const s = value.replace(/^[A-Za-z_]+:\/\//, '')
  const m = s.match(/^\[?([^\]]*?)\]?:(\d+)$/)
  const port = m ? Number(m[2]) : NaN
  if (!m || !(port >= 0 && port < 65536)) throw new UsageError(`${flag} expects HOST:PORT, got "${value}"`)
  return {host: m[1] || '127.0.0.1', port}
}
