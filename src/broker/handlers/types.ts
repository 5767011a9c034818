/**
 * The handler contract: one Handler per API key, listed in handlers/index.ts. The socket server
 * decodes a request, calls `handle`, and encodes whatever object it returns as the response.
 */
import type {BrokerContext} from '../context.js'
import type {RequestHeader} from '../../protocol/index.js'

/** Per-request information a handler may use. */
export interface RequestContext { header: RequestHeader; clientHost: string; connectionId: number }

/** Returned by a handler that must not answer at all (Produce acks=0). */
export const NO_RESPONSE: unique symbol = Symbol('no-response')

/** One API key's handler: the table in handlers/index.ts lists them and is the ApiVersions source. */
export interface Handler {
  apiKey: number
  /** Implemented versions; advertised range may start lower (Produce advertises 0). */
  minVersion: number; maxVersion: number; advertisedMinVersion?: number
  handle(broker: BrokerContext, request: any, ctx: RequestContext): Promise<object | typeof NO_RESPONSE> | object | typeof NO_RESPONSE
}
