/**
 * Client properties from the common flags: --command-config FILE (Java .properties), then
 * -X KEY=VALUE overrides, and the bootstrap list from -b, bootstrap.servers, $SAMSA_BROKERS or the
 * local default. Kafka's property names are kept so users can reuse their client configs.
 */
import {readFileSync} from 'node:fs'
import {parse as parseProperties} from 'dot-properties'
import type {ClusterOptions} from '../client/cluster.js'
import {UsageError} from './errors.js'
import {parseKeyValues} from './kv.js'

/** The default broker address, where `samsa broker start` listens. */
export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092'

/** The common client flags as parsed by oclif. */
export interface ClientFlags {
  'bootstrap-server'?: string
  property?: string[]
  'command-config'?: string
}

/** Reads a Java-style .properties file into a flat map; throws UsageError when unreadable. */
export function readPropertiesFile(file: string): Record<string, string> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  const parsed = parseProperties(text) as Record<string, unknown>
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(parsed)) out[k] = String(v)
  return out
}

/** Merged client properties, with `bootstrap.servers` always set. */
export function resolveClientProps(flags: ClientFlags, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const props: Record<string, string> = {}
  if (flags['command-config']) Object.assign(props, readPropertiesFile(flags['command-config']))
  Object.assign(props, parseKeyValues(flags.property, '-X/--property'))
  const bootstrap = flags['bootstrap-server'] || props['bootstrap.servers'] || env.SAMSA_BROKERS || DEFAULT_BOOTSTRAP
  props['bootstrap.servers'] = bootstrap
  return props
}

/** ClusterOptions from Kafka client properties. */
export function clusterOptionsFromProps(props: Record<string, string>): ClusterOptions {
  return {
    bootstrap: props['bootstrap.servers'] ?? DEFAULT_BOOTSTRAP,
    clientId: props['client.id'] ?? 'samsa',
    requestTimeoutMs: intProp(props, 'request.timeout.ms', 30_000),
    connectTimeoutMs: intProp(props, 'socket.connection.setup.timeout.ms', 10_000),
    retryBackoffMs: intProp(props, 'retry.backoff.ms', 100),
    retries: intProp(props, 'retries', 5),
  }
}

/** An integer property, with a UsageError naming it when it is not a number. */
export function intProp(props: Record<string, string>, name: string, fallback: number): number {
  const v = props[name]
  if (v === undefined || v === '') return fallback
  const n = Number(v)
  if (!Number.isFinite(n)) throw new UsageError(`property ${name} must be a number, got "${v}"`)
  return Math.trunc(n)
}
