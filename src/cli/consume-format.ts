/**
 * Output of `samsa consume`: kcat's -f format tokens compiled once into a list of steps, and the
 * --json line of a record (the same shape `samsa produce --input json` reads back). Both write
 * into an OutputBuffer, so keys and values are copied straight from the fetched bytes into the
 * output without an intermediate string.
 */
import type {ConsumerRecord} from '../consumer/index.js'
import {UsageError} from './errors.js'
import type {OutputBuffer} from './consume-output.js'

/** A record as the formatters read it: the engine's FetchedRecord adds cheap sizes and a numeric offset. */
export type FormatRecord = ConsumerRecord & {keySize?: number; valueSize?: number; offsetNumber?: number}

/** Writes one record into the output. */
export type RecordWriter = (r: FormatRecord, out: OutputBuffer) => void

type Step = Buffer | ((r: FormatRecord, out: OutputBuffer) => void)

const TOKENS: Record<string, (r: FormatRecord, out: OutputBuffer) => void> = {
  t: (r, out) => out.string(r.topic),
  p: (r, out) => out.string(String(r.partition)),
  o: (r, out) => out.string(String(r.offsetNumber ?? r.offset)),
  k: (r, out) => {
    const k = r.key
    if (k !== null) out.bytes(k)
  },
  s: (r, out) => {
    const v = r.value
    if (v !== null) out.bytes(v)
  },
  // As kcat: the length of a null key or value is -1.
  K: (r, out) => out.string(String(r.keySize ?? (r.key === null ? -1 : r.key.length))),
  S: (r, out) => out.string(String(r.valueSize ?? (r.value === null ? -1 : r.value.length))),
  T: (r, out) => out.string(String(r.timestamp)),
  h: (r, out) => {
    const hs = r.headers
    for (let i = 0; i < hs.length; i++) {
      if (i > 0) out.string(',')
      out.string(hs[i].key)
      out.string('=')
      const v = hs[i].value
      // kcat prints a null header value as NULL.
      if (v !== null) out.bytes(v)
      else out.string('NULL')
    }
  },
}

const ESCAPES: Record<string, string> = {n: '\n', t: '\t', r: '\r', '\\': '\\', '0': '\0'}

/** Compiles a kcat-style format (%t %p %o %k %s %K %S %T %h %%, escapes \n \t \r \\ \xNN); UsageError on an unknown token. */
export function compileFormat(fmt: string): RecordWriter {
  const steps: Step[] = []
  // Literal bytes between tokens: text as UTF-8, \xNN as the raw byte.
  let parts: Buffer[] = []
  let text = ''
  const endText = (): void => {
    if (text !== '') parts.push(Buffer.from(text, 'utf8'))
    text = ''
  }
  const flush = (): void => {
    endText()
    if (parts.length > 0) steps.push(Buffer.concat(parts))
    parts = []
  }
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]
    if (c === '%') {
      const t = fmt[++i]
      if (t === '%') {
        text += '%'
      } else if (t !== undefined && TOKENS[t]) {
        flush()
        steps.push(TOKENS[t])
      } else {
        throw new UsageError(`unknown format token "%${t ?? ''}" in -f; known: %t %p %o %k %s %K %S %T %h %%`)
      }
    } else if (c === '\\' && i + 1 < fmt.length) {
      const e = fmt[++i]
      if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(fmt.slice(i + 1, i + 3))) {
        endText()
        parts.push(Buffer.from([parseInt(fmt.slice(i + 1, i + 3), 16)]))
        i += 2
      } else {
        text += ESCAPES[e] ?? `\\${e}`
      }
    } else {
      text += c
    }
  }
  flush()
  if (steps.length === 1 && typeof steps[0] !== 'function') {
    const only = steps[0]
    return (_r, out) => out.bytes(only)
  }
  return (r, out) => {
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i]
      if (typeof s === 'function') s(r, out)
      else out.bytes(s)
    }
  }
}

// fatal: malformed UTF-8 throws instead of becoming U+FFFD, so binary data is detected.
const STRICT_UTF8 = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true})

/** JSON text of bytes: a UTF-8 string, {"base64": ...} when not valid UTF-8, null when absent. */
export function jsonBytes(b: Buffer | null): string {
  if (b === null) return 'null'
  let s: string
  try {
    s = STRICT_UTF8.decode(b)
  } catch {
    return `{"base64":"${b.toString('base64')}"}`
  }
  return JSON.stringify(s)
}

/**
 * A writer of --json lines: {"topic","partition","offset","timestamp","timestampType","key",
 * "value","headers":[{"key","value"}]}, one per line. Topic names are quoted once per topic.
 */
export function jsonWriter(): RecordWriter {
  const quoted = new Map<string, string>()
  return (r, out) => {
    let topic = quoted.get(r.topic)
    if (topic === undefined) quoted.set(r.topic, (topic = JSON.stringify(r.topic)))
    let headers = ''
    const hs = r.headers
    for (let i = 0; i < hs.length; i++) {
      headers += `${i > 0 ? ',' : ''}{"key":${JSON.stringify(hs[i].key)},"value":${jsonBytes(hs[i].value)}}`
    }
    out.string(`{"topic":${topic},"partition":${r.partition},"offset":${r.offsetNumber ?? r.offset},"timestamp":${r.timestamp},` +
      `"timestampType":"${r.timestampType}","key":${jsonBytes(r.key)},"value":${jsonBytes(r.value)},"headers":[${headers}]}\n`)
  }
}
