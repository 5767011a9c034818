/**
 * Test harness for the admin handlers: a real single node (startBroker on port 0: its Raft quorum of
 * one, the metadata replayed from it, ReplicaManager and LogManager over a temp dir), and `call()`
 * which runs a handler the way the socket server does: request encoded and decoded by the protocol
 * codec, response encoded and decoded.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {encodeRequest, decodeRequestHeader, decodeRequestBody, encodeResponse, decodeResponse} from '../../src/protocol/index.js'
import {startBroker} from '../../src/broker/broker.js'
import type {BrokerContext} from '../../src/broker/context.js'
import type {Handler} from '../../src/broker/handlers/types.js'

/** A node over a fresh temp dir; `close()` stops it and removes the dir. */
export interface TestBroker { ctx: BrokerContext; logs: string[]; close(): Promise<void> }

/** Starts a single node (listening on an ephemeral port) with the given static props. */
export async function makeBroker(props: Record<string, string> = {}, nodeId = 0): Promise<TestBroker> {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-admin-'))
  const logs: string[] = []
  const logger = (level: string, msg: string) => { logs.push(`${level}: ${msg}`) }
  const broker = await startBroker({nodeId, dataDir, host: '127.0.0.1', port: 0, props, logger})
  return {
    ctx: broker.context, logs,
    async close() {
      await broker.close()
      rmSync(dataDir, {recursive: true, force: true})
    },
  }
}

let correlationId = 1

/** Runs `handler` at `version` with `body` through the real request and response codecs. */
export async function call(ctx: BrokerContext, handler: Handler, version: number, body: object): Promise<any> {
  const header = {apiKey: handler.apiKey, apiVersion: version, correlationId: correlationId++, clientId: 'admin-test'}
  const frame = encodeRequest(header, body).subarray(4)
  const decoded = decodeRequestHeader(frame)
  const request = decodeRequestBody(handler.apiKey, version, frame, decoded.bodyOffset)
  const response = await handler.handle(ctx, request, {header: decoded.header, clientHost: '127.0.0.1', connectionId: 1})
  const out = encodeResponse(handler.apiKey, version, header.correlationId, response as object).subarray(4)
  const {correlationId: cid, body: decodedBody} = decodeResponse(handler.apiKey, version, out)
  if (cid !== header.correlationId) throw new Error('correlation id mismatch')
  return decodedBody
}
