/**
 * startBroker: assembles one node -- storage (LogManager, with recovery), the controller over the
 * metadata log, the replica manager, the purgatory and the socket server -- and the request
 * dispatcher that connects the socket server to the HANDLERS table (Kafka's KafkaApis).
 * Broker.close() shuts down in reverse: stop accepting, answer parked and in-flight requests,
 * then flush logs and write checkpoints and the clean-shutdown marker.
 */
import {mkdirSync} from 'node:fs'
import {
  decodeRequestHeader, decodeRequestBody, encodeResponse, encodeResponseChunks, getApiSchema, getCodec, isFlexible, Reader, Writer,
  type RequestHeader,
} from '../protocol/index.js'
import {LogManager} from '../storage/index.js'
import {BROKER_CONFIGS} from './config-defs.js'
import type {BrokerContext, BrokerLogger, CoreBrokerContext, MetadataManager} from './context.js'
import {handlerFor} from './handlers/index.js'
import {createGroupCoordinator} from './group/index.js'
import {NO_RESPONSE, type Handler} from './handlers/types.js'
import {unsupportedVersionResponse} from './handlers/18-api-versions.js'
import {createClusterMetadata, type ClusterMetadata} from '../controller/cluster-metadata.js'
import {KafkaRaftClient, raftOptionsFromProps} from '../controller/raft/index.js'
import {loadOrCreateMetaProperties} from './metadata/meta-properties.js'
import {Purgatory} from './purgatory.js'
import {ReplicaManager, topicLogConfig} from './replica-manager.js'
import {CloseConnectionError, SocketServer, type ConnectionInfo, type RequestProcessor, type ResponseFrame, type ResponseParts} from './socket-server.js'
import {FETCH_LEASES, isMetadataFetch} from './handlers/1-fetch.js'
import {ReadBufferPool} from '../storage/read-buffer-pool.js'

/** What `samsa broker start` passes in. */
export interface BrokerConfig {
  nodeId: number
  dataDir: string
  host: string
  /** 0 = an ephemeral port (see Broker.port). */
  port: number
  /** Kafka broker config names -> values; unspecified ones take Kafka's defaults. */
  props: Record<string, string>
  logger: BrokerLogger
  /** The cluster's metadata (tests share one fake image among in-process brokers); default: this node's controller quorum member. */
  metadata?: MetadataManager
  /** The cluster id written to meta.properties when the data dir is new (default: a fresh one). */
  clusterId?: string
}

/** A running node. */
export interface Broker {
  readonly nodeId: number
  readonly clusterId: string
  readonly host: string
  /** The bound port. */
  readonly port: number
  /** The context handlers see (for in-process tests and tools). */
  readonly context: BrokerContext
  /** Graceful shutdown; idempotent. */
  close(): Promise<void>
}

const API_VERSIONS = 18
/** What a node serves while it starts: ApiVersions and the controller's APIs (quorum, registration, forwarding). */
const STARTUP_APIS = new Set([API_VERSIONS, 52, 53, 54, 55, 56, 58, 62, 63, 67])
const PRODUCE = 0
const FETCH = 1

/** Broker props with Kafka's defaults filled in (only keys that have a default). */
export function brokerPropsWithDefaults(props: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const d of BROKER_CONFIGS) if (d.default !== null) out[d.name] = d.default
  return Object.assign(out, props)
}

