/**
 * Generation of encoders: the functions that write a struct, an array or a primitive to a Writer,
 * filling in defaults for missing properties and sending tagged fields only when they differ from
 * their defaults. Separate from the decoder generator because the two only share field
 * resolution and defaults.
 */
import type {FieldSchema} from './schema.js'
import type {CodeBuffer} from './code-buffer.js'
import type {DefaultsGenerator} from './defaults-generator.js'
import {checkTags, prop, type Resolved} from './field-type.js'

/** Emits encoder functions (writer `w` and value `o` in) into a CodeBuffer. */
export class EncoderGenerator {
  constructor(
    private readonly code: CodeBuffer,
    private readonly defaults: DefaultsGenerator,
  ) {}

  private writePrim(prim: string, w: string, x: string): string {
    const flex = this.code.flexible
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
    const name = this.code.id('b')
    const flexible = this.code.flexible
    const elem = res.prim
      ? this.writePrim(res.prim, 'w', `a[i] ?? ${this.defaults.primDefault(res.prim, undefined)}`) + ';'
      : `${this.structEncoder(res.fields!)}(w, a[i]);`
    const writeLen = (n: string) => (flexible ? `w.uvarint(${n} + 1)` : `w.int32(${n})`)
    const onNull = res.nullable ? (flexible ? 'w.uvarint(0)' : 'w.int32(-1)') : writeLen('0')
    this.code.emit(`function ${name}(w, a) {
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
      const d = this.defaults.defaultExpr(res.f)
      return d === 'null' ? `(${p} ?? null)` : `(${p} === undefined ? ${d} : ${p})`
    }
    return `(${p} ?? ${this.defaults.nonNullDefault(res)})`
  }

  /** Condition true when a tagged field's value differs from its default (and so is sent). */
  private taggedCond(res: Resolved, x: string): string {
    const d = this.defaults.defaultExpr(res.f)
    if (d === 'null') return `${x} != null`
    if (res.kind === 'array') return `${x} != null && ${x}.length > 0`
    if (res.kind === 'struct') return `${x} != null && !isDef(${x}, ${d})`
    if (d === 'EMPTY()') return `${x} != null && ${x}.length > 0`
    return `${x} !== undefined && ${x} !== ${d}`
  }

  /** Name of a generated function encoding a struct (or the top-level message). */
  structEncoder(fields: FieldSchema[]): string {
    const name = this.code.id('e')
    const resolved = fields.map((f) => this.code.resolve(f))
    checkTags(resolved)
    const body: string[] = ['  if (o == null) o = {};']
    for (const res of resolved) {
      if (!res.present || res.tagged) continue
      body.push(`  ${this.writeStmt(res, 'w', this.valueExpr(res))}`)
    }
    if (this.code.flexible) {
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
    this.code.emit(`function ${name}(w, o) {\n${body.join('\n')}\n}`)
    return name
  }
}
