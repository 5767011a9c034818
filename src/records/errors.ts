// Error codes this layer reports; the numbers are Kafka's wire error codes so the broker can return them as-is.

/** Kafka error codes used by record validation. */
export const RecordErrorCode = {
  CORRUPT_MESSAGE: 2,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
  INVALID_RECORD: 87,
} as const

/** Thrown when batch or record bytes cannot be decoded (bad CRC, overrun, undecompressible payload). */
export class CorruptRecordError extends Error {
  /** Kafka error code matching the failure. */
  readonly code: number
  constructor(message: string, code: number = RecordErrorCode.CORRUPT_MESSAGE, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'CorruptRecordError'
    this.code = code
  }
}
