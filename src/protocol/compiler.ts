/**
 * Schema compiler: turns one MessageSchema at one version into a specialised encoder and decoder
 * by generating JavaScript source (new Function). Every decision that depends on the schema
 * (presence, nullability, compact lengths, tagged fields, defaults) is made at generation time,
 * once, so the generated code is a straight sequence of Reader/Writer calls with no schema lookups.
 *
 * This file holds the public entry points and the runtime the generated code is bound to; the
 * generation itself lives in field-type.ts, code-buffer.ts and the defaults, decoder and encoder
 * generators.
 */
import type {ApiSchema, MessageSchema} from './schema.js'
import {Writer} from './writer.js'
import type {Reader} from './reader.js'
import {ProtocolError} from './errors.js'
import {inVersions} from './versions.js'
import {CodeBuffer} from './code-buffer.js'
import {DefaultsGenerator} from './defaults-generator.js'
import {DecoderGenerator} from './decoder-generator.js'
import {EncoderGenerator} from './encoder-generator.js'

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

/** Generates the decoder and encoder of a message into a fresh buffer, in that order (it fixes the names). */
function generate(msg: MessageSchema, version: number, flexible: boolean) {
  const code = new CodeBuffer(version, flexible)
  const defaults = new DefaultsGenerator(code)
  const dec = new DecoderGenerator(code, defaults).structDecoder(msg.fields)
  const enc = new EncoderGenerator(code, defaults).structEncoder(msg.fields)
  return {code, defaults, dec, enc}
}

/** Compiles one message at one version (no caching; see getCodec). */
export function compileMessage(msg: MessageSchema, version: number, flexible: boolean): MessageCodec {
  const {code, defaults, dec, enc} = generate(msg, version, flexible)
  const defs = defaults.defaultsFn(msg.fields)
  const src = `"use strict";\n${code.source()}\nreturn {encode: ${enc}, decode: ${dec}, defaults: ${defs}};`
  const build = new Function('W', 'PE', 'isDef', 'EMPTY', src) as (...a: unknown[]) => MessageCodec
  return build(Writer, ProtocolError, isDefault, emptyBuffer)
}

/** Source of the generated codec, for debugging a schema. */
export function codecSource(msg: MessageSchema, version: number, flexible: boolean): string {
  return generate(msg, version, flexible).code.source()
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
