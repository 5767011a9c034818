/**
 * DescribeConfigs (32) v0-4: the configs of topics (resource type 2) and of this broker (type 4),
 * each with its value, source, synonyms (v1+ on request), type and documentation (v3+).
 */
import {ErrorCode, KafkaError} from '../../protocol/index.js'
import type {BrokerContext} from '../context.js'
import type {Handler, RequestContext} from './types.js'
import {
  BROKER_CONFIGS, CONFIG_TYPE_CODE, ConfigSource, TOPIC_CONFIGS, brokerConfigDef, brokerPropSources, resolveTopicConfig,
  type ConfigDef, type ResolvedConfig,
} from '../config-defs.js'

/** ConfigResource types on the wire. */
export const RESOURCE_TOPIC = 2
export const RESOURCE_BROKER = 4
export const RESOURCE_BROKER_LOGGER = 8

interface Options { version: number; includeSynonyms: boolean; includeDocumentation: boolean }

/** Checks that a broker resource names this node ('' = the cluster-wide default); throws INVALID_REQUEST otherwise. */
export function checkBrokerResource(broker: BrokerContext, resourceName: string): void {
  if (resourceName === '' || resourceName === String(broker.nodeId)) return
  throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${broker.nodeId} or empty string, but received ${resourceName}`)
}

/** One entry of the response's configs array. */
function entry(def: ConfigDef | undefined, r: ResolvedConfig, readOnly: boolean, o: Options): object {
  const sensitive = !!def?.sensitive
  return {
    name: r.name,
    value: sensitive ? null : r.value,
    readOnly,
    isDefault: r.source === ConfigSource.DEFAULT_CONFIG,
    configSource: r.source,
    isSensitive: sensitive,
    synonyms: o.includeSynonyms ? r.synonyms.map((s) => ({name: s.name, value: sensitive ? null : s.value, source: s.source})) : [],
    configType: def ? CONFIG_TYPE_CODE[def.type] : 0,
    documentation: o.includeDocumentation ? (def?.doc ?? null) : null,
  }
}

/** Configs of a topic: every topic config resolved through override, broker synonyms and default. */
function topicConfigs(broker: BrokerContext, name: string, keys: Set<string> | null, o: Options): object[] {
  const image = broker.metadata.topic(name)
  if (!image) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`)
  const dynamic = broker.metadata.brokerConfigOverrides()
  return TOPIC_CONFIGS.filter((d) => !keys || keys.has(d.name))
    .map((d) => entry(d, resolveTopicConfig(d.name, image.configs, broker.props, dynamic), false, o))
}

/** The broker's own static properties: its props plus the identity facts the context holds. */
function staticBrokerProps(broker: BrokerContext): Record<string, string> {
  // The context's identity wins over props, which may carry the -1 defaults of node.id/broker.id.
  return {...broker.props, 'node.id': String(broker.nodeId), 'broker.id': String(broker.nodeId), 'log.dirs': broker.props['log.dirs'] ?? broker.dataDir}
}

/**
 * Configs of a broker. For this node: every known config plus any other property it was started
 * with. For '' (the cluster-wide default resource): only the dynamic defaults, as Kafka does.
 */
function brokerConfigs(broker: BrokerContext, resourceName: string, keys: Set<string> | null, o: Options): object[] {
  checkBrokerResource(broker, resourceName)
  const dynamic = broker.metadata.brokerConfigOverrides()
  if (resourceName === '') {
    return Object.entries(dynamic).filter(([k]) => !keys || keys.has(k)).map(([k, v]) => {
      const source = ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG
      return entry(brokerConfigDef(k), {name: k, value: v, source, synonyms: [{name: k, value: v, source}]}, false, o)
    })
  }
  const staticProps = staticBrokerProps(broker)
  const names = new Set([...BROKER_CONFIGS.map((d) => d.name), ...Object.keys(staticProps), ...Object.keys(dynamic)])
  const out: object[] = []
  for (const name of names) {
    if (keys && !keys.has(name)) continue
    const def = brokerConfigDef(name)
    const synonyms = brokerPropSources(name, staticProps, dynamic)
    const first = synonyms[0]
    const r: ResolvedConfig = first
      ? {name, value: first.value, source: first.source, synonyms}
      : {name, value: null, source: ConfigSource.DEFAULT_CONFIG, synonyms}
    // Properties samsa does not know cannot be changed at runtime.
    out.push(entry(def, r, def ? !!def.readOnly : true, o))
  }
  return out
}

/** DescribeConfigs handler. */
export const describeConfigsHandler: Handler = {
  apiKey: 32,
  minVersion: 0,
  maxVersion: 4,
  handle(broker: BrokerContext, request: any, ctx: RequestContext) {
    const o: Options = {version: ctx.header.apiVersion, includeSynonyms: !!request.includeSynonyms, includeDocumentation: !!request.includeDocumentation}
    const results = request.resources.map((res: any) => {
      const keys: Set<string> | null = res.configurationKeys ? new Set(res.configurationKeys) : null
      const base = {errorCode: 0, errorMessage: null as string | null, resourceType: res.resourceType, resourceName: res.resourceName, configs: [] as object[]}
      try {
        if (res.resourceType === RESOURCE_TOPIC) base.configs = topicConfigs(broker, res.resourceName, keys, o)
        else if (res.resourceType === RESOURCE_BROKER) base.configs = brokerConfigs(broker, res.resourceName, keys, o)
        else throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${res.resourceType}`)
      } catch (err) {
        if (err instanceof KafkaError) {
          base.errorCode = err.code
          base.errorMessage = err.message
        } else {
          broker.logger('error', `DescribeConfigs ${res.resourceName}: ${(err as Error)?.stack ?? String(err)}`)
          base.errorCode = ErrorCode.UNKNOWN_SERVER_ERROR
          base.errorMessage = (err as Error)?.message ?? String(err)
        }
      }
      return base
    })
    return {throttleTimeMs: 0, results}
  },
}