/** Starts a broker; resolves once it accepts connections. */
export async function startBroker(config: BrokerConfig): Promise<Broker> {
  const {nodeId, dataDir, logger} = config
  const props = brokerPropsWithDefaults(config.props)
  mkdirSync(dataDir, {recursive: true})
  const meta = loadOrCreateMetaProperties(dataDir, nodeId, config.clusterId)
  // The quorum comes first: it must open the metadata log before LogManager.open consumes the
  // clean-shutdown marker, and the logs found on disk take their topic's config from its image.
  const quorum = config.metadata ? undefined : startQuorum(config, meta.clusterId, props)
  const metadata = config.metadata ?? quorum!.cm.metadata
  const multiVoter = quorum !== undefined && quorum.raft.voterCount > 1
  const context = {
    nodeId, clusterId: meta.clusterId, host: config.host, port: config.port, props, metadata, dataDir, logger, raft: quorum?.raft,
  } as CoreBrokerContext
  let starting = true
  let server: SocketServer | undefined
  let logManager: LogManager | undefined
  let replicaManager: ReplicaManager | undefined
  try {
    server = new SocketServer({
      host: config.host,
      port: config.port,
      maxRequestBytes: numberProp(props, 'socket.request.max.bytes', 104857600),
      idleMs: numberProp(props, 'connections.max.idle.ms', 600000),
      logger,
      processor: requestProcessor(context, () => starting),
      // Produce appends its batches synchronously and keeps no view of them (see handlers/0-produce.ts).
      transientFrame: (apiKey) => apiKey === PRODUCE,
    })
    // One listener serves clients and the quorum: it must listen before a restarted voter can catch up.
    context.port = await server.listen()
    if (quorum) {
      // Until the committed metadata is replayed, the image lacks topics whose logs are on disk:
      // opening the logs now would take them for deleted topics.
      if (multiVoter) logger('info', `node ${nodeId} waiting for the controller quorum`)
      await quorum.raft.caughtUp()
    }
    logManager = LogManager.open(dataDir, {
      logger,
      topicConfig: (topic) => topicLogConfig(metadata, props, topic),
      retentionCheckIntervalMs: interval(props['log.retention.check.interval.ms']),
      flushCheckIntervalMs: interval(props['log.flush.scheduler.interval.ms']),
      checkpointIntervalMs: interval(props['log.flush.offset.checkpoint.interval.ms']),
      producerIdExpirationMs: interval(props['producer.id.expiration.ms']),
      producerIdExpirationCheckIntervalMs: interval(props['producer.id.expiration.check.interval.ms']),
      cleanerEnable: props['log.cleaner.enable'] !== 'false',
      cleanerBackoffMs: interval(props['log.cleaner.backoff.ms']),
      cleanerDedupeBufferSize: interval(props['log.cleaner.dedupe.buffer.size']),
    })
    replicaManager = new ReplicaManager(logManager, metadata, {nodeId, props, logger})
    replicaManager.startup()
    const purgatory = new Purgatory()
    Object.assign(context, {replicaManager, logManager, purgatory, readBufferPool: new ReadBufferPool()})
    // Replays __consumer_offsets (the logs are open now) so committed offsets and groups survive restarts.
    const groupCoordinator = createGroupCoordinator(context)
    context.groupCoordinator = groupCoordinator
    groupCoordinator.startup()
    starting = false
    if (quorum) {
      quorum.cm.lifecycle.start(config.host, context.port)
      // A broker is fenced until the controller has seen it caught up; topics created before then could not be placed on it.
      const unfenced = await quorum.cm.lifecycle.awaitUnfenced(multiVoter ? 60_000 : 10_000)
      if (!unfenced) logger('warn', `node ${nodeId} is still fenced: the active controller has not admitted it yet`)
    }
    logger('info', `broker ${nodeId} of cluster ${meta.clusterId} listening on ${config.host}:${context.port}`)
    let closing: Promise<void> | undefined
    const srv = server
    const rm = replicaManager
    const lm = logManager
    return {
      nodeId, clusterId: meta.clusterId, host: config.host, port: context.port, context,
      close: () => (closing ??= (async () => {
        // Controlled shutdown: leadership moves to other replicas while this node still serves their fetches.
        if (quorum && multiVoter) await quorum.cm.lifecycle.controlledShutdown(5000)
        // The coordinator first (same tick as stopAccepting): parked joins/syncs answer NOT_COORDINATOR so requests drain.
        groupCoordinator.shutdown()
        await shutdown(srv, purgatory, rm, lm, quorum, logger)
      })()),
    }
  } catch (err) {
    await replicaManager?.shutdown().catch(() => {})
    await server?.close().catch(() => {})
    quorum?.cm.close()
    quorum?.raft.close()
    logManager?.close()
    throw err
  }
}

/** A node's controller side: the Raft client over the metadata log and the metadata image replayed from it. */
interface Quorum { raft: KafkaRaftClient; cm: ClusterMetadata }

function startQuorum(config: BrokerConfig, clusterId: string, props: Record<string, string>): Quorum {
  const raft = new KafkaRaftClient(raftOptionsFromProps({
    nodeId: config.nodeId, clusterId, dataDir: config.dataDir, host: config.host, port: config.port, props, logger: config.logger,
  }))
  const cm = createClusterMetadata({nodeId: config.nodeId, clusterId, props, raft, logger: config.logger})
  raft.start()
  return {raft, cm}
}

/** A numeric broker prop, or `dflt` when it is not a usable number. */
function numberProp(props: Record<string, string>, name: string, dflt: number): number {
  const n = Number(props[name])
  return Number.isFinite(n) ? n : dflt
}

/** A timer interval from a config value; Kafka's "never" (Long.MAX_VALUE) and junk fall back to the storage default. */
function interval(value: string | undefined): number | undefined {
  const n = Number(value)
  return Number.isSafeInteger(n) && n > 0 && n <= 0x7fffffff ? n : undefined
}

