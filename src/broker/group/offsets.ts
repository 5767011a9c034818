/**
 * Committed offsets of groups (Kafka's offset side of the GroupMetadataManager): commits checked
 * against the group's generation and members -- or "simple" commits (generation -1) by clients that
 * only store offsets, allowed while the group is Empty -- written to __consumer_offsets before
 * they are visible; fetches; OffsetDelete; and retention (offsets.retention.minutes counted from
 * when the group became empty, or from the commit for groups without a protocol).
 */
import {ErrorCode} from '../../protocol/index.js'
import type {GroupCoordinator} from './coordinator.js'
import {GroupMetadata, GroupState, type CommittedOffset} from './group-metadata.js'
import {groupMetadataKey, offsetCommitKey, offsetCommitValue} from './records.js'
import type {StoreRecord} from './offsets-topic.js'

/** An OffsetCommit as the coordinator sees it (unknown topics already filtered out by the handler). */
export interface CommitRequest {
  groupId: string; memberId: string; groupInstanceId: string | null; generationId: number
  /** OffsetCommit v2-v4 retention; -1 = the broker's offsets.retention.minutes. */
  retentionTimeMs: number
  offsets: {topic: string; partition: number; offset: bigint; leaderEpoch: number; metadata: string | null}[]
}

/** One partition of an OffsetFetch answer. */
export interface FetchedPartition { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; metadata: string; errorCode: number }

/** OffsetFetch for one group. */
export interface FetchResult { errorCode: number; topics: {name: string; partitions: FetchedPartition[]}[] }

/** Validates the commit against the group, then stores and applies it. */
export function commitOffsets(coord: GroupCoordinator, req: CommitRequest): number[] {
  const fail = (code: number) => req.offsets.map(() => code)
  let group = coord.group(req.groupId)
  if (!group) {
    // No group: fine for a client that only stores offsets; otherwise a member of a long gone generation.
    if (req.generationId >= 0) return fail(ErrorCode.ILLEGAL_GENERATION)
    group = new GroupMetadata(req.groupId, coord.clock.now())
    coord.groups.set(req.groupId, group)
  }
  if (group.is(GroupState.Dead)) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE)
  if (group.isStaticMemberFenced(req.memberId, req.groupInstanceId)) return fail(ErrorCode.FENCED_INSTANCE_ID)
  if (!(req.generationId < 0 && group.is(GroupState.Empty))) {
    const member = group.members.get(req.memberId)
    if (!member) return fail(ErrorCode.UNKNOWN_MEMBER_ID)
    if (req.generationId !== group.generationId) return fail(ErrorCode.ILLEGAL_GENERATION)
    // A member gets its generation only with its assignment, so a commit now is out of turn.
    if (group.is(GroupState.CompletingRebalance)) return fail(ErrorCode.REBALANCE_IN_PROGRESS)
    coord.scheduleHeartbeat(group, member)
  }
  return doCommit(coord, group, req)
}

function doCommit(coord: GroupCoordinator, group: GroupMetadata, req: CommitRequest): number[] {
  const now = coord.clock.now()
  const expireTimestamp = req.retentionTimeMs >= 0 ? now + req.retentionTimeMs : -1
  const errors: number[] = []
  const records: StoreRecord[] = []
  const accepted: [number, CommittedOffset][] = []
  req.offsets.forEach((o, i) => {
    const metadata = o.metadata ?? ''
    if (Buffer.byteLength(metadata) > coord.config.offsetMetadataMaxBytes) {
      errors.push(ErrorCode.OFFSET_METADATA_TOO_LARGE)
      return
    }
    errors.push(ErrorCode.NONE)
    const c: CommittedOffset = {offset: o.offset, leaderEpoch: o.leaderEpoch, metadata, commitTimestamp: now, expireTimestamp}
    accepted.push([i, c])
    records.push({
      key: offsetCommitKey(group.groupId, o.topic, o.partition),
      value: offsetCommitValue({offset: c.offset, leaderEpoch: c.leaderEpoch, metadata, commitTimestamp: BigInt(now), expireTimestamp: BigInt(expireTimestamp)}),
    })
  })
  try {
    coord.store.append(group.groupId, records, now)
  } catch {
    for (const [i] of accepted) errors[i] = ErrorCode.COORDINATOR_NOT_AVAILABLE
    return errors
  }
  for (const [i, c] of accepted) group.setOffset(req.offsets[i].topic, req.offsets[i].partition, c)
  return errors
}

const NO_OFFSET = (partitionIndex: number): FetchedPartition =>
  ({partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE})

