/**
 * MetadataLog: the `__cluster_metadata-0` partition in the data dir, in Kafka's segment format.
 * Every controller change is one record batch whose record values are KRaft metadata records;
 * replaying the log from the start rebuilds the MetadataImage.
 */
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {Log, defaultLogConfig, CLEAN_SHUTDOWN_FILE} from '../../storage/index.js'
import {encodeRecordBatch, decodeRecordBatches} from '../../records/index.js'
import {encodeMetadataRecord, decodeMetadataRecord, type MetadataRecord} from './records.js'
import type {BrokerLogger} from '../context.js'

/** Directory name of the metadata partition, as Kafka names it. */
export const METADATA_LOG_DIR = '__cluster_metadata-0'

/** Read size per step while replaying. */
const REPLAY_CHUNK = 1 << 20

/** The metadata partition: append-only, never subject to retention. */
export class MetadataLog {
  private constructor(private readonly log: Log) {}

  /**
   * Opens (or creates) `<dataDir>/__cluster_metadata-0`. Must run before LogManager.open, which
   * consumes the clean-shutdown marker: with the marker present the recovery scan is skipped.
   */
  static open(dataDir: string, logger: BrokerLogger): MetadataLog {
    const config = defaultLogConfig({retentionMs: -1, retentionBytes: -1})
    const cleanShutdown = existsSync(join(dataDir, CLEAN_SHUTDOWN_FILE))
    return new MetadataLog(Log.open(join(dataDir, METADATA_LOG_DIR), config, {logger, cleanShutdown, producerSnapshots: false}))
  }

  /** Every metadata record in log order (unknown record types are skipped). */
  readAll(): MetadataRecord[] {
    const out: MetadataRecord[] = []
    let offset = this.log.logStartOffset
    const end = this.log.logEndOffset
    while (offset < end) {
      const {records} = this.log.read(offset, REPLAY_CHUNK, true)
      if (records.length === 0) break
      const buf = records.length === 1 ? records[0] : Buffer.concat(records)
      const batches = decodeRecordBatches(buf)
      if (batches.length === 0) break
      for (const batch of batches) {
        for (const r of batch.records) {
          if (r.offset < offset || r.value === null) continue
          const rec = decodeMetadataRecord(r.value)
          if (rec) out.push(rec)
        }
        const next = batch.baseOffset + BigInt(batch.lastOffsetDelta) + 1n
        if (next > offset) offset = next
      }
    }
    return out
  }

  /** Appends the records as one batch (all or nothing) and forces it to disk: controller state is durable. */
  append(records: MetadataRecord[]): void {
    if (records.length === 0) return
    const timestamp = BigInt(Date.now())
    const batch = encodeRecordBatch({records: records.map((r) => ({value: encodeMetadataRecord(r), timestamp}))})
    this.log.append(batch)
    this.log.flush()
  }

  /** Closes the partition. */
  close(): void {
    this.log.close()
  }
}
