// Public surface of the record layer: batch header layout, validation, codecs, and record encoding.
export * from './batch-header.js'
export * from './batch-validation.js'
export * from './compression.js'
export * from './crc32c.js'
export * from './errors.js'
export * from './record-batch.js'
export {RecordCursor, varintSize, varlongSize, writeVarint, writeVarlong} from './varint.js'
