/**
 * Kafka's ConsumerProtocol: the bytes members of protocol type "consumer" put in JoinGroup metadata
 * (Subscription) and SyncGroup assignments (Assignment), versions 0-3, so samsa, Java, librdkafka
 * and kafkajs members can share one group. Decoding is lenient: a member that wrote a higher
 * version or stopped early (old clients) is read as far as the fields go.
 */
import {Reader, Writer} from '../protocol/index.js'
import {sortPartitions, type TopicPartition} from './types.js'

/** The highest ConsumerProtocol version samsa writes. */
export const CONSUMER_PROTOCOL_VERSION = 3

/** A member's subscription as sent in JoinGroup. */
export interface Subscription {
  version: number
  topics: string[]
  userData: Buffer | null
  /** v1+: partitions the member owns now (cooperative rebalancing). */
  ownedPartitions: TopicPartition[]
  /** v2+: generation in which ownedPartitions were assigned; -1 unknown. */
  generationId: number
  /** v3+: the member's rack. */
  rackId: string | null
}

/** A member's assignment as sent in SyncGroup. */
export interface Assignment {
  version: number
  partitions: TopicPartition[]
  userData: Buffer | null
}

function writePartitions(w: Writer, tps: TopicPartition[]): void {
  const byTopic = new Map<string, number[]>()
  for (const tp of sortPartitions([...tps])) {
    let list = byTopic.get(tp.topic)
    if (!list) byTopic.set(tp.topic, (list = []))
    list.push(tp.partition)
  }
  w.int32(byTopic.size)
  for (const [topic, parts] of byTopic) {
    w.string(topic)
    w.int32(parts.length)
    for (const p of parts) w.int32(p)
  }
}

function readPartitions(r: Reader): TopicPartition[] {
  const out: TopicPartition[] = []
  const n = r.int32()
  for (let i = 0; i < n; i++) {
    const topic = r.string()
    const m = r.int32()
    for (let j = 0; j < m; j++) out.push({topic, partition: r.int32()})
  }
  return out
}

/** Encodes a Subscription at `version` (default 3); fields above the version are left out. */
export function encodeSubscription(s: Omit<Subscription, 'version'>, version = CONSUMER_PROTOCOL_VERSION): Buffer {
  const w = new Writer(64)
  w.int16(version)
  w.int32(s.topics.length)
  for (const t of [...s.topics].sort()) w.string(t)
  w.bytes(s.userData)
  if (version >= 1) writePartitions(w, s.ownedPartitions)
  if (version >= 2) w.int32(s.generationId)
  if (version >= 3) w.string(s.rackId)
  return Buffer.from(w.toBuffer())
}

/** Decodes a Subscription; missing trailing fields take their defaults. */
export function decodeSubscription(buf: Buffer): Subscription {
  const r = new Reader(buf)
  const version = r.int16()
  const n = r.int32()
  const topics: string[] = []
  for (let i = 0; i < n; i++) topics.push(r.string())
  const s: Subscription = {version, topics, userData: null, ownedPartitions: [], generationId: -1, rackId: null}
  // Old clients sometimes end right after the topics (kafkajs leaves out empty user data).
  if (r.remaining() >= 4) s.userData = r.nullableBytes()
  if (version >= 1 && r.remaining() >= 4) s.ownedPartitions = readPartitions(r)
  if (version >= 2 && r.remaining() >= 4) s.generationId = r.int32()
  if (version >= 3 && r.remaining() >= 2) s.rackId = r.nullableString()
  return s
}

/** Encodes an Assignment (the same layout at every version). */
export function encodeAssignment(a: Omit<Assignment, 'version'>, version = CONSUMER_PROTOCOL_VERSION): Buffer {
  const w = new Writer(64)
  w.int16(version)
  writePartitions(w, a.partitions)
  w.bytes(a.userData)
  return Buffer.from(w.toBuffer())
}

/** Decodes an Assignment; an empty buffer (a member that got nothing) is an empty assignment. */
export function decodeAssignment(buf: Buffer | null): Assignment {
  if (buf === null || buf.length < 2) return {version: 0, partitions: [], userData: null}
  const r = new Reader(buf)
  const version = r.int16()
  const partitions = r.remaining() >= 4 ? readPartitions(r) : []
  const userData = r.remaining() >= 4 ? r.nullableBytes() : null
  return {version, partitions, userData}
}