/** The group's committed offsets: the requested partitions (-1 when none) or, for null, all of them. */
export function fetchOffsets(coord: GroupCoordinator, groupId: string, topics: {name: string; partitionIndexes: number[]}[] | null): FetchResult {
  const group = coord.group(groupId)
  const toFetched = (p: number, o: CommittedOffset | undefined): FetchedPartition => o === undefined ? NO_OFFSET(p)
    : {partitionIndex: p, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: ErrorCode.NONE}
  if (topics === null) {
    if (!group) return {errorCode: ErrorCode.NONE, topics: []}
    return {
      errorCode: ErrorCode.NONE,
      topics: [...group.offsets].map(([name, parts]) => ({name, partitions: [...parts].map(([p, o]) => toFetched(p, o))})),
    }
  }
  return {
    errorCode: ErrorCode.NONE,
    topics: topics.map((t) => ({name: t.name, partitions: t.partitionIndexes.map((p) => toFetched(p, group?.offset(t.name, p)))})),
  }
}

/** OffsetDelete (KIP-496): an empty group loses any offsets; a live consumer group only those of topics it no longer subscribes to. */
export function deleteOffsets(coord: GroupCoordinator, groupId: string, partitions: {topic: string; partition: number}[]): {errorCode: number; errors: number[]} {
  const group = coord.group(groupId)
  if (!group || group.is(GroupState.Dead)) return {errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errors: []}
  let subscribed: Set<string> | null = new Set()
  if (!group.is(GroupState.Empty)) {
    if (group.protocolType !== 'consumer') return {errorCode: ErrorCode.NON_EMPTY_GROUP, errors: []}
    subscribed = group.subscribedTopics()
  }
  const errors = partitions.map((p) => (subscribed === null || subscribed.has(p.topic) ? ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC : ErrorCode.NONE))
  const doomed = partitions.filter((p, i) => errors[i] === ErrorCode.NONE && group.offset(p.topic, p.partition) !== undefined)
  try {
    removeOffsets(coord, group, doomed)
  } catch {
    return {errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errors: []}
  }
  return {errorCode: ErrorCode.NONE, errors}
}

/** Writes tombstones for the partitions' offsets, then drops them from the group. */
function removeOffsets(coord: GroupCoordinator, group: GroupMetadata, partitions: {topic: string; partition: number}[], extra: StoreRecord[] = []): void {
  const records = partitions.map((p) => ({key: offsetCommitKey(group.groupId, p.topic, p.partition), value: null}))
  coord.store.append(group.groupId, [...records, ...extra], coord.clock.now())
  for (const p of partitions) group.deleteOffset(p.topic, p.partition)
}

/**
 * Retention as Kafka 2.1+ (KIP-211): offsets of an Empty group expire offsets.retention.minutes
 * after it became empty; a Stable consumer group keeps offsets of subscribed topics; a group
 * without a protocol (only simple commits) counts from each commit; an explicit expire timestamp
 * (OffsetCommit v2-v4 retention) wins. An Empty group left without offsets is removed.
 * Returns the number of offsets removed.
 */
export function removeExpiredOffsets(coord: GroupCoordinator, group: GroupMetadata): number {
  const now = coord.clock.now()
  const retention = coord.config.offsetsRetentionMs
  let base: ((o: CommittedOffset) => number) | null = null
  let keep: Set<string> = new Set()
  if (group.protocolType === null) base = (o) => o.commitTimestamp
  else if (group.is(GroupState.Empty)) base = () => group.currentStateTimestamp
  else if (group.protocolType === 'consumer' && group.is(GroupState.Stable)) {
    const subscribed = group.subscribedTopics()
    if (subscribed !== null) {
      base = (o) => o.commitTimestamp
      keep = subscribed
    }
  }
  const expired: {topic: string; partition: number}[] = []
  if (base !== null) {
    for (const [topic, parts] of group.offsets) {
      if (keep.has(topic)) continue
      for (const [partition, o] of parts) {
        const gone = o.expireTimestamp >= 0 ? now >= o.expireTimestamp : now - base(o) >= retention
        if (gone) expired.push({topic, partition})
      }
    }
  }
  const dies = group.is(GroupState.Empty) && group.size === 0 && group.pendingMembers.size === 0 && countOffsets(group) === expired.length
  if (expired.length === 0 && !dies) return 0
  const tombstone = dies ? [{key: groupMetadataKey(group.groupId), value: null}] : []
  removeOffsets(coord, group, expired, tombstone)
  if (dies) {
    group.transitionTo(GroupState.Dead, now)
    coord.groups.delete(group.groupId)
  }
  return expired.length
}

function countOffsets(group: GroupMetadata): number {
  let n = 0
  for (const parts of group.offsets.values()) n += parts.size
  return n
}
