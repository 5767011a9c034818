/**
 * Generation of default values: the JS expression for a field's default and the functions that
 * build a struct of defaults. Separate because decoding (absent and tagged fields), encoding
 * (missing properties, tagged-field elision) and MessageCodec.defaults all need the same defaults.
 */
import type {FieldSchema} from './schema.js'
import type {CodeBuffer} from './code-buffer.js'
import {INT_TYPES, ZERO_UUID, kindOf, type Resolved} from './field-type.js'

/** Emits default-value expressions and struct-default functions into a CodeBuffer. */
export class DefaultsGenerator {
  private readonly defaultFns = new Map<FieldSchema[], string>()

  constructor(private readonly code: CodeBuffer) {}

  /** JS expression for a fresh default value of a field (independent of version). */
  defaultExpr(f: FieldSchema): string {
    const {kind, prim} = kindOf(f)
    const d = f.default
    const nullableSomewhere = f.nullableVersions !== undefined && f.nullableVersions !== 'none'
    if (d === null || d === 'null') return 'null'
    if (kind === 'array') return d === undefined && nullableSomewhere ? 'null' : '[]'
    if (kind === 'struct') return d === undefined && nullableSomewhere ? 'null' : `${this.defaultsFn(f.fields!)}()`
    if (d === undefined && (nullableSomewhere || prim === 'records')) return 'null'
    return this.primDefault(prim!, d)
  }

  /** Default of a primitive when the value may not be null (e.g. a non-nullable field sent null). */
  nonNullDefault(res: Resolved): string {
    const e = this.defaultExpr(res.f)
    if (e !== 'null') return e
    if (res.kind === 'array') return '[]'
    if (res.kind === 'struct') return `${this.defaultsFn(res.fields!)}()`
    return this.primDefault(res.prim!, undefined)
  }

  /** JS literal for a primitive's default `d` (undefined = the type's zero value). */
  primDefault(prim: string, d: unknown): string {
    switch (prim) {
      case 'bool':
        return d === undefined ? 'false' : String(d === true || d === 'true')
      case 'int64': {
        const b = d === undefined ? 0n : BigInt(d as string | number | bigint)
        return `${b}n`
      }
      case 'string':
        return JSON.stringify(d === undefined ? '' : String(d))
      case 'uuid':
        return JSON.stringify(d === undefined ? ZERO_UUID : String(d))
      case 'bytes':
      case 'records':
        // Buffers are mutable, so each default is a fresh empty one (cheap: zero-length).
        return 'EMPTY()'
      default: {
        if (!INT_TYPES.has(prim)) throw new Error(`no default for ${prim}`)
        const n = d === undefined ? 0 : Number(d)
        if (!Number.isFinite(n)) throw new Error(`bad default ${String(d)} for ${prim}`)
        return Object.is(n, -0) ? '0' : String(n)
      }
    }
  }

  /** Name of a generated function returning a struct holding every field's default. */
  defaultsFn(fields: FieldSchema[]): string {
    let name = this.defaultFns.get(fields)
    if (name) return name
    name = this.code.id('d')
    this.defaultFns.set(fields, name)
    const parts = fields.map((f) => `${JSON.stringify(f.name)}: ${this.defaultExpr(f)}`)
    this.code.emit(`function ${name}() { return {${parts.join(', ')}}; }`)
    return name
  }
}
