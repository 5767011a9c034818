/**
 * The admin client's config operations: DescribeConfigs (32), AlterConfigs (33) and
 * IncrementalAlterConfigs (44) for topic and broker resources, with the fallback from incremental
 * to full replacement on brokers that lack API 44. Separate because config routing (broker
 * resources go to that broker) and response mapping have nothing to do with topic layout.
 */
import type {Connection} from './connection.js'
import {ErrorCode, KafkaError, errorInfo} from '../protocol/index.js'
import {
  ConfigResourceType, configSourceName, type ConfigEntry, type ConfigResource, type ConfigResourceResult,
} from './config-types.js'
import {topicError} from './errors.js'
import type {AdminDriver} from './admin-driver.js'

const DESCRIBE_CONFIGS = 32
const ALTER_CONFIGS = 33
const INCREMENTAL_ALTER_CONFIGS = 44

/** A config change for incrementalAlterConfigs. */
export interface AlterConfigOp { name: string; op: 'set' | 'delete' | 'append' | 'subtract'; value?: string | null }

const OP_CODES = {set: 0, delete: 1, append: 2, subtract: 3} as const

/** DescribeConfigs, asking each broker about its own resources and any broker about topics. */
export async function describeConfigs(driver: AdminDriver, resources: ConfigResource[],
  opts: {includeSynonyms?: boolean; includeDocumentation?: boolean; keys?: string[]}): Promise<ConfigResourceResult[]> {
  // Broker resources must be asked of that broker; topic ones of any broker.
  const groups = new Map<number, ConfigResource[]>()
  for (const r of resources) {
    const node = r.type === 'broker' && r.name !== '' ? Number(r.name) : -1
    groups.set(node, [...(groups.get(node) ?? []), r])
  }
  const results: ConfigResourceResult[] = []
  for (const [node, list] of groups) {
    const body = await driver.withRetry(async () => {
      const conn = node >= 0 ? await driver.cluster.connectionTo(node) : await driver.cluster.anyConnection()
      return conn.send(DESCRIBE_CONFIGS, {
        resources: list.map((r) => ({resourceType: ConfigResourceType[r.type], resourceName: r.name, configurationKeys: opts.keys ?? null})),
        includeSynonyms: opts.includeSynonyms ?? false,
        includeDocumentation: opts.includeDocumentation ?? false,
      })
    })
    for (const r of body.results as any[]) {
      const type = r.resourceType === ConfigResourceType.topic ? 'topic' : 'broker'
      if (r.errorCode !== ErrorCode.NONE) {
        if (type === 'topic') throw topicError(r.errorCode, r.resourceName, r.errorMessage, 'describe configs of')
        throw new KafkaError(r.errorCode, `cannot describe configs of broker ${r.resourceName}: ${r.errorMessage ?? errorInfo(r.errorCode).message}`)
      }
      results.push({type, name: r.resourceName, configs: (r.configs as any[]).map(toConfigEntry)})
    }
  }
  return results
}

/** IncrementalAlterConfigs, or AlterConfigs with the merged overrides when the broker lacks it. */
export async function incrementalAlterConfigs(driver: AdminDriver, resource: ConfigResource, ops: AlterConfigOp[], opts: {validateOnly?: boolean}): Promise<void> {
  const conn = await connectionForResource(driver, resource)
  if (!conn.supports(INCREMENTAL_ALTER_CONFIGS)) return alterConfigsByReplace(driver, resource, ops, opts)
  const body = await driver.withRetry(async () => (await connectionForResource(driver, resource)).send(INCREMENTAL_ALTER_CONFIGS, {
    resources: [{
      resourceType: ConfigResourceType[resource.type], resourceName: resource.name,
      configs: ops.map((o) => ({name: o.name, configOperation: OP_CODES[o.op], value: o.op === 'delete' ? null : o.value ?? null})),
    }],
    validateOnly: opts.validateOnly ?? false,
  }))
  checkAlterResponses(body.responses)
}

/** Legacy AlterConfigs: replaces the whole set of overrides of a resource. */
export async function alterConfigs(driver: AdminDriver, resource: ConfigResource, configs: Record<string, string>, opts: {validateOnly?: boolean}): Promise<void> {
  const body = await driver.withRetry(async () => (await connectionForResource(driver, resource)).send(ALTER_CONFIGS, {
    resources: [{
      resourceType: ConfigResourceType[resource.type], resourceName: resource.name,
      configs: Object.entries(configs).map(([name, value]) => ({name, value})),
    }],
    validateOnly: opts.validateOnly ?? false,
  }))
  checkAlterResponses(body.responses)
}

async function connectionForResource(driver: AdminDriver, resource: ConfigResource): Promise<Connection> {
  if (resource.type === 'broker' && resource.name !== '') return driver.cluster.connectionTo(Number(resource.name))
  return driver.cluster.anyConnection()
}

async function alterConfigsByReplace(driver: AdminDriver, resource: ConfigResource, ops: AlterConfigOp[], opts: {validateOnly?: boolean}): Promise<void> {
  const [current] = await describeConfigs(driver, [resource], {})
  const overrides: Record<string, string> = {}
  const dynamic = resource.type === 'topic' ? 'DYNAMIC_TOPIC_CONFIG' : 'DYNAMIC_BROKER_CONFIG'
  for (const c of current.configs) if (c.source === dynamic && c.value !== null) overrides[c.name] = c.value
  for (const o of ops) {
    if (o.op === 'set') overrides[o.name] = o.value ?? ''
    else if (o.op === 'delete') delete overrides[o.name]
    else throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `broker does not support IncrementalAlterConfigs, needed for "${o.op}"`)
  }
  await alterConfigs(driver, resource, overrides, opts)
}

function checkAlterResponses(responses: any[]): void {
  for (const r of responses) {
    if (r.errorCode === ErrorCode.NONE) continue
    if (r.resourceType === ConfigResourceType.topic) throw topicError(r.errorCode, r.resourceName, r.errorMessage, 'alter configs of')
    throw new KafkaError(r.errorCode, `cannot alter configs of broker ${r.resourceName}: ${r.errorMessage ?? errorInfo(r.errorCode).message}`)
  }
}

function toConfigEntry(c: any): ConfigEntry {
  return {
    name: c.name,
    value: c.value,
    // v0 only says "default or not"; later versions say where the value comes from.
    source: c.configSource > 0 ? configSourceName(c.configSource) : c.isDefault ? 'DEFAULT_CONFIG' : 'UNKNOWN',
    readOnly: c.readOnly,
    sensitive: c.isSensitive,
    synonyms: (c.synonyms ?? []).map((s: any) => ({name: s.name, value: s.value, source: configSourceName(s.source)})),
    type: c.configType ?? 0,
    documentation: c.documentation ?? null,
  }
}
