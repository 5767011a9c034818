/**
 * Kafka client properties ("linger.ms=5", as given by `-X` or a .properties file) read into the
 * camelCase config objects of the producer and the consumer. Both parsers share these rules: unknown
 * names are ignored (Kafka only warns), a bad value is an error naming the property, and the error
 * class is the engine's own so callers can tell which config was wrong.
 */

/** Sets one field of a config from a property's text; throws on a bad value. */
export type PropertySetter<C> = (out: Partial<C>, value: string, name: string) => void

/** The parsing helpers of one engine's config, all throwing that engine's error class. */
export interface PropertyParser<C> {
  /** Checks an already-numeric setting: an integer from `min` to int32 max. */
  int(name: string, v: number, min: number): number
  /** A setter for an integer property. */
  intProp(key: keyof C): PropertySetter<C>
  /** A setter for a true/false property. */
  boolProp(key: keyof C): PropertySetter<C>
  /** A setter for a property with a fixed set of (lower-case) values, after `alias` maps spellings. */
  enumProp(key: keyof C, allowed: readonly string[], alias?: Record<string, string>): PropertySetter<C>
  /** Applies every known property in `props` on top of `base`; requires bootstrap.servers. */
  parse(props: Record<string, string>, table: Record<string, PropertySetter<C>>, base: Partial<C>): C
}

/** The helpers for a config type whose errors are made by `fail`. */
export function propertyParser<C extends {bootstrap: string | string[]}>(fail: (message: string) => Error): PropertyParser<C> {
  const set = (out: Partial<C>, key: keyof C, v: unknown): void => {
    (out as Record<keyof C, unknown>)[key] = v
  }
  return {
    int(name, v, min) {
      if (!Number.isInteger(v) || v < min || v > 2147483647) {
        throw fail(`invalid value ${String(v)} for ${name}: expected an integer from ${min} to 2147483647`)
      }
      return v
    },
    intProp: (key) => (out, value, name) => {
      const s = value.trim()
      const n = /^-?\d+$/.test(s) ? Number(s) : NaN
      if (!Number.isSafeInteger(n)) throw fail(`invalid value "${value}" for ${name}: expected an integer`)
      set(out, key, n)
    },
    boolProp: (key) => (out, value, name) => {
      const s = value.trim().toLowerCase()
      if (s !== 'true' && s !== 'false') throw fail(`invalid value "${value}" for ${name}: expected true or false`)
      set(out, key, s === 'true')
    },
    enumProp: (key, allowed, alias = {}) => (out, value, name) => {
      const s = value.trim().toLowerCase()
      const mapped = alias[s] ?? s
      if (!allowed.includes(mapped)) {
        throw fail(`invalid value "${value}" for ${name}: expected ${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}`)
      }
      set(out, key, mapped)
    },
    parse(props, table, base) {
      const out: Partial<C> = {...base}
      for (const [name, value] of Object.entries(props)) {
        const setter = table[name.trim()]
        if (setter) setter(out, String(value), name.trim())
      }
      if (out.bootstrap === undefined) throw fail('bootstrap.servers is required')
      return out as C
    },
  }
}
