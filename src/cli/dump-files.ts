/** `log dump` for the small files of a data dir: checkpoints, producer snapshots, properties. */
import {readFileSync} from 'node:fs'
import {basename} from 'node:path'
import {Reader} from '../protocol/index.js'
import {crc32c} from '../records/index.js'
import {PRODUCER_SNAPSHOT_VERSION, SNAPSHOT_ENTRY_SIZE} from '../storage/producer-snapshot.js'
import {decrementSequence} from '../storage/producer-state-entry.js'

/** The kinds of file `log dump` understands. */
export type FileKind = 'log' | 'index' | 'timeindex' | 'snapshot' | 'checkpoint' | 'leader-epoch-checkpoint' | 'text'

/** Kind of a file from its name, the way Kafka names them. */
export function fileKind(path: string): FileKind {
  const name = basename(path)
  if (name.endsWith('.log')) return 'log'
  if (name.endsWith('.index')) return 'index'
  if (name.endsWith('.timeindex')) return 'timeindex'
  if (name.endsWith('.snapshot')) return 'snapshot'
  if (name === 'leader-epoch-checkpoint') return 'leader-epoch-checkpoint'
  if (name.endsWith('checkpoint')) return 'checkpoint'
  return 'text'
}

/** Entries of an offset checkpoint ("topic partition offset") or leader-epoch checkpoint ("epoch startOffset"). */
export function* dumpCheckpoint(path: string, kind: FileKind): Generator<Record<string, unknown> & {type: string}> {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '')
  if (lines.length < 2) {
    yield {type: 'problem', file: path, message: 'checkpoint file is too short'}
    return
  }
  const version = lines[0].trim()
  const count = Number(lines[1].trim())
  yield {type: 'checkpoint-header', version, count}
  const body = lines.slice(2)
  if (body.length !== count) yield {type: 'problem', file: path, message: `header says ${count} entries, file has ${body.length}`}
  for (const line of body) {
    const parts = line.trim().split(/\s+/)
    if (kind === 'leader-epoch-checkpoint' && parts.length === 2) {
      yield {type: 'leader-epoch', epoch: Number(parts[0]), startOffset: BigInt(parts[1])}
    } else if (parts.length === 3 && /^-?\d+$/.test(parts[2])) {
      yield {type: 'checkpoint-entry', topic: parts[0], partition: Number(parts[1]), offset: BigInt(parts[2])}
    } else {
      yield {type: 'problem', file: path, message: `malformed line "${line}"`}
    }
  }
}

/**
 * A producer state snapshot (<offset>.snapshot, see src/storage/producer-snapshot.ts): version int16,
 * CRC-32C of the rest, then entries of producerId, epoch, lastSequence, lastOffset, offsetDelta,
 * timestamp, coordinatorEpoch, currentTxnFirstOffset. Each entry also shows the first sequence of the
 * producer's last batch (lastSequence - offsetDelta), as Kafka's dump does; faults are problems.
 */
export function* dumpProducerSnapshot(path: string): Generator<Record<string, unknown> & {type: string}> {
  const buf = readFileSync(path)
  try {
    const r = new Reader(buf)
    const version = r.int16()
    const crc = r.uint32()
    const valid = crc32c(buf, 6) === crc
    const n = r.int32()
    yield {type: 'snapshot-header', version, crc, valid, producers: n}
    if (version !== PRODUCER_SNAPSHOT_VERSION) yield {type: 'problem', file: path, message: `unknown producer snapshot version ${version}`}
    if (!valid) yield {type: 'problem', file: path, message: 'producer snapshot CRC mismatch'}
    const expected = 10 + n * SNAPSHOT_ENTRY_SIZE
    if (n < 0 || buf.length !== expected) yield {type: 'problem', file: path, message: `${n} entries need ${expected} bytes, the file has ${buf.length}`}
    for (let i = 0; i < n; i++) {
      const producerId = r.int64()
      const producerEpoch = r.int16()
      const lastSequence = r.int32()
      const lastOffset = r.int64()
      const offsetDelta = r.int32()
      const timestamp = r.int64()
      const coordinatorEpoch = r.int32()
      const currentTxnFirstOffset = r.int64()
      // lastOffset -1: the producer's epoch is known but none of its batches.
      const firstSequence = lastOffset >= 0n && lastSequence >= 0 && offsetDelta >= 0 ? decrementSequence(lastSequence, offsetDelta) : -1
      yield {type: 'producer', producerId, producerEpoch, firstSequence, lastSequence, lastOffset, offsetDelta, timestamp, coordinatorEpoch, currentTxnFirstOffset}
    }
  } catch (err) {
    yield {type: 'problem', file: path, message: `cannot decode producer snapshot: ${(err as Error).message}`}
  }
}

/** A text file (meta.properties, partition.metadata, ...) as key/value lines. */
export function* dumpTextFile(path: string): Generator<Record<string, unknown> & {type: string}> {
  const text = readFileSync(path, 'utf8')
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue
    const m = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line)
    yield m ? {type: 'property', key: m[1].trim(), value: m[2].trim()} : {type: 'line', text: line}
  }
}
