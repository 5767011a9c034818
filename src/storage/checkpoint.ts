/**
 * Offset checkpoint files in Kafka's text format (recovery-point-offset-checkpoint,
 * log-start-offset-checkpoint): a version line "0", a count line, then one "topic partition offset"
 * line per partition. Written atomically: tmp file, fsync, rename, fsync of the directory.
 */
import {closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync} from 'node:fs'
import {dirname} from 'node:path'
import {fsyncDir, writeFully} from './file-util.js'

export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint'
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint'

/** Key of a partition in checkpoint maps: "topic partition" is unambiguous since topic names have no spaces. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic} ${partition}`
}

/** One checkpoint entry. */
export interface CheckpointEntry {
  topic: string
  partition: number
  offset: bigint
}

/** Serialises entries in Kafka's format. */
export function formatOffsetCheckpoint(entries: readonly CheckpointEntry[]): string {
  const lines = ['0', String(entries.length)]
  for (const e of entries) lines.push(`${e.topic} ${e.partition} ${e.offset}`)
  return lines.join('\n') + '\n'
}

/** Parses Kafka's format; throws on a malformed file (the caller decides whether to ignore it). */
export function parseOffsetCheckpoint(text: string): CheckpointEntry[] {
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  if (lines.length < 2) throw new Error('checkpoint file is too short')
  if (lines[0].trim() !== '0') throw new Error(`unsupported checkpoint version '${lines[0]}'`)
  const count = Number(lines[1].trim())
  if (!Number.isInteger(count) || count < 0) throw new Error(`invalid entry count '${lines[1]}'`)
  if (lines.length - 2 !== count) throw new Error(`expected ${count} entries, found ${lines.length - 2}`)
  return lines.slice(2).map((line) => {
    const m = /^(\S+) (\d+) (-?\d+)$/.exec(line.trim())
    if (!m) throw new Error(`malformed checkpoint line '${line}'`)
    return {topic: m[1], partition: Number(m[2]), offset: BigInt(m[3])}
  })
}

/** Reads a checkpoint file into a map keyed by partitionKey(); a missing file is empty. */
export function readOffsetCheckpoint(path: string): Map<string, bigint> {
  const out = new Map<string, bigint>()
  if (!existsSync(path)) return out
  for (const e of parseOffsetCheckpoint(readFileSync(path, 'utf8'))) out.set(partitionKey(e.topic, e.partition), e.offset)
  return out
}

/** Writes a checkpoint file atomically (tmp + fsync + rename + directory fsync). */
export function writeOffsetCheckpoint(path: string, entries: readonly CheckpointEntry[]): void {
  const tmp = `${path}.tmp`
  const fd = openSync(tmp, 'w')
  try {
    writeFully(fd, Buffer.from(formatOffsetCheckpoint(entries), 'utf8'))
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, path)
  fsyncDir(dirname(path))
}
