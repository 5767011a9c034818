/**
 * Kafka's producer state snapshot file, `<20-digit offset>.snapshot` in the partition dir: the state
 * of every producer as of that offset. Layout (big-endian): version int16 (1), CRC-32C uint32 over
 * every byte after the CRC field, entry count int32, then per producer producerId int64, epoch int16,
 * lastSequence int32, lastOffset int64, offsetDelta int32, timestamp int64, coordinatorEpoch int32,
 * currentTxnFirstOffset int64 (46 bytes). Used by ProducerStateManager and by `log dump`.
 */
import {closeSync, fsyncSync, open as openAsync, fsync as fsyncAsync, close as closeAsync, openSync, readdirSync,
  readFileSync, renameSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {crc32c} from '../records/crc32c.js'
import {offsetFileName, writeFully} from './file-util.js'

export const SNAPSHOT_SUFFIX = '.snapshot'
export const PRODUCER_SNAPSHOT_VERSION = 1
const VERSION_OFFSET = 0
const CRC_OFFSET = 2
const ENTRIES_OFFSET = 6
/** Size of one entry on disk. */
export const SNAPSHOT_ENTRY_SIZE = 46

/** One producer as a snapshot stores it; lastOffset -1 means no batch is known (only the epoch). */
export interface SnapshotEntry {
  producerId: bigint
  producerEpoch: number
  lastSequence: number
  lastOffset: bigint
  /** lastOffset - firstOffset of the last batch (equal to lastSequence - firstSequence). */
  offsetDelta: number
  timestamp: bigint
  coordinatorEpoch: number
  /** -1 when no transaction is open. */
  currentTxnFirstOffset: bigint
}

/** Thrown for a snapshot that cannot be trusted (bad version, CRC, length); the loader deletes it and falls back. */
export class CorruptSnapshotError extends Error {}

/** Serialises entries into the bytes of a snapshot file. */
export function encodeProducerSnapshot(entries: Iterable<SnapshotEntry>): Buffer {
  const list = Array.isArray(entries) ? entries as SnapshotEntry[] : [...entries]
  const buf = Buffer.allocUnsafe(ENTRIES_OFFSET + 4 + list.length * SNAPSHOT_ENTRY_SIZE)
  buf.writeInt16BE(PRODUCER_SNAPSHOT_VERSION, VERSION_OFFSET)
  let p = ENTRIES_OFFSET
  p = buf.writeInt32BE(list.length, p)
  for (const e of list) {
    p = buf.writeBigInt64BE(e.producerId, p)
    p = buf.writeInt16BE(e.producerEpoch, p)
    p = buf.writeInt32BE(e.lastSequence, p)
    p = buf.writeBigInt64BE(e.lastOffset, p)
    p = buf.writeInt32BE(e.offsetDelta, p)
    p = buf.writeBigInt64BE(e.timestamp, p)
    p = buf.writeInt32BE(e.coordinatorEpoch, p)
    p = buf.writeBigInt64BE(e.currentTxnFirstOffset, p)
  }
  buf.writeUInt32BE(crc32c(buf, ENTRIES_OFFSET, buf.length), CRC_OFFSET)
  return buf
}

/** Parses snapshot bytes; throws CorruptSnapshotError when the version, CRC or length is wrong. */
export function decodeProducerSnapshot(buf: Buffer): SnapshotEntry[] {
  if (buf.length < ENTRIES_OFFSET + 4) throw new CorruptSnapshotError(`snapshot of ${buf.length} bytes is too short`)
  const version = buf.readInt16BE(VERSION_OFFSET)
  if (version !== PRODUCER_SNAPSHOT_VERSION) throw new CorruptSnapshotError(`unknown snapshot version ${version}`)
  const stored = buf.readUInt32BE(CRC_OFFSET)
  const computed = crc32c(buf, ENTRIES_OFFSET, buf.length)
  if (stored !== computed) throw new CorruptSnapshotError(`snapshot CRC mismatch: stored ${stored}, computed ${computed}`)
  const count = buf.readInt32BE(ENTRIES_OFFSET)
  if (count < 0 || buf.length !== ENTRIES_OFFSET + 4 + count * SNAPSHOT_ENTRY_SIZE) {
    throw new CorruptSnapshotError(`snapshot says ${count} entries but has ${buf.length} bytes`)
  }
  const out: SnapshotEntry[] = new Array(count)
  let p = ENTRIES_OFFSET + 4
  for (let i = 0; i < count; i++, p += SNAPSHOT_ENTRY_SIZE) {
    out[i] = {
      producerId: buf.readBigInt64BE(p),
      producerEpoch: buf.readInt16BE(p + 8),
      lastSequence: buf.readInt32BE(p + 10),
      lastOffset: buf.readBigInt64BE(p + 14),
      offsetDelta: buf.readInt32BE(p + 22),
      timestamp: buf.readBigInt64BE(p + 26),
      coordinatorEpoch: buf.readInt32BE(p + 34),
      currentTxnFirstOffset: buf.readBigInt64BE(p + 38),
    }
  }
  return out
}

/** Path of the snapshot taken at `offset`. */
export function snapshotPath(dir: string, offset: bigint): string {
  return join(dir, offsetFileName(offset) + SNAPSHOT_SUFFIX)
}

/** Offsets of the snapshot files in `dir`, ascending. */
export function listSnapshotOffsets(dir: string): bigint[] {
  const out: bigint[] = []
  for (const name of readdirSync(dir)) {
    const m = /^(\d{20})\.snapshot$/.exec(name)
    if (m) out.push(BigInt(m[1]))
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/** Reads and decodes the snapshot at `offset` (CorruptSnapshotError when it cannot be trusted). */
export function readSnapshotFile(dir: string, offset: bigint): SnapshotEntry[] {
  return decodeProducerSnapshot(readFileSync(snapshotPath(dir, offset)))
}

/**
 * Writes a snapshot atomically (temp file + rename, so a reader never sees half of one). With `sync`
 * it is fsynced before the rename; otherwise the fsync runs in the background (a roll must not stall
 * appends) and a torn file after a power loss fails its CRC and is skipped at load.
 */
export function writeSnapshotFile(dir: string, offset: bigint, bytes: Buffer, sync: boolean): string {
  const path = snapshotPath(dir, offset)
  const tmp = path + '.tmp'
  const fd = openSync(tmp, 'w')
  try {
    writeFully(fd, bytes, 0)
    if (sync) fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, path)
  if (!sync) {
    openAsync(path, 'r', (err, bg) => {
      if (!err) fsyncAsync(bg, () => closeAsync(bg, () => {}))
    })
  }
  return path
}

/** Deletes the snapshot at `offset` if it exists. */
export function deleteSnapshotFile(dir: string, offset: bigint): void {
  rmSync(snapshotPath(dir, offset), {force: true})
}
