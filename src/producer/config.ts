/**
 * Producer settings: Kafka's client property names in camelCase, Kafka 4's defaults, and the
 * parser from "acks=all"-style properties (CLI `-X`, property files) into a ProducerConfig.
 */
import {propertyParser, type PropertySetter} from '../client/properties.js'
import {CompressionType, parseCompressionType} from '../records/index.js'
import {MAX_IDEMPOTENT_IN_FLIGHT} from './sequence-numbers.js'

/** Settings of a Producer; every field but bootstrap has Kafka's default. */
export interface ProducerConfig {
  bootstrap: string | string[]
  clientId?: string
  acks?: -1 | 0 | 1
  lingerMs?: number
  batchSize?: number
  bufferMemory?: number
  maxBlockMs?: number
  maxRequestSize?: number
  maxInFlightRequestsPerConnection?: number
  retries?: number
  retryBackoffMs?: number
  deliveryTimeoutMs?: number
  requestTimeoutMs?: number
  compressionType?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'
  enableIdempotence?: boolean
}

/** A setting that cannot be used (bad value or a contradictory combination). */
export class ProducerConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ProducerConfigError'
  }
}

/** ProducerConfig with every default applied and idempotence decided. */
export interface ResolvedProducerConfig {
  bootstrap: string | string[]
  clientId: string
  acks: -1 | 0 | 1
  lingerMs: number
  batchSize: number
  bufferMemory: number
  maxBlockMs: number
  maxRequestSize: number
  maxInFlight: number
  retries: number
  retryBackoffMs: number
  deliveryTimeoutMs: number
  requestTimeoutMs: number
  compression: CompressionType
  idempotence: boolean
  /** True when enable.idempotence was set explicitly (then a broker without InitProducerId is an error). */
  idempotenceExplicit: boolean
}

/** Applies defaults and checks combinations the way Kafka 3+'s ProducerConfig does. */
export function resolveProducerConfig(c: ProducerConfig): ResolvedProducerConfig {
  const acks = c.acks ?? -1
  if (acks !== -1 && acks !== 0 && acks !== 1) throw new ProducerConfigError(`invalid value ${String(acks)} for acks: expected all, -1, 0 or 1`)
  const retries = int('retries', c.retries ?? 2147483647, 0)
  const maxInFlight = int('max.in.flight.requests.per.connection', c.maxInFlightRequestsPerConnection ?? 5, 1)
  const explicit = c.enableIdempotence !== undefined
  // Idempotence needs acks=all, retries and at most 5 requests in flight: quietly off by default,
  // a configuration error when asked for explicitly (as Kafka 3.2+).
  const conflicts: string[] = []
  if (acks !== -1) conflicts.push(`acks must be all (is ${acks})`)
  if (retries === 0) conflicts.push('retries must be above 0')
  if (maxInFlight > MAX_IDEMPOTENT_IN_FLIGHT) conflicts.push(`max.in.flight.requests.per.connection must be at most ${MAX_IDEMPOTENT_IN_FLIGHT} (is ${maxInFlight})`)
  if (c.enableIdempotence === true && conflicts.length > 0) {
    throw new ProducerConfigError(`enable.idempotence=true needs: ${conflicts.join('; ')}`)
  }
  const compressionName = c.compressionType ?? 'none'
  const compression = parseCompressionType(compressionName)
  if (compression === undefined) throw new ProducerConfigError(`invalid value "${compressionName}" for compression.type: expected none, gzip, snappy, lz4 or zstd`)
  const deliveryTimeoutMs = int('delivery.timeout.ms', c.deliveryTimeoutMs ?? 120_000, 1)
  const lingerMs = int('linger.ms', c.lingerMs ?? 5, 0)
  const requestTimeoutMs = int('request.timeout.ms', c.requestTimeoutMs ?? 30_000, 1)
  if (c.deliveryTimeoutMs !== undefined && deliveryTimeoutMs < lingerMs + requestTimeoutMs) {
    throw new ProducerConfigError(`delivery.timeout.ms (${deliveryTimeoutMs}) must be at least linger.ms + request.timeout.ms (${lingerMs + requestTimeoutMs})`)
  }
  const batchSize = int('batch.size', c.batchSize ?? 16_384, 0)
  const bufferMemory = int('buffer.memory', c.bufferMemory ?? 33_554_432, 1)
  return {
    bootstrap: c.bootstrap,
    clientId: c.clientId ?? 'samsa-producer',
    acks,
    lingerMs,
    // batch.size 0 disables batching in Kafka; one record per batch is what that means here.
    batchSize: Math.min(batchSize, bufferMemory),
    bufferMemory,
    maxBlockMs: int('max.block.ms', c.maxBlockMs ?? 60_000, 0),
    maxRequestSize: int('max.request.size', c.maxRequestSize ?? 1_048_576, 1),
    maxInFlight,
    retries,
    retryBackoffMs: int('retry.backoff.ms', c.retryBackoffMs ?? 100, 0),
    deliveryTimeoutMs,
    requestTimeoutMs,
    compression,
    idempotence: explicit ? c.enableIdempotence === true : conflicts.length === 0,
    idempotenceExplicit: explicit,
  }
}

const {int, intProp, enumProp, boolProp, parse} = propertyParser<ProducerConfig>((m) => new ProducerConfigError(m))

const PROPERTIES: Record<string, PropertySetter<ProducerConfig>> = {
  'bootstrap.servers': (out, v) => (out.bootstrap = v),
  'client.id': (out, v) => (out.clientId = v),
  acks: (out, v, name) => {
    const s = v.trim().toLowerCase()
    if (s === 'all' || s === '-1') out.acks = -1
    else if (s === '0') out.acks = 0
    else if (s === '1') out.acks = 1
    else throw new ProducerConfigError(`invalid value "${v}" for ${name}: expected all, -1, 0 or 1`)
  },
  'linger.ms': intProp('lingerMs'),
  'batch.size': intProp('batchSize'),
  'buffer.memory': intProp('bufferMemory'),
  'max.block.ms': intProp('maxBlockMs'),
  'max.request.size': intProp('maxRequestSize'),
  'max.in.flight.requests.per.connection': intProp('maxInFlightRequestsPerConnection'),
  retries: intProp('retries'),
  'retry.backoff.ms': intProp('retryBackoffMs'),
  'delivery.timeout.ms': intProp('deliveryTimeoutMs'),
  'request.timeout.ms': intProp('requestTimeoutMs'),
  'compression.type': enumProp('compressionType', ['none', 'gzip', 'snappy', 'lz4', 'zstd']),
  'enable.idempotence': boolProp('enableIdempotence'),
}

/**
 * Parses Kafka client property names into a ProducerConfig on top of `base`; unknown names are
 * ignored (Kafka only warns); bad values throw ProducerConfigError naming the property. The result
 * is validated as a whole (e.g. enable.idempotence=true with acks=1 is an error).
 */
export function producerConfigFromProperties(props: Record<string, string>, base: Partial<ProducerConfig> = {}): ProducerConfig {
  const config = parse(props, PROPERTIES, base)
  resolveProducerConfig(config)
  return config
}
