/**
 * Field typing for the schema compiler: which wire types exist, how a schema field's type string
 * maps to primitive/array/struct, and what a field looks like at one version (present, nullable,
 * tagged). Kept apart from code generation because the defaults, decoder and encoder generators
 * all resolve fields the same way and must agree on it.
 */
import type {FieldSchema} from './schema.js'
import {inVersions} from './versions.js'

const PRIMITIVES = new Set(['bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'records', 'uuid'])
/** Numeric types whose default is a plain JS number literal. */
export const INT_TYPES = new Set(['int8', 'int16', 'uint16', 'int32', 'uint32', 'float64'])
/** Default of a uuid field that declares none. */
export const ZERO_UUID = '00000000-0000-0000-0000-000000000000'
const IDENT = /^[A-Za-z_$][\w$]*$/

/** Shape of a field's type: a single value, an array, or a nested struct. */
export type Kind = 'primitive' | 'array' | 'struct'

/** A field as it appears at one version, with everything the generator needs resolved. */
export interface Resolved {
  f: FieldSchema
  kind: Kind
  /** Primitive type (for 'primitive' and primitive arrays). */
  prim?: string
  /** Element fields (for struct and struct-array). */
  fields?: FieldSchema[]
  present: boolean
  nullable: boolean
  tagged: boolean
}

/** Classifies a field's type string; throws on a type the codec cannot handle. */
export function kindOf(f: FieldSchema): {kind: Kind; prim?: string} {
  const t = f.type
  if (t.startsWith('[]')) {
    if (f.fields) return {kind: 'array'}
    const prim = t.slice(2)
    if (!PRIMITIVES.has(prim)) throw new Error(`field ${f.name}: unknown array element type ${prim}`)
    return {kind: 'array', prim}
  }
  if (f.fields) return {kind: 'struct'}
  if (!PRIMITIVES.has(t)) throw new Error(`field ${f.name}: unknown type ${t}`)
  return {kind: 'primitive', prim: t}
}

/** Resolves a field at `version`; tags only exist in flexible versions. */
export function resolveField(f: FieldSchema, version: number, flexible: boolean): Resolved {
  const {kind, prim} = kindOf(f)
  const tagged = flexible && f.taggedVersions !== undefined && inVersions(f.taggedVersions, version)
  if (tagged && f.tag === undefined) throw new Error(`field ${f.name}: taggedVersions without tag`)
  return {
    f,
    kind,
    prim,
    fields: f.fields,
    present: inVersions(f.versions, version) || tagged,
    nullable: f.nullableVersions !== undefined && inVersions(f.nullableVersions, version),
    tagged,
  }
}

/** Throws when two tagged fields of one struct share a tag number. */
export function checkTags(resolved: Resolved[]): void {
  const seen = new Set<number>()
  for (const res of resolved) {
    if (!res.tagged) continue
    if (seen.has(res.f.tag!)) throw new Error(`duplicate tag ${res.f.tag} (${res.f.name})`)
    seen.add(res.f.tag!)
  }
}

/** JS property access for a field name, quoted when the name is not an identifier. */
export function prop(obj: string, name: string): string {
  return IDENT.test(name) ? `${obj}.${name}` : `${obj}[${JSON.stringify(name)}]`
}
