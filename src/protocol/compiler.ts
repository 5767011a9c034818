/**
 * Schema compiler: turns one MessageSchema at one version into a specialised encoder and decoder
 * by generating JavaScript source (new Function). Every decision that depends on the schema
 * (presence, nullability, compact lengths, tagged fields, defaults) is made here, once, so the
 * generated code is a straight sequence of Reader/Writer calls with no schema lookups.
 */
import type {ApiSchema, FieldSchema, MessageSchema} from './schema.js'
import {Reader} from './reader.js'
import {Writer} from './writer.js'
import {ProtocolError} from './errors.js'
import {inVersions} from './versions.js'

/** Encoder and decoder of one message at one version. */
export interface MessageCodec {
  /** Appends the message to `w`; missing properties are written as their defaults. */
  encode(w: Writer, value: any): void
  /** Reads the message at the reader's cursor; throws ProtocolError on malformed bytes. */
  decode(r: Reader): any
  /** A fresh object holding the default of every field (what decode yields for absent fields). */
  defaults(): any
}

/** Which half of an API a codec is for. */
export type Direction = 'request' | 'response'

const PRIMITIVES = new Set(['bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'records', 'uuid'])
const INT_TYPES = new Set(['int8', 'int16', 'uint16', 'int32', 'uint32', 'float64'])
const ZERO_UUID = '00000000-0000-0000-0000-000000000000'
const IDENT = /^[A-Za-z_$][\w$]*$/

type Kind = 'primitive' | 'array' | 'struct'

/** A field as it appears at one version, with everything the generator needs resolved. */
interface Resolved {
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

function kindOf(f: FieldSchema): {kind: Kind; prim?: string} {
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

function prop(obj: string, name: string): string {
  return IDENT.test(name) ? `${obj}.${name}` : `${obj}[${JSON.stringify(name)}]`
}

/** Generates the source of all functions for one message at one version. */
class Generator {
  private readonly out: string[] = []
  private n = 0
  /** Non-literal constants (e.g. default Buffers) referenced as K[i] from generated code. */
  readonly consts: unknown[] = []
  private readonly defaultFns = new Map<FieldSchema[], string>()

  constructor(
    private readonly version: number,
    private readonly flexible: boolean,
  ) {}

  source(): string {
    return this.out.join('\n')
  }

  private id(prefix: string): string {
    return `${prefix}${this.n++}`
  }

  private konst(v: unknown): string {
    this.consts.push(v)
    return `K[${this.consts.length - 1}]`
  }

  resolve(f: FieldSchema): Resolved {
    const {kind, prim} = kindOf(f)
    const v = this.version
    const tagged = this.flexible && f.taggedVersions !== undefined && inVersions(f.taggedVersions, v)
    if (tagged && f.tag === undefined) throw new Error(`field ${f.name}: taggedVersions without tag`)
    return {
      f,
      kind,
      prim,
      fields: f.fields,
      present: inVersions(f.versions, v) || tagged,
      nullable: f.nullableVersions !== undefined && inVersions(f.nullableVersions, v),
      tagged,
    }
  }

  // ---- defaults -------------------------------------------------------------------------------

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
  private nonNullDefault(res: Resolved): string {
    const e = this.defaultExpr(res.f)
    if (e !== 'null') return e
    if (res.kind === 'array') return '[]'
    if (res.kind === 'struct') return `${this.defaultsFn(res.fields!)}()`
    return this.primDefault(res.prim!, undefined)
  }

  private primDefault(prim: string, d: unknown): string {
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
    name = this.id('d')
    this.defaultFns.set(fields, name)
    const parts = fields.map((f) => `${JSON.stringify(f.name)}: ${this.defaultExpr(f)}`)
    this.out.push(`function ${name}() { return {${parts.join(', ')}}; }`)
    return name
  }

  // ---- decoding -------------------------------------------------------------------------------

  private readPrim(prim: string, nullable: boolean): string {
    const flex = this.flexible
    switch (prim) {
      case 'string':
        return flex ? (nullable ? 'r.compactNullableString()' : 'r.compactString()') : nullable ? 'r.nullableString()' : 'r.string()'
      case 'bytes':
        return flex ? (nullable ? 'r.compactNullableBytes()' : 'r.compactBytes()') : nullable ? 'r.nullableBytes()' : 'r.bytes()'
      case 'records':
        return flex ? 'r.compactRecords()' : 'r.records()'
      default:
        return `r.${prim}()`
    }
  }

  /** JS expression decoding one field value at the reader `r`. */
  private readExpr(res: Resolved): string {
    if (res.kind === 'primitive') return this.readPrim(res.prim!, res.nullable)
    if (res.kind === 'struct') {
      const fn = this.structDecoder(res.fields!)
      return res.nullable ? `(r.int8() < 0 ? null : ${fn}(r))` : `${fn}(r)`
    }
    return `${this.arrayDecoder(res)}(r)`
  }

  private arrayDecoder(res: Resolved): string {
    const name = this.id('a')
    const elem = res.prim
      ? this.readPrim(res.prim, false)
      : `${this.structDecoder(res.fields!)}(r)`
    const len = this.flexible ? 'r.uvarint() - 1' : 'r.int32()'
    // A non-nullable array sent as null decodes leniently to [] rather than failing the request.
    const onNull = res.nullable ? 'null' : '[]'
    this.out.push(`function ${name}(r) {
  const n = ${len};
  if (n < 0) { if (n === -1) return ${onNull}; throw new PE('invalid array length ' + n + ' in ${res.f.name}'); }
  if (n > r.remaining()) throw new PE('array length ' + n + ' in ${res.f.name} exceeds the frame');
  const a = [];
  for (let i = 0; i < n; i++) a.push(${elem});
  return a;
}`)
    return name
  }

  /** Name of a generated function decoding a struct (or the top-level message). */
  structDecoder(fields: FieldSchema[]): string {
    const name = this.id('s')
    const resolved = fields.map((f) => this.resolve(f))
    const parts: string[] = []
    const tagCases: string[] = []
    for (const res of resolved) {
      const key = JSON.stringify(res.f.name)
      if (!res.present || res.tagged) {
        parts.push(`${key}: ${this.defaultExpr(res.f)}`)
        if (res.tagged) tagCases.push(`case ${res.f.tag}: ${prop('o', res.f.name)} = ${this.readExpr(res)}; break;`)
      } else {
        parts.push(`${key}: ${this.readExpr(res)}`)
      }
    }
    this.checkTags(resolved)
    let tags = ''
    if (this.flexible) {
      tags = tagCases.length === 0
        ? '  r.skipTaggedFields();'
        : `  const nt = r.uvarint();
  for (let i = 0; i < nt; i++) {
    const tag = r.uvarint();
    const size = r.uvarint();
    const end = r.offset + size;
    if (end > r.buf.length) throw new PE('tagged field ' + tag + ' overruns the frame');
    switch (tag) {
      ${tagCases.join('\n      ')}
      default: r.offset = end;
    }
    if (r.offset !== end) throw new PE('tagged field ' + tag + ' has size ' + size + ' but its value used ' + (r.offset - end + size));
  }`
    }
    this.out.push(`function ${name}(r) {
  const o = {${parts.join(', ')}};
${tags}
  return o;
}`)
    return name
  }

  private checkTags(resolved: Resolved[]): void {
    const seen = new Set<number>()
    for (const res of resolved) {
      if (!res.tagged) continue
      if (seen.has(res.f.tag!)) throw new Error(`duplicate tag ${res.f.tag} (${res.f.name})`)
      seen.add(res.f.tag!)
    }
  }

  // ---- encoding -------------------------------------------------------------------------------

  private writePrim(prim: string, w: string, x: string): string {
    const flex = this.flexible
    switch (prim) {
      case 'string':
        return flex ? `${w}.compactString(${x})` : `${w}.string(${x})`
      case 'bytes':
        return flex ? `${w}.compactBytes(${x})` : `${w}.bytes(${x})`
      case 'records':
        return flex ? `${w}.compactRecords(${x})` : `${w}.records(${x})`
      default:
        return `${w}.${prim}(${x})`
    }
  }

  /** Statement writing value `x` (already defaulted) of a field to writer `w`. */
  private writeStmt(res: Resolved, w: string, x: string): string {
    if (res.kind === 'primitive') return this.writePrim(res.prim!, w, x) + ';'
    if (res.kind === 'struct') {
      const fn = this.structEncoder(res.fields!)
      return res.nullable
        ? `if (${x} === null) ${w}.int8(-1); else { ${w}.int8(1); ${fn}(${w}, ${x}); }`
        : `${fn}(${w}, ${x});`
    }
    return `${this.arrayEncoder(res)}(${w}, ${x});`
  }

  private arrayEncoder(res: Resolved): string {
    const name = this.id('b')
    const elem = res.prim
      ? this.writePrim(res.prim, 'w', `a[i] ?? ${this.primDefault(res.prim, undefined)}`) + ';'
      : `${this.structEncoder(res.fields!)}(w, a[i]);`
    const writeLen = (n: string) => (this.flexible ? `w.uvarint(${n} + 1)` : `w.int32(${n})`)
    const onNull = res.nullable ? (this.flexible ? 'w.uvarint(0)' : 'w.int32(-1)') : writeLen('0')
    this.out.push(`function ${name}(w, a) {
  if (a == null) { ${onNull}; return; }
  const n = a.length;
  ${writeLen('n')};
  for (let i = 0; i < n; i++) ${elem}
}`)
    return name
  }

  /** Expression for the value of field `res` of object `o`, with missing/invalid null replaced. */
  private valueExpr(res: Resolved): string {
    const p = prop('o', res.f.name)
    if (res.nullable) {
      const d = this.defaultExpr(res.f)
      return d === 'null' ? `(${p} ?? null)` : `(${p} === undefined ? ${d} : ${p})`
    }
    return `(${p} ?? ${this.nonNullDefault(res)})`
  }

  /** Condition true when a tagged field's value differs from its default (and so is sent). */
  private taggedCond(res: Resolved, x: string): string {
    const d = this.defaultExpr(res.f)
    if (d === 'null') return `${x} != null`
    if (res.kind === 'array') return `${x} != null && ${x}.length > 0`
    if (res.kind === 'struct') return `${x} != null && !isDef(${x}, ${d})`
    if (d === 'EMPTY()') return `${x} != null && ${x}.length > 0`
    return `${x} !== undefined && ${x} !== ${d}`
  }

  /** Name of a generated function encoding a struct (or the top-level message). */
  structEncoder(fields: FieldSchema[]): string {
    const name = this.id('e')
    const resolved = fields.map((f) => this.resolve(f))
    this.checkTags(resolved)
    const body: string[] = ['  if (o == null) o = {};']
    for (const res of resolved) {
      if (!res.present || res.tagged) continue
      body.push(`  ${this.writeStmt(res, 'w', this.valueExpr(res))}`)
    }
    if (this.flexible) {
      const tagged = resolved.filter((r) => r.tagged).sort((a, b) => a.f.tag! - b.f.tag!)
      if (tagged.length === 0) {
        body.push('  w.uvarint(0);')
      } else {
        body.push('  let tc = 0;')
        tagged.forEach((res, i) => {
          body.push(`  const t${i} = ${prop('o', res.f.name)}; const h${i} = ${this.taggedCond(res, `t${i}`)}; if (h${i}) tc++;`)
        })
        body.push('  w.uvarint(tc);')
        tagged.forEach((res, i) => {
          // The size prefix precedes the value, so the value is encoded into a scratch writer first;
          // tagged fields are rare, so the extra copy is cheap.
          body.push(`  if (h${i}) { const sw = new W(64); ${this.writeStmt(res, 'sw', `t${i}`)} const sb = sw.toBuffer(); w.uvarint(${res.f.tag}); w.uvarint(sb.length); w.raw(sb); }`)
        })
      }
    }
    this.out.push(`function ${name}(w, o) {\n${body.join('\n')}\n}`)
    return name
  }
}

/** True when every property of `value` that is set equals the default (deeply). */
function isDefault(value: any, def: any): boolean {
  if (value === def) return true
  if (value === undefined) return true
  if (def === null || value === null) return false
  if (Buffer.isBuffer(def)) return Buffer.isBuffer(value) && def.equals(value)
  if (Array.isArray(def)) return Array.isArray(value) && value.length === def.length && value.every((v, i) => isDefault(v, def[i]))
  if (typeof def === 'object') {
    if (typeof value !== 'object') return false
    for (const k of Object.keys(def)) if (!isDefault(value[k], def[k])) return false
    return true
  }
  return false
}

const emptyBuffer = () => Buffer.alloc(0)

/** Compiles one message at one version (no caching; see getCodec). */
export function compileMessage(msg: MessageSchema, version: number, flexible: boolean): MessageCodec {
  const gen = new Generator(version, flexible)
  const dec = gen.structDecoder(msg.fields)
  const enc = gen.structEncoder(msg.fields)
  const defs = gen.defaultsFn(msg.fields)
  const src = `"use strict";\n${gen.source()}\nreturn {encode: ${enc}, decode: ${dec}, defaults: ${defs}};`
  const build = new Function('W', 'PE', 'K', 'isDef', 'EMPTY', src) as (...a: unknown[]) => MessageCodec
  return build(Writer, ProtocolError, gen.consts, isDefault, emptyBuffer)
}

/** Source of the generated codec, for debugging a schema. */
export function codecSource(msg: MessageSchema, version: number, flexible: boolean): string {
  const gen = new Generator(version, flexible)
  gen.structDecoder(msg.fields)
  gen.structEncoder(msg.fields)
  return gen.source()
}

const codecs = new WeakMap<MessageSchema, Map<number, MessageCodec>>()

/** The cached codec of an API's request or response at `version` (compiled on first use). */
export function getCodec(api: ApiSchema, version: number, direction: Direction): MessageCodec {
  const msg = direction === 'request' ? api.request : api.response
  let byVersion = codecs.get(msg)
  if (!byVersion) codecs.set(msg, (byVersion = new Map()))
  let codec = byVersion.get(version)
  if (!codec) {
    codec = compileMessage(msg, version, inVersions(api.flexibleVersions, version))
    byVersion.set(version, codec)
  }
  return codec
}
