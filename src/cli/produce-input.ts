/**
 * Input of `samsa produce`: splitting a byte stream into lines without decoding it (values stay
 * binary-safe), turning a line into a record (-K key delimiter, -k fixed key, -H headers), and
 * reading the JSON lines that `samsa consume --json` writes back into records.
 */
import type {Readable} from 'node:stream'
import {UsageError} from './errors.js'

/** A header as the producer takes it. */
export interface InputHeader { key: string; value: Buffer | string | null }

/** One record read from the input, before the topic is attached. */
export interface InputRecord {
  key: Buffer | string | null
  value: Buffer | string | null
  headers?: InputHeader[]
  timestamp?: number
  partition?: number
}

/** How a line becomes a record. */
export interface LineOptions {
  /** Split each line at the first occurrence of this delimiter: key before, value after. */
  keyDelimiter?: Buffer
  /** The same key for every record. */
  key?: string
  /** Headers added to every record. */
  headers?: InputHeader[]
}

/** A record that could not be made from its line; the command reports it and goes on. */
export class InputError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'INVALID_INPUT'
  }
}

const NL = 0x0a
const CR = 0x0d

/**
 * Yields the lines of a stream as Buffers (without "\n" or a trailing "\r"). Lines are views into
 * the stream's chunks when they fit in one, so no per-line copy is made. Because this is an async
 * generator pulled by the caller, the stream stays paused while the caller awaits: that is the
 * back-pressure that keeps memory bounded for huge inputs.
 */
export async function* readLines(stream: Readable): AsyncGenerator<Buffer> {
  let rest: Buffer | null = null
  for await (const raw of stream) {
    let chunk: Buffer = typeof raw === 'string' ? Buffer.from(raw) : raw
    let start = 0
    let nl = chunk.indexOf(NL)
    if (rest !== null) {
      if (nl < 0) {
        rest = Buffer.concat([rest, chunk])
        continue
      }
      // A line split over chunks is joined once, here; the rest of the chunk is sliced.
      yield trimCR(Buffer.concat([rest, chunk.subarray(0, nl)]))
      rest = null
      start = nl + 1
      nl = chunk.indexOf(NL, start)
    }
    while (nl >= 0) {
      yield trimCR(chunk.subarray(start, nl))
      start = nl + 1
      nl = chunk.indexOf(NL, start)
    }
    if (start < chunk.length) rest = chunk.subarray(start)
  }
  // The last line needs no newline; an input ending in "\n" has no empty record after it.
  if (rest !== null && rest.length > 0) yield trimCR(rest)
}

function trimCR(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, line.length - 1) : line
}

/** Turns one input line into a record; throws InputError when -K is given and the line lacks it. */
export function recordFromLine(line: Buffer, opts: LineOptions): InputRecord {
  let key: Buffer | string | null = opts.key ?? null
  let value: Buffer = line
  if (opts.keyDelimiter) {
    const at = line.indexOf(opts.keyDelimiter)
    // As Kafka's console producer (parse.key=true): a keyed input line without its separator is an error.
    if (at < 0) throw new InputError(`no key delimiter ${JSON.stringify(opts.keyDelimiter.toString())} in the line`)
    key = line.subarray(0, at)
    value = line.subarray(at + opts.keyDelimiter.length)
  }
  return opts.headers && opts.headers.length > 0 ? {key, value, headers: opts.headers} : {key, value}
}

/** Parses a -K delimiter, understanding the escapes \t \n \r \\ a shell makes awkward to type. */
export function parseDelimiter(text: string): Buffer {
  const unescaped = text.replace(/\\([tnr\\])/g, (_, c: string) => ({t: '\t', n: '\n', r: '\r', '\\': '\\'})[c]!)
  if (unescaped.length === 0) throw new UsageError('-K/--key-delimiter must not be empty')
  if (unescaped.includes('\n')) throw new UsageError('-K/--key-delimiter cannot contain a newline: records are lines')
  return Buffer.from(unescaped)
}

/** Parses repeatable -H k=v flags (a header without "=" has a null value, as kcat's -H k does). */
export function parseHeaders(entries: string[] | undefined): InputHeader[] {
  return (entries ?? []).map((entry) => {
    const eq = entry.indexOf('=')
    if (eq === 0) throw new UsageError(`-H/--header expects KEY=VALUE, got "${entry}"`)
    return eq < 0 ? {key: entry, value: null} : {key: entry.slice(0, eq), value: entry.slice(eq + 1)}
  })
}

/** Options of the JSON-lines input. */
export interface JsonOptions {
  /** Keep each record's source partition (a lossless topic copy, as MirrorMaker 2 does). */
  keepPartition: boolean
}

/**
 * Parses one line written by `samsa consume --json`:
 * {"topic","partition","offset","timestamp","timestampType","key","value","headers":[{"key","value"}]}.
 * Key, value, headers and timestamp are kept; topic and offset belong to the source and are
 * ignored; the partition is kept when `keepPartition`. Throws InputError naming the bad field.
 */
export function recordFromJson(line: Buffer | string, opts: JsonOptions): InputRecord {
  let doc: unknown
  try {
    doc = JSON.parse(typeof line === 'string' ? line : line.toString('utf8'))
  } catch (err) {
    throw new InputError(`not a JSON object: ${(err as Error).message}`)
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new InputError('not a JSON object')
  const o = doc as Record<string, unknown>
  if (!('value' in o)) throw new InputError('missing "value"')
  const record: InputRecord = {key: jsonBytes(o.key ?? null, 'key'), value: jsonBytes(o.value, 'value')}
  if (o.headers !== undefined && o.headers !== null) {
    if (!Array.isArray(o.headers)) throw new InputError('"headers" must be an array of {"key","value"}')
    record.headers = o.headers.map((h, i) => {
      if (!h || typeof h !== 'object' || typeof (h as any).key !== 'string') throw new InputError(`headers[${i}] must be {"key": string, "value": ...}`)
      return {key: (h as any).key, value: jsonBytes((h as any).value ?? null, `headers[${i}].value`)}
    })
  }
  if (o.timestamp !== undefined && o.timestamp !== null) {
    const ts = typeof o.timestamp === 'string' ? Number(o.timestamp) : o.timestamp
    if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < -1) throw new InputError(`"timestamp" must be milliseconds, got ${JSON.stringify(o.timestamp)}`)
    if (ts >= 0) record.timestamp = ts
  }
  if (opts.keepPartition && o.partition !== undefined && o.partition !== null) {
    if (typeof o.partition !== 'number' || !Number.isInteger(o.partition) || o.partition < 0) throw new InputError(`"partition" must be a partition number, got ${JSON.stringify(o.partition)}`)
    record.partition = o.partition
  }
  return record
}

/** A JSON key/value/header value: a UTF-8 string, null, or {"base64": "..."} for binary data. */
function jsonBytes(v: unknown, field: string): Buffer | string | null {
  if (v === null || typeof v === 'string') return v
  if (v && typeof v === 'object' && typeof (v as any).base64 === 'string') return Buffer.from((v as any).base64, 'base64')
  throw new InputError(`"${field}" must be a string, null or {"base64": "..."}`)
}

/** Bytes a record occupies in memory while it waits to be sent (for the back-pressure bound). */
export function recordFootprint(r: InputRecord): number {
  let n = 64 + byteLength(r.key) + byteLength(r.value)
  if (r.headers) for (const h of r.headers) n += 16 + h.key.length + byteLength(h.value)
  return n
}

function byteLength(v: Buffer | string | null): number {
  if (v === null) return 0
  return typeof v === 'string' ? v.length * 3 : v.length
}
