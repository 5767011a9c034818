/**
 * ApiVersions (18), v0-3: lists every API key of the HANDLERS table with its advertised range.
 * A request above v3 never reaches this handler: the dispatcher answers it with
 * `unsupportedVersionResponse()` in the v0 layout, as clients expect while they negotiate down.
 */
import {ErrorCode} from '../../protocol/index.js'
import {HANDLERS} from './index.js'
import type {Handler} from './types.js'

/** One ApiVersions entry. */
export interface ApiVersionRange { apiKey: number; minVersion: number; maxVersion: number }

let table: ApiVersionRange[] | undefined

/** The advertised ranges of all handlers, by API key (computed once: the table is static). */
export function apiVersionsTable(): ApiVersionRange[] {
  table ??= HANDLERS
    .map((h) => ({apiKey: h.apiKey, minVersion: h.advertisedMinVersion ?? h.minVersion, maxVersion: h.maxVersion}))
    .sort((a, b) => a.apiKey - b.apiKey)
  return table
}

/** The v0 body for a request above our maximum: error 35 and only ApiVersions' own range. */
export function unsupportedVersionResponse(): object {
  const own = apiVersionsTable().find((e) => e.apiKey === 18)!
  return {errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: [own]}
}

export const apiVersionsHandler: Handler = {
  apiKey: 18,
  minVersion: 0,
  maxVersion: 3,
  handle() {
    return {errorCode: ErrorCode.NONE, apiKeys: apiVersionsTable(), throttleTimeMs: 0}
  },
}
