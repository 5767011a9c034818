/**
 * `samsa group reset-offsets`: which partitions (--topic T or T:P,P), where each one's committed
 * offset goes (--to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by, clamped to the
 * log's start and end as Kafka's tool does), and the refusal to touch a group with active members.
 */
import type {AdminClient} from '../client/admin.js'
import {tpKey} from '../consumer/index.js'
import {ErrorCode, KafkaError} from '../protocol/index.js'
import {CommandFailure, UsageError} from './errors.js'
import type {GroupAdmin} from './group-admin.js'

/** Where offsets are moved. */
export type ResetStrategy =
  | {kind: 'earliest'} | {kind: 'latest'} | {kind: 'offset'; offset: bigint}
  | {kind: 'datetime'; ms: number} | {kind: 'shift'; by: bigint}

/** Partitions of one topic (all when `partitions` is undefined). */
export interface TopicSpec { topic: string; partitions?: number[] }

/** One partition's offset before and after the reset. */
export interface ResetRow { topic: string; partition: number; before: bigint | null; after: bigint }

/** Parses --topic T or T:P[,P]. */
export function parseTopicSpec(text: string): TopicSpec {
  const i = text.lastIndexOf(':')
  if (i < 0) return {topic: text}
  const topic = text.slice(0, i)
  const list = text.slice(i + 1).split(',').map((s) => s.trim())
  if (topic === '' || list.some((s) => !/^\d+$/.test(s))) throw new UsageError(`--topic expects T or T:P[,P], got "${text}"`)
  return {topic, partitions: [...new Set(list.map(Number))]}
}

/** Parses --to-datetime: ISO 8601 (local time when no zone is given, as Kafka's tool). */
export function parseDateTime(text: string): number {
  const ms = Date.parse(text)
  if (!Number.isFinite(ms)) throw new UsageError(`--to-datetime expects an ISO date-time such as 2024-05-01T12:00:00.000, got "${text}"`)
  return ms
}

/** Computes the new offsets; throws KafkaError for a missing topic/partition or a shift without a committed offset. */
export async function planReset(admin: AdminClient, groups: GroupAdmin, groupId: string, specs: TopicSpec[], strategy: ResetStrategy): Promise<ResetRow[]> {
  const topics = await admin.describeTopics([...new Set(specs.map((s) => s.topic))])
  const committed = await groups.committedOffsets(groupId)
  const parts: Array<{topic: string; partition: number; start: bigint; end: bigint}> = []
  for (const spec of specs) {
    const t = topics.find((x) => x.name === spec.topic)!
    const wanted = spec.partitions ?? t.partitions.map((p) => p.partition).sort((a, b) => a - b)
    for (const p of wanted) {
      const d = t.partitions.find((x) => x.partition === p)
      if (!d) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `partition ${p} of topic "${spec.topic}" does not exist`)
      if (d.logStartOffset === null || d.logEndOffset === null) {
        throw new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `cannot read the offsets of ${spec.topic}-${p}: ${d.offsetError ?? 'no leader'}`)
      }
      if (!parts.some((x) => x.topic === spec.topic && x.partition === p)) parts.push({topic: spec.topic, partition: p, start: d.logStartOffset, end: d.logEndOffset})
    }
  }
  const byTime = strategy.kind === 'datetime' ? await admin.listOffsets(parts, BigInt(strategy.ms)) : undefined
  return parts.map((p) => {
    const before = committed.get(tpKey(p.topic, p.partition))?.offset ?? null
    const clamp = (o: bigint): bigint => (o < p.start ? p.start : o > p.end ? p.end : o)
    let after: bigint
    switch (strategy.kind) {
      case 'earliest': after = p.start; break
      case 'latest': after = p.end; break
      case 'offset': after = clamp(strategy.offset); break
      case 'datetime': {
        // No record at or after the time: the end, as Kafka's tool.
        const o = byTime!.get(`${p.topic}:${p.partition}`)?.offset ?? null
        after = o === null || o < 0n ? p.end : o
        break
      }
      case 'shift':
        if (before === null) throw new CommandFailure(`cannot shift ${p.topic}-${p.partition}: group "${groupId}" has no committed offset for it`)
        after = clamp(before + strategy.by)
        break
    }
    return {topic: p.topic, partition: p.partition, before, after}
  })
}

/** Throws unless the group is inactive (Empty or Dead): a live member would overwrite the reset with its next commit. */
export async function requireInactive(groups: GroupAdmin, groupId: string): Promise<void> {
  let state: string
  let members = 0
  try {
    const d = await groups.describeGroup(groupId)
    state = d.state
    members = d.members.length
  } catch (err) {
    if (err instanceof KafkaError && err.code === ErrorCode.GROUP_ID_NOT_FOUND) return
    throw err
  }
  if (members > 0 || (state !== 'Empty' && state !== 'Dead')) {
    throw new KafkaError(ErrorCode.NON_EMPTY_GROUP,
      `offsets of group "${groupId}" can only be reset while it is inactive, but it is ${state} with ${members} member${members === 1 ? '' : 's'}`)
  }
}
