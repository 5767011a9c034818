/**
 * Initialises fetch positions: committed offsets first (when a group id is set), then resets by
 * ListOffsets per auto.offset.reset or an explicit seek target. Kafka's updateFetchPositions.
 */
import {ErrorCode, KafkaError} from '../protocol/index.js'
import type {CoordinatorClient} from './coordinator-client.js'
import {EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, type OffsetFetcher} from './offset-fetcher.js'
import type {SubscriptionState, TopicPartitionState} from './subscription-state.js'
import type {TopicPartition} from './types.js'

/** ListOffsets timestamp for a reset target. */
function resetTimestamp(reset: NonNullable<TopicPartitionState['reset']>): bigint {
  if (reset === 'earliest') return EARLIEST_TIMESTAMP
  if (reset === 'latest') return LATEST_TIMESTAMP
  if (reset === 'none') throw new Error('unreachable: reset none has no timestamp')
  return BigInt(reset.timestamp)
}

/** Gives every assigned partition a position; throws when auto.offset.reset=none leaves one without. */
export async function updateFetchPositions(subs: SubscriptionState, offsets: OffsetFetcher, group: CoordinatorClient | undefined): Promise<void> {
  const missing = subs.missingPositions()
  if (missing.length > 0) {
    const committed = group ? await group.fetchCommitted(missing.map((s) => ({topic: s.topic, partition: s.partition}))) : undefined
    for (const s of missing) {
      if (subs.stateByKey(s.key) !== s || s.position !== null) continue
      const offset = committed?.get(s.key)
      if (offset !== undefined && offset !== null) s.seek(offset)
      else s.reset = subs.defaultReset
    }
  }
  const resets = subs.pendingResets()
  if (resets.length === 0) return
  for (const s of resets) {
    if (s.reset === 'none') {
      s.reset = undefined
      throw new KafkaError(ErrorCode.OFFSET_OUT_OF_RANGE,
        `no committed offset for ${s.topic}-${s.partition}${group ? ` in group "${group.groupId}"` : ''} and auto.offset.reset is none`)
    }
  }
  const targets = new Map(resets.map((s) => [s.key, s.reset!] as const))
  const result = await offsets.listOffsets(new Map(resets.map((s) => [s.key, {tp: {topic: s.topic, partition: s.partition}, timestamp: resetTimestamp(s.reset!)}])))
  const toEnd: TopicPartitionState[] = []
  for (const s of resets) {
    // Skip partitions that were revoked or seeked elsewhere while ListOffsets was out.
    if (subs.stateByKey(s.key) !== s || s.reset !== targets.get(s.key)) continue
    const r = result.get(s.key)
    if (!r) continue
    if (r.offset < 0n) toEnd.push(s) // no record at or after the timestamp: the end, like kcat and Kafka's tools
    else s.seek(r.offset)
  }
  if (toEnd.length > 0) {
    const ends = await offsets.listOffsets(new Map(toEnd.map((s) => [s.key, {tp: {topic: s.topic, partition: s.partition}, timestamp: LATEST_TIMESTAMP}])))
    for (const s of toEnd) {
      const r = ends.get(s.key)
      if (r && subs.stateByKey(s.key) === s) s.seek(r.offset)
    }
  }
}

/** Log start or end offsets of arbitrary partitions (not necessarily assigned). */
export async function listEdgeOffsets(offsets: OffsetFetcher, tps: TopicPartition[], timestamp: bigint): Promise<Map<string, bigint>> {
  const res = await offsets.listOffsets(new Map(tps.map((tp) => [`${tp.topic}-${tp.partition}`, {tp, timestamp}])))
  return new Map([...res].map(([k, v]) => [k, v.offset]))
}
