/**
 * What an append does to the batch bytes before they reach a segment: checks it is one whole batch,
 * assigns offsets (leader) or checks them (follower), writes the leader epoch and stamps LogAppendTime
 * -- the byte-level part of Kafka's LogValidator. Separate from Log so these rules read without the
 * log's state; Log.append orders them around the producer-state and leader-epoch bookkeeping.
 */
import {BASE_OFFSET, BATCH_LENGTH, HEADER_SIZE, LOG_OVERHEAD, PARTITION_LEADER_EPOCH,
  setMaxTimestampAndLogAppendTime} from '../records/batch-header.js'
import {ErrorCode, KafkaError} from '../protocol/errors.js'
import type {LogConfig} from './log-config.js'

/** Options of one append. */
export interface AppendOptions {
  /** Assign offsets from the log end offset (leader); false keeps the batch's own offsets (follower). Default true. */
  assignOffsets?: boolean
  /** Stamp the batch with this LogAppendTime; null/undefined: stamp with the clock only when message.timestamp.type=LogAppendTime. */
  logAppendTime?: bigint | null
  /** Written into the batch's partitionLeaderEpoch field when given. */
  leaderEpoch?: number
}

/** Result of one append. */
export interface AppendResult {
  firstOffset: bigint
  lastOffset: bigint
  /** The LogAppendTime stamped on the batch, -1 when the batch keeps CreateTime; for a duplicate, the original batch's timestamp (as Kafka answers). */
  logAppendTime: bigint
  maxTimestamp: bigint
  /** True when the batch was an idempotent producer's retry of a batch already in the log: nothing was appended and the offsets are the original's. */
  duplicate?: boolean
}

/** The appended range, emitted as 'append' so delayed fetches can wake up. */
export interface AppendEvent {
  firstOffset: bigint
  lastOffset: bigint
  logEndOffset: bigint
}

/** Throws KafkaError CORRUPT_MESSAGE unless `batch` is exactly one whole batch. */
export function checkSingleBatch(batch: Buffer): void {
  if (batch.length < HEADER_SIZE || batch.readInt32BE(BATCH_LENGTH) + LOG_OVERHEAD !== batch.length) {
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `append needs exactly one whole batch (${batch.length} bytes)`)
  }
}

/**
 * Returns the batch's first offset: the log end offset written in place as its baseOffset (the CRC
 * does not cover it), or, when not assigning, its own, which must not be below the log end offset.
 * Writes `opts.leaderEpoch` into the batch when given.
 */
export function assignOffsetsAndEpoch(batch: Buffer, logEndOffset: bigint, opts: AppendOptions): bigint {
  let firstOffset: bigint
  if (opts.assignOffsets ?? true) {
    firstOffset = logEndOffset
    batch.writeBigInt64BE(firstOffset, BASE_OFFSET)
  } else {
    firstOffset = batch.readBigInt64BE(BASE_OFFSET)
    if (firstOffset < logEndOffset) {
      throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `out of order offsets: batch at ${firstOffset} below log end offset ${logEndOffset}`)
    }
  }
  if (opts.leaderEpoch !== undefined) batch.writeInt32BE(opts.leaderEpoch, PARTITION_LEADER_EPOCH)
  return firstOffset
}

/**
 * Stamps LogAppendTime (recomputing the CRC): `opts.logAppendTime` when given, else the clock when the
 * topic uses LogAppendTime and offsets are assigned here. Returns the time stamped, -1 for none.
 */
export function stampLogAppendTime(batch: Buffer, opts: AppendOptions, config: LogConfig, clock: () => number): bigint {
  let logAppendTime = -1n
  if (opts.logAppendTime !== undefined && opts.logAppendTime !== null) logAppendTime = opts.logAppendTime
  else if (config.messageTimestampType === 'LogAppendTime' && (opts.assignOffsets ?? true)) logAppendTime = BigInt(clock())
  if (logAppendTime >= 0n) setMaxTimestampAndLogAppendTime(batch, 0, logAppendTime)
  return logAppendTime
}
