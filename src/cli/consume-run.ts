/**
 * The loop of `samsa consume`: where to start (-o), partition mode (assign) or group mode
 * (subscribe), polling records into the output buffer, and when to stop: -c records written,
 * -e every assigned partition read to its end (the high watermark seen when the position reached
 * it, as kcat), the reader gone (EPIPE) or a signal. In group mode the offsets committed at the end
 * are those of the records actually written, also when -c stops in the middle of a batch.
 */
import type {Consumer, TopicPartition} from '../consumer/index.js'
import {tpKey} from '../consumer/index.js'
import {UsageError} from './errors.js'
import type {RecordWriter, FormatRecord} from './consume-format.js'
import type {OutputBuffer} from './consume-output.js'

/** Where consumption starts (-o). */
export type OffsetSpec =
  | {kind: 'beginning'} | {kind: 'end'} | {kind: 'stored'}
  | {kind: 'offset'; offset: bigint} | {kind: 'tail'; count: bigint} | {kind: 'timestamp'; ms: number}

/** Parses -o: beginning|end|stored|N|-N|@TIMESTAMP_MS (kcat's spellings). */
export function parseOffsetSpec(text: string): OffsetSpec {
  const s = text.trim()
  if (s === 'beginning' || s === 'earliest' || s === 'smallest') return {kind: 'beginning'}
  if (s === 'end' || s === 'latest' || s === 'largest') return {kind: 'end'}
  if (s === 'stored') return {kind: 'stored'}
  if (/^\d+$/.test(s)) return {kind: 'offset', offset: BigInt(s)}
  if (/^-\d+$/.test(s)) return {kind: 'tail', count: -BigInt(s)}
  if (/^@\d+$/.test(s)) return {kind: 'timestamp', ms: Number(s.slice(1))}
  throw new UsageError(`invalid -o/--offset "${text}": expected beginning, end, stored, N, -N or @TIMESTAMP_MS`)
}

/** auto.offset.reset a consumer should use for an -o spec (where no explicit seek or commit decides). */
export function resetPolicyFor(spec: OffsetSpec, configured: string | undefined): 'earliest' | 'latest' | undefined {
  if (spec.kind === 'beginning') return 'earliest'
  if (spec.kind === 'end') return 'latest'
  if (spec.kind === 'offset' && configured === undefined) return 'earliest'
  return undefined
}

/** What to read and how to stop. */
export interface ConsumeRunOptions {
  /** Partition mode: these partitions. Group mode (subscribe) when undefined. */
  partitions?: TopicPartition[]
  topics: string[]
  offset: OffsetSpec
  exitAtEnd: boolean
  count?: number
  write: RecordWriter
  out: OutputBuffer
  /** Set to true (e.g. on SIGINT) to stop after the current poll. */
  stop: {requested: boolean}
  pollTimeoutMs?: number
}

/** What a run did. */
export interface ConsumeSummary { records: number; reason: 'count' | 'end' | 'closed' | 'stopped' }

/** Consumes until a stop condition; the caller closes the consumer afterwards (which commits in group mode). */
export async function runConsume(consumer: Consumer, opts: ConsumeRunOptions): Promise<ConsumeSummary> {
  const {out, write, stop} = opts
  const atEnd = new Set<string>()
  if (opts.partitions) {
    consumer.assign(opts.partitions)
    await seekAll(consumer, opts.partitions, opts.offset)
  } else {
    const seeked = new Set<string>()
    consumer.subscribe(opts.topics, {
      // Explicit positions apply to the first assignment of each partition; later rebalances resume from commits.
      onPartitionsAssigned: async (tps) => {
        const fresh = tps.filter((tp) => !seeked.has(tpKey(tp.topic, tp.partition)))
        for (const tp of fresh) seeked.add(tpKey(tp.topic, tp.partition))
        await seekAll(consumer, fresh, opts.offset)
      },
      onPartitionsRevoked: (tps) => {
        for (const tp of tps) atEnd.delete(tpKey(tp.topic, tp.partition))
      },
    })
  }
  const pollMs = opts.pollTimeoutMs ?? 200
  let written = 0
  for (;;) {
    if (stop.requested) return {records: written, reason: 'stopped'}
    const records = (await consumer.poll(pollMs)) as FormatRecord[]
    let n = records.length
    if (opts.count !== undefined) n = Math.min(n, opts.count - written)
    for (let i = 0; i < n; i++) {
      write(records[i], out)
      if (out.pending >= 1 << 20) await out.flush()
    }
    written += n
    await out.flush()
    if (out.error) throw out.error
    if (out.closed) return {records: written, reason: 'closed'}
    if (opts.count !== undefined && written >= opts.count) {
      if (n < records.length) await rewind(consumer, records, n)
      return {records: written, reason: 'count'}
    }
    if (opts.exitAtEnd && (await allAtEnd(consumer, atEnd))) return {records: written, reason: 'end'}
  }
}

/** Moves each partition back to the first record not written, so the final commit does not skip it. */
async function rewind(consumer: Consumer, records: FormatRecord[], from: number): Promise<void> {
  const first = new Map<string, {tp: TopicPartition; offset: bigint}>()
  for (let i = from; i < records.length; i++) {
    const r = records[i]
    const k = tpKey(r.topic, r.partition)
    if (!first.has(k)) first.set(k, {tp: {topic: r.topic, partition: r.partition}, offset: r.offset})
  }
  for (const {tp, offset} of first.values()) await consumer.seek(tp, offset)
}

/** True when every assigned partition's position has reached the high watermark seen for it. */
async function allAtEnd(consumer: Consumer, atEnd: Set<string>): Promise<boolean> {
  const assigned = consumer.assignment()
  if (assigned.length === 0) return false
  const open = assigned.filter((tp) => !atEnd.has(tpKey(tp.topic, tp.partition)))
  if (open.length === 0) return true
  const known = open.filter((tp) => consumer.position(tp) !== undefined)
  if (known.length < open.length) return false
  const ends = await consumer.endOffsets(known)
  for (const tp of known) {
    const k = tpKey(tp.topic, tp.partition)
    const end = ends.get(k)
    // Once at its end a partition counts as done, as kcat's EOF: records that arrive later do not hold -e back.
    if (end !== undefined && consumer.position(tp)! >= end) atEnd.add(k)
  }
  return atEnd.size >= assigned.length && assigned.every((tp) => atEnd.has(tpKey(tp.topic, tp.partition)))
}

/** Applies an explicit -o to partitions (beginning/end/stored are left to committed offsets and auto.offset.reset). */
async function seekAll(consumer: Consumer, tps: TopicPartition[], spec: OffsetSpec): Promise<void> {
  if (tps.length === 0) return
  if (spec.kind === 'offset') {
    for (const tp of tps) await consumer.seek(tp, spec.offset)
  } else if (spec.kind === 'tail') {
    const [ends, starts] = await Promise.all([consumer.endOffsets(tps), consumer.beginningOffsets(tps)])
    for (const tp of tps) {
      const k = tpKey(tp.topic, tp.partition)
      const end = ends.get(k) ?? 0n
      const start = starts.get(k) ?? 0n
      const want = end - spec.count
      await consumer.seek(tp, want > start ? want : start)
    }
  } else if (spec.kind === 'timestamp') {
    for (const tp of tps) await consumer.seek(tp, {timestamp: spec.ms})
  }
}
