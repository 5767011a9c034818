/**
 * IncrementalAlterConfigs (44) v0-1: changes single config entries of topics or the broker:
 * SET (0), DELETE (1), and for list-typed configs APPEND (2) and SUBTRACT (3).
 */
import {ErrorCode, KafkaError} from '../../protocol/index.js'
import type {BrokerContext} from '../context.js'
import type {Handler, RequestContext} from './types.js'
import {brokerConfigDef, effectiveTopicConfig, splitList, topicConfigDef} from '../config-defs.js'
import {RESOURCE_TOPIC} from './32-describe-configs.js'
import {alterResources} from './33-alter-configs.js'

export const OP_SET = 0
export const OP_DELETE = 1
export const OP_APPEND = 2
export const OP_SUBTRACT = 3

interface ConfigOp { name: string; configOperation: number; value: string | null }

/** The value APPEND/SUBTRACT start from: the current override, else what the resource effectively uses. */
function currentValue(broker: BrokerContext, resourceType: number, resourceName: string, name: string): string {
  const dynamic = broker.metadata.brokerConfigOverrides()
  if (resourceType === RESOURCE_TOPIC) {
    const image = broker.metadata.topic(resourceName)
    if (!image) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${resourceName}' does not exist.`)
    return effectiveTopicConfig(image.configs, {...broker.props, ...dynamic})[name] ?? ''
  }
  return dynamic[name] ?? broker.props[name] ?? brokerConfigDef(name)?.default ?? ''
}

/** Turns the operations on one resource into override changes (null = remove). Throws KafkaError. */
function changesOf(broker: BrokerContext, resourceType: number, resourceName: string, ops: ConfigOp[]): Record<string, string | null> {
  const changes: Record<string, string | null> = {}
  const seen = new Set<string>()
  for (const op of ops) {
    if (seen.has(op.name)) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys')
    seen.add(op.name)
    switch (op.configOperation) {
      case OP_SET:
        if (op.value === null) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${op.name}`)
        changes[op.name] = op.value
        break
      case OP_DELETE:
        changes[op.name] = null
        break
      case OP_APPEND:
      case OP_SUBTRACT: {
        const def = resourceType === RESOURCE_TOPIC ? topicConfigDef(op.name) : brokerConfigDef(op.name)
        if (def && def.type !== 'list') {
          const verb = op.configOperation === OP_APPEND ? 'append' : 'subtract'
          throw new KafkaError(ErrorCode.INVALID_CONFIG, `Config value ${verb} is not allowed for config key: ${op.name}`)
        }
        // Unknown names fall through to validation, which reports them.
        const items = splitList(currentValue(broker, resourceType, resourceName, op.name))
        const given = splitList(op.value ?? '')
        const next = op.configOperation === OP_APPEND
          ? [...items, ...given.filter((g) => !items.includes(g))]
          : items.filter((i) => !given.includes(i))
        changes[op.name] = next.join(',')
        break
      }
      default:
        throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown operation type ${op.configOperation} for config ${op.name}`)
    }
  }
  return changes
}

/** IncrementalAlterConfigs handler. */
export const incrementalAlterConfigsHandler: Handler = {
  apiKey: 44,
  minVersion: 0,
  maxVersion: 1,
  handle(broker: BrokerContext, request: any, _ctx: RequestContext) {
    return alterResources(broker, request, false, (res) => changesOf(broker, res.resourceType, res.resourceName, res.configs))
  },
}
