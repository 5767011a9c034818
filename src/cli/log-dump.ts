/**
 * The engine of `samsa log dump`: reads Kafka's on-disk files directly (segment .log files,
 * .index and .timeindex, checkpoints, producer snapshots) and yields one item per batch, record or
 * index entry, plus `problem` items for every fault found. It never prints; the command formats.
 * Files are read batch by batch so a 1 GiB segment does not have to fit in memory.
 */
import CRC32 from 'crc-32'
import {closeSync, existsSync, fstatSync, openSync, readSync} from 'node:fs'
import {basename, dirname} from 'node:path'
import {
  HEADER_SIZE, LOG_OVERHEAD, MAGIC, batchCrcValid, compressionName, decodeRecordBatch, readBatchHeader,
  type BatchHeader,
} from '../records/index.js'
import {bytesToJson} from './json.js'
import {decodeInternalRecord} from './internal-records.js'
import {dumpCheckpoint, dumpProducerSnapshot, dumpTextFile, fileKind, type FileKind} from './dump-files.js'
import {readIndexEntries, type IndexEntry} from './dump-index.js'

/** What to read and check. */
export interface DumpOptions {
  /** Decode every record (implied by printData and verify). */
  deep?: boolean
  /** Include keys, values and headers of records. */
  printData?: boolean
  /** Check CRCs, record framing, offsets, and index entries against the log. */
  verify?: boolean
}

/** One batch header as dumped. */
export interface BatchItem {
  type: 'batch'
  baseOffset: bigint; lastOffset: bigint; count: number; position: number; size: number
  magic: number; codec: string; timestampType: string; baseTimestamp: bigint; maxTimestamp: bigint
  producerId: bigint; producerEpoch: number; baseSequence: number; lastSequence: number
  partitionLeaderEpoch: number; isTransactional: boolean; isControl: boolean; crc: number; valid: boolean
}

/** One record as dumped (key/value only with printData). */
export interface RecordItem {
  type: 'record'
  offset: bigint; timestamp: bigint; timestampType: string; keySize: number; valueSize: number
  key?: string | {base64: string} | null; value?: string | {base64: string} | null
  headers?: Array<{key: string; value: string | {base64: string} | null}>
  /** Readable form for internal topics (__cluster_metadata, __consumer_offsets) and control records. */
  decoded?: Record<string, unknown>
}

/** A fault found in a file. */
export interface ProblemItem { type: 'problem'; file: string; message: string; offset?: bigint; position?: number }

/** Start of one file's output. */
export interface FileItem { type: 'file'; file: string; kind: FileKind }

/** Anything `log dump` yields. */
export type DumpItem = FileItem | BatchItem | RecordItem | ProblemItem | IndexEntry | Record<string, unknown> & {type: string}

/** Dumps one file of any supported kind. */
export function* dumpFile(path: string, opts: DumpOptions = {}): Generator<DumpItem> {
  const kind = fileKind(path)
  yield {type: 'file', file: path, kind}
  switch (kind) {
    case 'log': {
      yield* dumpLog(path, opts)
      if (opts.verify) {
        // A verified segment's indexes are checked too, without listing their entries.
        for (const suffix of ['.index', '.timeindex']) {
          const sibling = path.replace(/\.log$/, suffix)
          if (!existsSync(sibling)) continue
          for (const item of dumpIndex(sibling, {verify: true})) if (item.type === 'problem') yield item
        }
      }
      return
    }
    case 'index':
    case 'timeindex':
      yield* dumpIndex(path, opts)
      return
    case 'checkpoint':
    case 'leader-epoch-checkpoint':
      yield* dumpCheckpoint(path, kind)
      return
    case 'snapshot':
      yield* dumpProducerSnapshot(path)
      return
    default:
      yield* dumpTextFile(path)
  }
}

/** Topic of a partition dir path like .../orders-0/00000000000000000000.log, or null. */
export function topicOfSegment(path: string): string | null {
  const m = /^(.+)-(\d+)$/.exec(basename(dirname(path)))
  return m ? m[1] : null
}

