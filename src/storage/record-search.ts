/**
 * Record-level timestamp search inside one batch: ListOffsets needs the offset of the first RECORD
 * with timestamp >= target, which the batch header alone cannot give (only its max timestamp).
 */
import {decodeRecordBatch} from '../records/record-batch.js'
import {BASE_OFFSET, LAST_OFFSET_DELTA, MAX_TIMESTAMP} from '../records/batch-header.js'

/** First record at or after `startingOffset` in the batch at the start of `batch` with timestamp >= `timestamp`. */
export function findRecordByTimestamp(batch: Buffer, timestamp: bigint, startingOffset: bigint): {offset: bigint; timestamp: bigint} | null {
  try {
    // The CRC was checked on append or by recovery; skip re-checking it on every lookup.
    const decoded = decodeRecordBatch(batch, 0, {verifyCrc: false})
    for (const r of decoded.records) {
      if (r.offset >= startingOffset && r.timestamp >= timestamp) return {offset: r.offset, timestamp: r.timestamp}
    }
    return null
  } catch {
    // Undecodable records (e.g. an unknown codec): fall back to the batch granularity Kafka's index gives.
    const base = batch.readBigInt64BE(BASE_OFFSET)
    const last = base + BigInt(batch.readInt32BE(LAST_OFFSET_DELTA))
    const maxTs = batch.readBigInt64BE(MAX_TIMESTAMP)
    if (maxTs < timestamp || last < startingOffset) return null
    return {offset: base > startingOffset ? base : startingOffset, timestamp: maxTs}
  }
}
