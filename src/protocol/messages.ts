/**
 * Request/response framing: headers (request v1/v2, response v0/v1) plus the body codecs, with the
 * 4-byte size prefix on encode. Frames handed to the decoders are WITHOUT the size prefix.
 */
import {Reader} from './reader.js'
import {Writer} from './writer.js'
import {ProtocolError} from './errors.js'
import {getCodec} from './compiler.js'
import {getApiSchema} from './apis/index.js'
import {inVersions, parseVersions, type VersionRange} from './versions.js'
import type {ApiSchema} from './schema.js'

/** Request header fields (v1/v2; v2 adds an empty tagged-fields section). */
export interface RequestHeader {
  apiKey: number
  apiVersion: number
  correlationId: number
  clientId: string | null
}

/** ApiVersions answers with response header v0 at every version, so clients can parse it before negotiating. */
const API_VERSIONS_KEY = 18

/** Implemented version range of an API key, or undefined for an unknown key. */
export function supportedVersions(apiKey: number): {min: number; max: number} | undefined {
  const api = getApiSchema(apiKey)
  const r = api && parseVersions(api.validVersions)
  return r ? {min: r.min, max: r.max} : undefined
}

/** Version range to advertise in ApiVersions (Produce advertises more than it implements). */
export function advertisedVersions(apiKey: number): {min: number; max: number} | undefined {
  const api = getApiSchema(apiKey)
  const r = api && parseVersions(api.advertisedVersions ?? api.validVersions)
  return r ? {min: r.min, max: r.max} : undefined
}

/** True when the API uses the flexible encoding (compact lengths, tagged fields) at `version`. */
export function isFlexible(apiKey: number, version: number): boolean {
  const api = getApiSchema(apiKey)
  return api !== undefined && inVersions(api.flexibleVersions, version)
}

/** True when `version` of the API is implemented (not merely advertised). */
export function isSupported(apiKey: number, version: number): boolean {
  const api = getApiSchema(apiKey)
  return api !== undefined && inVersions(api.validVersions, version)
}

/**
 * The schema for a request/response at a version. Advertised-only versions (Produce v0-2) are
 * accepted too, so the broker can decode such a request and answer UNSUPPORTED_VERSION per
 * partition; use isSupported() to tell them apart.
 */
function schemaFor(apiKey: number, apiVersion: number): ApiSchema {
  const api = getApiSchema(apiKey)
  if (!api) throw new ProtocolError(`unknown api key ${apiKey}`)
  if (!inVersions(api.advertisedVersions ?? api.validVersions, apiVersion)) {
    throw new ProtocolError(`unsupported version ${apiVersion} of ${api.name} (${apiKey})`)
  }
  return api
}

/** Whole request frame, size prefix included. */
export function encodeRequest(header: RequestHeader, body: object): Buffer {
  // Without a zero-copy threshold the writer keeps one buffer: a single chunk.
  return encodeRequestChunks(header, body, Infinity)[0]
}

/**
 * Like encodeRequest, but `records` fields of at least `zeroCopyMin` bytes (Produce's record
 * batches) are referenced instead of copied: the frame comes back as buffers to write in order
 * (cork + write each). The record buffers must stay unchanged until the socket has written them.
 */
export function encodeRequestChunks(header: RequestHeader, body: object, zeroCopyMin = 4096): Buffer[] {
  const api = schemaFor(header.apiKey, header.apiVersion)
  const w = new Writer(256, zeroCopyMin)
  w.int32(0)
  w.int16(header.apiKey).int16(header.apiVersion).int32(header.correlationId)
  // client_id keeps its INT16 length even in header v2.
  w.string(header.clientId)
  if (inVersions(api.flexibleVersions, header.apiVersion)) w.uvarint(0)
  getCodec(api, header.apiVersion, 'request').encode(w, body)
  return patchFrameSize(w.toChunks())
}

/** Writes the 4-byte size prefix into the first chunk (header bytes always precede any records). */
function patchFrameSize(chunks: Buffer[]): Buffer[] {
  let total = 0
  for (const c of chunks) total += c.length
  chunks[0].writeInt32BE(total - 4, 0)
  return chunks
}

/**
 * Reads a request header from a frame (without size prefix). Header v2 (tagged fields) is assumed
 * when the api version is flexible, even for versions above the implemented range, so that e.g. an
 * ApiVersions v4 request still yields its correlation id.
 */
export function decodeRequestHeader(frame: Buffer): {header: RequestHeader; bodyOffset: number} {
  const r = new Reader(frame)
  const apiKey = r.int16()
  const apiVersion = r.int16()
  const correlationId = r.int32()
  const clientId = r.nullableString()
  if (isFlexible(apiKey, apiVersion)) r.skipTaggedFields()
  return {header: {apiKey, apiVersion, correlationId, clientId}, bodyOffset: r.offset}
}

/** Decodes a request body; throws ProtocolError for unknown/unsupported versions or bad bytes. */
export function decodeRequestBody(apiKey: number, apiVersion: number, frame: Buffer, bodyOffset: number): any {
  const api = schemaFor(apiKey, apiVersion)
  if (bodyOffset < 0 || bodyOffset > frame.length) throw new ProtocolError(`body offset ${bodyOffset} outside frame`)
  return getCodec(api, apiVersion, 'request').decode(new Reader(frame, bodyOffset))
}

/**
 * Whole response frame, size prefix included. Big `records` fields (Fetch) are gathered by
 * reference and copied once into a buffer of the exact frame size: a growing writer would copy
 * them again at every doubling, and allocate twice the frame when a byte follows the records.
 */
export function encodeResponse(apiKey: number, apiVersion: number, correlationId: number, body: object): Buffer {
  const chunks = encodeResponseChunks(apiKey, apiVersion, correlationId, body, RESPONSE_GATHER_MIN)
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, chunks[0].readInt32BE(0) + 4)
}

/** Records fields from this size on are gathered, not appended, by encodeResponse. */
const RESPONSE_GATHER_MIN = 4096

/**
 * Like encodeResponse, but `records` fields of at least `zeroCopyMin` bytes are referenced instead
 * of copied: the frame comes back as buffers to write in order (cork + write each, or writev).
 * The referenced record buffers must stay unchanged until the socket has written them.
 */
export function encodeResponseChunks(apiKey: number, apiVersion: number, correlationId: number, body: object, zeroCopyMin = 4096): Buffer[] {
  const api = schemaFor(apiKey, apiVersion)
  const w = new Writer(512, zeroCopyMin)
  w.int32(0)
  w.int32(correlationId)
  if (apiKey !== API_VERSIONS_KEY && inVersions(api.flexibleVersions, apiVersion)) w.uvarint(0)
  getCodec(api, apiVersion, 'response').encode(w, body)
  return patchFrameSize(w.toChunks())
}

/** Decodes a response frame (without size prefix). */
export function decodeResponse(apiKey: number, apiVersion: number, frame: Buffer): {correlationId: number; body: any} {
  const api = schemaFor(apiKey, apiVersion)
  const r = new Reader(frame)
  const correlationId = r.int32()
  if (apiKey !== API_VERSIONS_KEY && inVersions(api.flexibleVersions, apiVersion)) r.skipTaggedFields()
  return {correlationId, body: getCodec(api, apiVersion, 'response').decode(r)}
}

export type {VersionRange}
