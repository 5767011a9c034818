/**
 * AlterConfigs (33) v0-2: replaces the whole dynamic config set of topics (resource type 2) or of
 * the broker (type 4; this node's id or '' for the cluster default). Configs left out are removed.
 */
import {ErrorCode, KafkaError} from '../../protocol/index.js'
import type {BrokerContext} from '../context.js'
import type {Handler, RequestContext} from './types.js'
import {brokerConfigDef, topicConfigDef, validateBrokerConfig, validateTopicConfig} from '../config-defs.js'
import {RESOURCE_BROKER, RESOURCE_TOPIC, checkBrokerResource} from './32-describe-configs.js'

/** One resource's outcome in an AlterConfigs / IncrementalAlterConfigs response. */
export interface AlterResult { errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string }

/**
 * Validates `changes` (null = remove the override) for a topic or broker resource and applies
 * them through the metadata manager (replace = the changes are the new complete set). Throws KafkaError.
 */
export async function applyConfigChanges(
  broker: BrokerContext, resourceType: number, resourceName: string, changes: Record<string, string | null>,
  opts: {replace: boolean; validateOnly: boolean},
): Promise<void> {
  if (resourceType === RESOURCE_TOPIC) {
    if (!broker.metadata.topic(resourceName)) {
      throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${resourceName}' does not exist.`)
    }
    for (const [name, value] of Object.entries(changes)) {
      const problem = value === null ? (topicConfigDef(name) ? undefined : `Unknown topic config name: ${name}`) : validateTopicConfig(name, value)
      if (problem) throw new KafkaError(ErrorCode.INVALID_CONFIG, problem)
    }
    await broker.metadata.alterTopicConfigs(resourceName, changes, opts)
  } else if (resourceType === RESOURCE_BROKER) {
    checkBrokerResource(broker, resourceName)
    for (const [name, value] of Object.entries(changes)) {
      // Kafka answers INVALID_REQUEST for configs that need a restart, INVALID_CONFIG for bad values.
      if (brokerConfigDef(name)?.readOnly) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Cannot update these configs dynamically: ${name}`)
      const problem = validateBrokerConfig(name, value)
      if (problem) throw new KafkaError(ErrorCode.INVALID_CONFIG, problem)
    }
    await broker.metadata.alterBrokerConfigs(changes, opts)
  } else {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${resourceType}`)
  }
}

/** Runs `fn` for one resource and turns its outcome into a response entry; never throws. */
async function alterResource(broker: BrokerContext, res: {resourceType: number; resourceName: string}, duplicate: boolean, fn: () => Promise<void>): Promise<AlterResult> {
  const out: AlterResult = {errorCode: 0, errorMessage: null, resourceType: res.resourceType, resourceName: res.resourceName}
  try {
    if (duplicate) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Error due to duplicate config resource in the request')
    await fn()
  } catch (err) {
    if (err instanceof KafkaError) {
      out.errorCode = err.code
      out.errorMessage = err.message
    } else {
      broker.logger('error', `alter configs of ${res.resourceName}: ${(err as Error)?.stack ?? String(err)}`)
      out.errorCode = ErrorCode.UNKNOWN_SERVER_ERROR
      out.errorMessage = (err as Error)?.message ?? String(err)
    }
  }
  return out
}

/** Resources named more than once in a request (each of them is rejected). */
function duplicateResources(resources: {resourceType: number; resourceName: string}[]): Set<string> {
  const seen = new Set<string>()
  const dup = new Set<string>()
  for (const r of resources) {
    const key = `${r.resourceType}:${r.resourceName}`
    if (seen.has(key)) dup.add(key)
    seen.add(key)
  }
  return dup
}

/**
 * The loop both alter APIs share: each resource's changes (from `changesOf`, which may throw
 * KafkaError) are validated and applied on their own, and each gets its own error in the response.
 */
export async function alterResources(
  broker: BrokerContext, request: any, replace: boolean,
  changesOf: (res: any) => Record<string, string | null>,
): Promise<{throttleTimeMs: number; responses: AlterResult[]}> {
  const dup = duplicateResources(request.resources)
  const responses: AlterResult[] = []
  for (const res of request.resources) {
    responses.push(await alterResource(broker, res, dup.has(`${res.resourceType}:${res.resourceName}`), async () => {
      const changes = changesOf(res)
      await applyConfigChanges(broker, res.resourceType, res.resourceName, changes, {replace, validateOnly: !!request.validateOnly})
    }))
  }
  return {throttleTimeMs: 0, responses}
}

/** AlterConfigs handler. */
export const alterConfigsHandler: Handler = {
  apiKey: 33,
  minVersion: 0,
  maxVersion: 2,
  handle(broker: BrokerContext, request: any, _ctx: RequestContext) {
    return alterResources(broker, request, true, (res) => {
      const changes: Record<string, string | null> = {}
      for (const c of res.configs as {name: string; value: string | null}[]) {
        if (c.value === null) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${c.name}`)
        changes[c.name] = c.value
      }
      return changes
    })
  },
}
