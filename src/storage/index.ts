// Public surface of the storage layer: partition logs in Kafka's on-disk formats.
export * from './log-config.js'
export * from './log.js'
export * from './log-manager.js'
export * from './checkpoint.js'
export {offsetFileName, segmentPath, LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX} from './file-util.js'
export {OFFSET_INDEX_ENTRY_SIZE} from './offset-index.js'
export {TIME_INDEX_ENTRY_SIZE} from './time-index.js'
export {ProducerStateManager, DEFAULT_PRODUCER_ID_EXPIRATION_MS, type ProducerStateOptions} from './producer-state.js'
export {ProducerStateEntry, BATCHES_TO_RETAIN, incrementSequence, type BatchMetadata} from './producer-state-entry.js'
export {encodeProducerSnapshot, decodeProducerSnapshot, listSnapshotOffsets, snapshotPath, CorruptSnapshotError,
  SNAPSHOT_SUFFIX, SNAPSHOT_ENTRY_SIZE, type SnapshotEntry} from './producer-snapshot.js'
