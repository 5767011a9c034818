/**
 * Generation of decoders: the functions that read a struct, an array or a primitive from a Reader,
 * including the flexible versions' tagged-field section. Separate from the encoder generator
 * because the two only share field resolution and defaults, and this side also carries the
 * bounds checks that keep hostile input from escaping as anything but a ProtocolError.
 */
import type {FieldSchema} from './schema.js'
import type {CodeBuffer} from './code-buffer.js'
import type {DefaultsGenerator} from './defaults-generator.js'
import {checkTags, prop, type Resolved} from './field-type.js'

/** Emits decoder functions (reader `r` in, value out) into a CodeBuffer. */
export class DecoderGenerator {
  constructor(
    private readonly code: CodeBuffer,
    private readonly defaults: DefaultsGenerator,
  ) {}

  private readPrim(prim: string, nullable: boolean): string {
    const flex = this.code.flexible
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
    const name = this.code.id('a')
    const elem = res.prim
      ? this.readPrim(res.prim, false)
      : `${this.structDecoder(res.fields!)}(r)`
    const len = this.code.flexible ? 'r.uvarint() - 1' : 'r.int32()'
    // A non-nullable array sent as null decodes leniently to [] rather than failing the request.
    const onNull = res.nullable ? 'null' : '[]'
    this.code.emit(`function ${name}(r) {
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
    const name = this.code.id('s')
    const resolved = fields.map((f) => this.code.resolve(f))
    const parts: string[] = []
    const tagCases: string[] = []
    for (const res of resolved) {
      const key = JSON.stringify(res.f.name)
      if (!res.present || res.tagged) {
        parts.push(`${key}: ${this.defaults.defaultExpr(res.f)}`)
        if (res.tagged) tagCases.push(`case ${res.f.tag}: ${prop('o', res.f.name)} = ${this.readExpr(res)}; break;`)
      } else {
        parts.push(`${key}: ${this.readExpr(res)}`)
      }
    }
    checkTags(resolved)
    let tags = ''
    if (this.code.flexible) {
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
    this.code.emit(`function ${name}(r) {
  const o = {${parts.join(', ')}};
${tags}
  return o;
}`)
    return name
  }
}
