/** The errors a record's promise or callback can get besides a broker's KafkaError. */
import {KafkaError, errorInfo} from '../protocol/index.js'

/** buffer.memory stayed full for max.block.ms: the record was never accepted. */
export class BufferExhaustedError extends Error {
  readonly name = 'BUFFER_EXHAUSTED'
  constructor(size: number, maxBlockMs: number, bufferMemory: number) {
    super(`could not allocate ${size} bytes within max.block.ms (${maxBlockMs} ms): buffer.memory (${bufferMemory} bytes) is full`)
  }
}

/** One record is larger than max.request.size or buffer.memory allow; it fails alone. */
export class RecordTooLargeError extends Error {
  readonly name = 'RECORD_TOO_LARGE'
  constructor(size: number, setting: string, limit: number) {
    super(`the record is ${size} bytes when serialized, larger than ${setting} (${limit} bytes)`)
  }
}

/** The broker's error for a partition, phrased for one line: `cannot produce to "t"-3: <why>`. */
export function produceError(code: number, topic: string, partition: number, brokerMessage?: string | null): KafkaError {
  const why = brokerMessage && brokerMessage.length > 0 ? brokerMessage : errorInfo(code).message
  return new KafkaError(code, `cannot produce to "${topic}"-${partition}: ${why}`)
}