/** Batches (and records when deep) of a segment file, with faults as problem items. */
export function* dumpLog(path: string, opts: DumpOptions = {}): Generator<DumpItem> {
  const deep = opts.deep || opts.printData || opts.verify
  const topic = topicOfSegment(path)
  for (const b of scanLog(path)) {
    if (b.problem) {
      yield {type: 'problem', file: path, ...b.problem}
      return
    }
    const {buf, position} = b
    const magic = buf[MAGIC]
    if (magic !== 2) {
      yield* legacyEntry(path, buf, position)
      continue
    }
    const h = readBatchHeader(buf, 0)
    const valid = batchCrcValid(buf, 0)
    yield batchItem(h, position, buf.length, valid)
    if (!valid) {
      yield {type: 'problem', file: path, offset: h.baseOffset, position,
        message: `CRC mismatch in batch at position ${position} (offsets ${h.baseOffset}-${h.baseOffset + BigInt(h.lastOffsetDelta)})`}
      continue
    }
    if (b.previousLast !== null && h.baseOffset <= b.previousLast) {
      yield {type: 'problem', file: path, offset: h.baseOffset, position,
        message: `offsets go backwards at position ${position}: batch starts at ${h.baseOffset} after ${b.previousLast}`}
    }
    if (!deep) continue
    let records
    try {
      records = decodeRecordBatch(buf, 0, {verifyCrc: false}).records
    } catch (err) {
      yield {type: 'problem', file: path, offset: h.baseOffset, position, message: `corrupt records in batch at position ${position}: ${(err as Error).message}`}
      continue
    }
    for (const r of records) yield recordItem(r, h, topic, opts.printData ?? false)
  }
}

interface ScannedBatch {
  buf: Buffer
  position: number
  previousLast: bigint | null
  problem?: {message: string; position: number; offset?: bigint}
}

/** Reads a segment batch by batch; a torn or impossible batch ends the scan with a problem. */
function* scanLog(path: string): Generator<ScannedBatch> {
  const fd = openSync(path, 'r')
  try {
    const fileSize = fstatSync(fd).size
    const head = Buffer.alloc(LOG_OVERHEAD + 5)
    let position = 0
    let previousLast: bigint | null = null
    while (position < fileSize) {
      const got = readSync(fd, head, 0, head.length, position)
      const batchLength = got >= LOG_OVERHEAD ? head.readInt32BE(8) : -1
      const magic = got >= LOG_OVERHEAD + 5 ? head[MAGIC] : 2
      // v0/v1 messages are at least 14 bytes of body, v2 batches HEADER_SIZE - LOG_OVERHEAD.
      const minLength = magic < 2 ? 14 : HEADER_SIZE - LOG_OVERHEAD
      if (got < LOG_OVERHEAD || batchLength < minLength || position + LOG_OVERHEAD + batchLength > fileSize) {
        const offset = got >= 8 ? head.readBigInt64BE(0) : undefined
        const what = got < LOG_OVERHEAD || position + LOG_OVERHEAD + batchLength > fileSize ? 'incomplete batch' : `invalid batch length ${batchLength}`
        yield {buf: Buffer.alloc(0), position, previousLast, problem: {message: `${what} at position ${position} (${fileSize - position} trailing bytes)`, position, offset}}
        return
      }
      const buf = Buffer.allocUnsafe(LOG_OVERHEAD + batchLength)
      readSync(fd, buf, 0, buf.length, position)
      yield {buf, position, previousLast}
      previousLast = magic === 2 ? buf.readBigInt64BE(0) + BigInt(buf.readInt32BE(23)) : buf.readBigInt64BE(0)
      position += buf.length
    }
  } finally {
    closeSync(fd)
  }
}

function batchItem(h: BatchHeader, position: number, size: number, valid: boolean): BatchItem {
  return {
    type: 'batch',
    baseOffset: h.baseOffset, lastOffset: h.baseOffset + BigInt(h.lastOffsetDelta), count: h.recordsCount, position, size,
    magic: h.magic, codec: compressionName(h.compression), timestampType: h.timestampType,
    baseTimestamp: h.baseTimestamp, maxTimestamp: h.maxTimestamp,
    producerId: h.producerId, producerEpoch: h.producerEpoch, baseSequence: h.baseSequence,
    lastSequence: h.baseSequence < 0 ? -1 : (h.baseSequence + h.lastOffsetDelta) % 0x80000000,
    partitionLeaderEpoch: h.partitionLeaderEpoch, isTransactional: h.isTransactional, isControl: h.isControl,
    crc: h.crc, valid,
  }
}

function recordItem(r: {offset: bigint; timestamp: bigint; key: Buffer | null; value: Buffer | null; headers: Array<{key: string; value: Buffer | null}>},
  h: BatchHeader, topic: string | null, printData: boolean): RecordItem {
  const item: RecordItem = {
    type: 'record', offset: r.offset, timestamp: r.timestamp, timestampType: h.timestampType,
    keySize: r.key?.length ?? -1, valueSize: r.value?.length ?? -1,
  }
  if (printData) {
    item.key = bytesToJson(r.key)
    item.value = bytesToJson(r.value)
    item.headers = r.headers.map((x) => ({key: x.key, value: bytesToJson(x.value)}))
  }
  if (h.isControl) {
    // Control record key: version int16, type int16 (0 abort, 1 commit; KRaft uses 2+ for its own).
    const type = r.key && r.key.length >= 4 ? r.key.readInt16BE(2) : -1
    item.decoded = {control: CONTROL_TYPES[type] ?? `type ${type}`}
  } else {
    const decoded = decodeInternalRecord(topic, r.key, r.value)
    if (decoded) item.decoded = decoded
  }
  return item
}

