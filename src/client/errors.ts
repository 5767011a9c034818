/** Builds KafkaErrors whose messages read well on one line, naming the topic involved. */
import {ErrorCode, KafkaError, errorInfo} from '../protocol/index.js'

/** A KafkaError about one topic: `topic "x" does not exist`, `cannot create topic "x": <broker message>`. */
export function topicError(code: number, topic: string, brokerMessage?: string | null, action = 'use'): KafkaError {
  switch (code) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.UNKNOWN_TOPIC_ID:
      return new KafkaError(code, `topic "${topic}" does not exist`)
    case ErrorCode.TOPIC_ALREADY_EXISTS:
      return new KafkaError(code, `topic "${topic}" already exists`)
    default: {
      const why = brokerMessage && brokerMessage.length > 0 ? brokerMessage : errorInfo(code).message
      return new KafkaError(code, `cannot ${action} topic "${topic}": ${why}`)
    }
  }
}