async function shutdown(server: SocketServer, purgatory: Purgatory, replicaManager: ReplicaManager, logManager: LogManager,
  quorum: Quorum | undefined, logger: BrokerLogger): Promise<void> {
  server.stopAccepting()
  // Parked fetches answer now with what they have, so in-flight requests can drain.
  purgatory.shutdown()
  // Fetchers stop before the logs close.
  await replicaManager.shutdown()
  // Resign leadership of the quorum (EndQuorumEpoch) while the other voters can still be told.
  if (quorum) {
    quorum.cm.close()
    await quorum.raft.shutdown()
  }
  await server.close()
  // The metadata log is closed first: LogManager.close() writes the clean-shutdown marker, which vouches for both.
  logManager.close()
  logger('info', 'broker shut down cleanly')
}

/** The dispatcher: decodes a frame, finds its handler, runs it, encodes the answer. */
export function requestProcessor(context: BrokerContext, starting: () => boolean = () => false): RequestProcessor {
  return (frame: Buffer, conn: ConnectionInfo) => {
    let header: RequestHeader
    let bodyOffset: number
    try {
      ({header, bodyOffset} = decodeRequestHeader(frame))
    } catch (err) {
      throw new CloseConnectionError(`malformed request header: ${(err as Error).message}`)
    }
    const {apiKey, apiVersion: version, correlationId} = header
    const handler = handlerFor(apiKey)
    if (!handler) throw new CloseConnectionError(`unknown api key ${apiKey} (correlation id ${correlationId})`)
    if (apiKey === API_VERSIONS && version > handler.maxVersion) {
      // Clients probe with their newest ApiVersions; answer in v0 so they can read it and retry lower.
      return encodeResponse(API_VERSIONS, 0, correlationId, unsupportedVersionResponse())
    }
    const lowest = handler.advertisedMinVersion ?? handler.minVersion
    if (version < lowest || version > handler.maxVersion) {
      throw new CloseConnectionError(`unsupported version ${version} of api key ${apiKey}`)
    }
    const legacy = version < handler.minVersion
    let request: unknown
    try {
      request = legacy ? decodeAdvertisedOnly(apiKey, version, frame, bodyOffset) : decodeRequestBody(apiKey, version, frame, bodyOffset)
    } catch (err) {
      throw new CloseConnectionError(`cannot decode ${apiKey} v${version} request: ${(err as Error).message}`)
    }
    if (starting() && !STARTUP_APIS.has(apiKey) && !(apiKey === FETCH && isMetadataFetch(request))) {
      // Logs and groups are not open yet; clients reconnect and retry, as with a broker that is not up.
      throw new CloseConnectionError(`api key ${apiKey} refused: the node is still loading the cluster metadata`)
    }
    const result = handler.handle(context, request, {header, clientHost: conn.remoteAddress, connectionId: conn.id})
    const pool = (context as CoreBrokerContext).readBufferPool
    if (result instanceof Promise) return result.then((r) => encode(handler, header, r, legacy, pool))
    return encode(handler, header, result, legacy, pool)
  }
}

function encode(handler: Handler, header: RequestHeader, body: object | typeof NO_RESPONSE, legacy: boolean, pool?: ReadBufferPool): ResponseFrame {
  if (body === NO_RESPONSE) return null
  if (legacy) return encodeAdvertisedOnly(handler.apiKey, header.apiVersion, header.correlationId, body)
  // Fetch's record sets are fresh reads of segment bytes that nothing changes: the socket writes them
  // as they are instead of a copy into one frame.
  if (handler.apiKey === FETCH) {
    const parts: ResponseParts = encodeResponseChunks(FETCH, header.apiVersion, header.correlationId, body)
    const leases: Buffer[] | undefined = (body as any)[FETCH_LEASES]
    if (pool && leases && leases.length > 0) parts.onWritten = () => pool.release(leases)
    return parts
  }
  return encodeResponse(handler.apiKey, header.apiVersion, header.correlationId, body)
}

/*
 * Versions advertised but not implemented (Produce v0-2) are outside the protocol layer's valid
 * range, so encodeRequest/encodeResponse refuse them; the schema still describes their fields, so
 * the compiled codec reads and writes them directly. The handler only answers them with errors.
 */
function decodeAdvertisedOnly(apiKey: number, version: number, frame: Buffer, bodyOffset: number): unknown {
  const api = getApiSchema(apiKey)
  if (!api) throw new Error(`no schema for api key ${apiKey}`)
  return getCodec(api, version, 'request').decode(new Reader(frame, bodyOffset))
}

function encodeAdvertisedOnly(apiKey: number, version: number, correlationId: number, body: object): Buffer {
  const api = getApiSchema(apiKey)!
  const w = new Writer(256)
  w.int32(0).int32(correlationId)
  if (apiKey !== API_VERSIONS && isFlexible(apiKey, version)) w.uvarint(0)
  getCodec(api, version, 'response').encode(w, body)
  w.patchInt32(0, w.offset - 4)
  return w.toBuffer()
}
