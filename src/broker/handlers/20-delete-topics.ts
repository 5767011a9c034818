/**
 * DeleteTopics (20) v0-6: deletes topics by name (v0-5 `topicNames`), or by name or topic id
 * (v6 `topics`). Unknown names get UNKNOWN_TOPIC_OR_PARTITION, unknown ids UNKNOWN_TOPIC_ID.
 */
import {ErrorCode, KafkaError} from '../../protocol/index.js'
import type {BrokerContext, TopicImage} from '../context.js'
import type {Handler, RequestContext} from './types.js'

const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

interface DeleteResult { name: string | null; topicId: string; errorCode: number; errorMessage: string | null }

/** Finds the topic a v6 entry names (by name, or by id when the name is null); throws the Kafka error otherwise. */
function lookup(broker: BrokerContext, name: string | null, topicId: string): TopicImage {
  if (name !== null && topicId !== ZERO_UUID) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Topic name and topic ID can not both be specified.')
  }
  if (name === null) {
    const t = broker.metadata.topicById(topicId)
    if (!t) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_ID, `Topic id ${topicId} does not exist.`)
    return t
  }
  const t = broker.metadata.topic(name)
  if (!t) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`)
  return t
}

/** Deletes one topic; never throws. */
async function deleteOne(broker: BrokerContext, name: string | null, topicId: string): Promise<DeleteResult> {
  const result: DeleteResult = {name, topicId, errorCode: 0, errorMessage: null}
  try {
    const t = lookup(broker, name, topicId)
    result.name = t.name
    result.topicId = t.topicId
    if (broker.props['delete.topic.enable'] === 'false') {
      throw new KafkaError(ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.')
    }
    await broker.metadata.deleteTopic(t.name)
  } catch (err) {
    if (err instanceof KafkaError) {
      result.errorCode = err.code
      result.errorMessage = err.message
    } else {
      broker.logger('error', `DeleteTopics ${name ?? topicId}: ${(err as Error)?.stack ?? String(err)}`)
      result.errorCode = ErrorCode.UNKNOWN_SERVER_ERROR
      result.errorMessage = (err as Error)?.message ?? String(err)
    }
  }
  return result
}

/** DeleteTopics handler. */
export const deleteTopicsHandler: Handler = {
  apiKey: 20,
  minVersion: 0,
  maxVersion: 6,
  async handle(broker: BrokerContext, request: any, ctx: RequestContext) {
    const entries: {name: string | null; topicId: string}[] = ctx.header.apiVersion >= 6
      ? request.topics.map((t: any) => ({name: t.name ?? null, topicId: t.topicId ?? ZERO_UUID}))
      : request.topicNames.map((n: string) => ({name: n, topicId: ZERO_UUID}))
    const responses: DeleteResult[] = []
    for (const e of entries) responses.push(await deleteOne(broker, e.name, e.topicId))
    return {throttleTimeMs: 0, responses}
  },
}
