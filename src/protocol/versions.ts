/** Parsing of Kafka version-range strings ("0+", "3-5", "7", "none"). */

/** An inclusive version range; `max` is Infinity for "N+". */
export interface VersionRange {
  min: number
  max: number
}

const cache = new Map<string, VersionRange | null>()

/** Parses "N+", "A-B", "N" or "none" (null = no versions). Throws on anything else. */
export function parseVersions(spec: string): VersionRange | null {
  let r = cache.get(spec)
  if (r !== undefined) return r
  const s = spec.trim()
  let m: RegExpMatchArray | null
  if (s === 'none' || s === '') r = null
  else if ((m = s.match(/^(\d+)\+$/))) r = {min: Number(m[1]), max: Infinity}
  else if ((m = s.match(/^(\d+)-(\d+)$/))) r = {min: Number(m[1]), max: Number(m[2])}
  else if ((m = s.match(/^(\d+)$/))) r = {min: Number(m[1]), max: Number(m[1])}
  else throw new Error(`invalid version range ${JSON.stringify(spec)}`)
  cache.set(spec, r)
  return r
}

/** True when `version` lies in the range string (undefined = no versions). */
export function inVersions(spec: string | undefined, version: number): boolean {
  if (spec === undefined) return false
  const r = parseVersions(spec)
  return r !== null && version >= r.min && version <= r.max
}