const CONTROL_TYPES: Record<number, string> = {0: 'ABORT', 1: 'COMMIT', 2: 'LEADER_CHANGE', 3: 'SNAPSHOT_HEADER', 4: 'SNAPSHOT_FOOTER', 5: 'KRAFT_VERSION', 6: 'KRAFT_VOTERS'}

/** Old (magic 0/1) message sets: one shallow entry per message, CRC-32 (IEEE) checked. */
function* legacyEntry(path: string, buf: Buffer, position: number): Generator<DumpItem> {
  const offset = buf.readBigInt64BE(0)
  const crc = buf.readUInt32BE(12)
  const magic = buf[16]
  const attributes = buf[17]
  const valid = (CRC32.buf(buf.subarray(16)) >>> 0) === crc
  yield {
    type: 'batch', baseOffset: offset, lastOffset: offset, count: 1, position, size: buf.length, magic,
    codec: compressionName(attributes & 0x07), timestampType: attributes & 0x08 ? 'LogAppendTime' : 'CreateTime',
    baseTimestamp: magic >= 1 ? buf.readBigInt64BE(18) : -1n, maxTimestamp: magic >= 1 ? buf.readBigInt64BE(18) : -1n,
    producerId: -1n, producerEpoch: -1, baseSequence: -1, lastSequence: -1, partitionLeaderEpoch: -1,
    isTransactional: false, isControl: false, crc, valid,
  } satisfies BatchItem
  if (!valid) yield {type: 'problem', file: path, offset, position, message: `CRC mismatch in message at position ${position} (offset ${offset})`}
}

/** Entries of an .index/.timeindex file; with verify, each is checked against the segment's .log. */
export function* dumpIndex(path: string, opts: DumpOptions = {}): Generator<DumpItem> {
  const isTime = path.endsWith('.timeindex')
  const {entries, problems} = readIndexEntries(path)
  for (const p of problems) yield {type: 'problem', file: path, ...p}
  if (!opts.verify) {
    yield* entries
    return
  }
  const logPath = path.replace(/\.(index|timeindex)$/, '.log')
  if (!existsSync(logPath)) {
    yield* entries
    yield {type: 'problem', file: path, message: `cannot verify: ${basename(logPath)} is missing`}
    return
  }
  // Map batch start positions to their offset ranges, and collect the log's offset span.
  const starts = new Map<number, {base: bigint; last: bigint; maxTimestamp: bigint}>()
  let first: bigint | null = null
  let last: bigint | null = null
  for (const b of scanLog(logPath)) {
    if (b.problem) break
    const base = b.buf.readBigInt64BE(0)
    const lastOff = b.buf[MAGIC] === 2 ? base + BigInt(b.buf.readInt32BE(23)) : base
    const maxTs = b.buf[MAGIC] === 2 ? b.buf.readBigInt64BE(35) : -1n
    starts.set(b.position, {base, last: lastOff, maxTimestamp: maxTs})
    first ??= base
    last = lastOff
  }
  let prevKey: bigint | null = null
  for (const e of entries) {
    yield e
    if (e.type === 'index-entry') {
      const batch = starts.get(e.position)
      if (!batch) {
        yield {type: 'problem', file: path, offset: e.offset, position: e.position, message: `index entry for offset ${e.offset} points at position ${e.position}, which is not the start of a batch`}
      } else if (e.offset < batch.base || e.offset > batch.last) {
        yield {type: 'problem', file: path, offset: e.offset, position: e.position, message: `index entry for offset ${e.offset} points at position ${e.position}, whose batch holds offsets ${batch.base}-${batch.last}`}
      }
      if (prevKey !== null && e.offset <= prevKey) {
        yield {type: 'problem', file: path, offset: e.offset, position: e.position, message: `index entries not increasing: offset ${e.offset} after ${prevKey}`}
      }
      prevKey = e.offset
    } else if (e.type === 'timeindex-entry' && isTime) {
      if (first === null || last === null || e.offset < first || e.offset > last) {
        yield {type: 'problem', file: path, offset: e.offset, message: `time index entry (${e.timestamp} -> ${e.offset}) points outside the log's offsets ${first ?? '-'}-${last ?? '-'}`}
      }
      if (prevKey !== null && e.timestamp < prevKey) {
        yield {type: 'problem', file: path, offset: e.offset, message: `time index timestamps go backwards at offset ${e.offset}: ${e.timestamp} after ${prevKey}`}
      }
      prevKey = e.timestamp
    }
  }
}
