/**
 * Test harness for the admin handlers: a BrokerContext built from the real SingleNodeController,
 * ReplicaManager and LogManager over a temp dir, and `call()` which runs a handler the way the
 * socket server does: request encoded and decoded by the protocol codec, response encoded and decoded.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {encodeRequest, decodeRequestHeader, decodeRequestBody, encodeResponse, decodeResponse} from '../../src/protocol/index.js'
import {LogManager} from '../../src/storage/index.js'
import {MetadataLog} from '../../src/broker/metadata/metadata-log.js'
import {SingleNodeController} from '../../src/broker/metadata/controller.js'
import {ReplicaManager} from '../../src/broker/replica-manager.js'
import type {BrokerContext} from '../../src/broker/context.js'
import type {Handler} from '../../src/broker/handlers/types.js'

/** A context over a fresh temp dir; `close()` releases it and removes the dir. */
export interface TestBroker { ctx: BrokerContext; logs: string[]; close(): void }

/** Builds a single-node broker context (no sockets) with the given static props. */
export function makeBroker(props: Record<string, string> = {}, nodeId = 0): TestBroker {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-admin-'))
  const logs: string[] = []
  const logger = (level: string, msg: string) => { logs.push(`${level}: ${msg}`) }
  const metaLog = MetadataLog.open(dataDir, logger)
  const controller = new SingleNodeController(metaLog, nodeId, props)
  const logManager = LogManager.open(dataDir, {scheduler: false, skipTopics: ['__cluster_metadata'], logger})
  const replicaManager = new ReplicaManager(logManager, controller, logger)
  replicaManager.startup()
  const ctx: BrokerContext = {
    nodeId, clusterId: 'admin-test-cluster', host: '127.0.0.1', port: 19092, props,
    metadata: controller, replicaManager, logManager, dataDir, logger,
  }
  return {
    ctx, logs,
    close() {
      logManager.close()
      metaLog.close()
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
