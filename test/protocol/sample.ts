/**
 * Test helper: builds a sample message for a schema at one version with a non-default value in
 * every field present in that version, and the object the decoder must return for it.
 * Written independently of the compiler from the contract's rules, so it can catch compiler bugs.
 */
import type {FieldSchema} from '../../src/protocol/index.js'
import {inVersions} from '../../src/protocol/index.js'

const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

export interface SampleOptions {
  version: number
  flexible: boolean
  /** Put null in every field nullable at this version (instead of a non-null value). */
  nulls: boolean
}

function isPresent(f: FieldSchema, o: SampleOptions): boolean {
  return inVersions(f.versions, o.version) || (o.flexible && inVersions(f.taggedVersions, o.version))
}

/** The value a decoder yields for a field it did not read (contract: default, else null if nullable, else zero). */
export function defaultOf(f: FieldSchema): unknown {
  const d = f.default
  if (d === null || d === 'null') return null
  const nullable = f.nullableVersions !== undefined && f.nullableVersions !== 'none'
  const isArray = f.type.startsWith('[]')
  if (isArray) return d === undefined && nullable ? null : []
  if (f.fields) return d === undefined && nullable ? null : defaultStruct(f.fields)
  if (d === undefined && (nullable || f.type === 'records')) return null
  switch (f.type) {
    case 'bool': return d === undefined ? false : d === true || d === 'true'
    case 'int64': return d === undefined ? 0n : BigInt(d as any)
    case 'string': return d === undefined ? '' : String(d)
    case 'uuid': return d === undefined ? ZERO_UUID : String(d)
    case 'bytes': case 'records': return Buffer.alloc(0)
    default: return d === undefined ? 0 : Number(d)
  }
}

function defaultStruct(fields: FieldSchema[]): Record<string, unknown> {
  const o: Record<string, unknown> = {}
  for (const f of fields) o[f.name] = defaultOf(f)
  return o
}

let salt = 0

function primitive(type: string, name: string, def: unknown): unknown {
  const s = ++salt
  switch (type) {
    case 'bool': return def !== true
    case 'int8': return -100 + (s % 50)
    case 'int16': return -3000 - s
    case 'uint16': return 65000 + (s % 500)
    case 'int32': return -70000 - s
    case 'uint32': return 4000000000 + s
    case 'int64': return -(2n ** 40n) - BigInt(s)
    case 'float64': return -2.5 - s
    case 'string': return `${name}-é-${s}`
    case 'uuid': return `0f1e2d3c-4b5a-6978-8796-${(0xa5b4c3d2e100 + s).toString(16).padStart(12, '0')}`
    case 'bytes': case 'records': return Buffer.from(`${name}:${s}`)
    default: throw new Error(`unknown type ${type}`)
  }
}

/** Returns [value to encode, value the decoder must return] for a field. */
function sampleField(f: FieldSchema, o: SampleOptions): [unknown, unknown] {
  if (!isPresent(f, o)) {
    // Absent fields: the encoder ignores whatever the caller put there; the decoder yields the default.
    const junk = f.fields ? (f.type.startsWith('[]') ? [{}] : {}) : f.type.startsWith('[]') ? [] : undefined
    return [junk, defaultOf(f)]
  }
  if (o.nulls && inVersions(f.nullableVersions, o.version)) return [null, null]
  if (f.type.startsWith('[]')) {
    const make = () => (f.fields ? sampleStruct(f.fields, o) : (() => { const v = primitive(f.type.slice(2), f.name, undefined); return [v, v] as [unknown, unknown] })())
    const a = make()
    const b = make()
    return [[a[0], b[0]], [a[1], b[1]]]
  }
  if (f.fields) return sampleStruct(f.fields, o)
  const v = primitive(f.type, f.name, defaultOf(f))
  return [v, v]
}

/** A struct sample: [input object, expected decoded object]. */
export function sampleStruct(fields: FieldSchema[], o: SampleOptions): [Record<string, unknown>, Record<string, unknown>] {
  const input: Record<string, unknown> = {}
  const expected: Record<string, unknown> = {}
  for (const f of fields) {
    const [i, e] = sampleField(f, o)
    if (i !== undefined) input[f.name] = i
    expected[f.name] = e
  }
  return [input, expected]
}
