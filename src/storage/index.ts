// Public surface of the storage layer: partition logs in Kafka's on-disk formats.
export * from './log-config.js'
export * from './log.js'
export * from './log-manager.js'
export * from './checkpoint.js'
export {offsetFileName, segmentPath, LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX} from './file-util.js'
export {OFFSET_INDEX_ENTRY_SIZE} from './offset-index.js'
export {TIME_INDEX_ENTRY_SIZE} from './time-index.js'
