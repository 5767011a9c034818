/**
 * Consumer group administration for `samsa group ...`: ListGroups on every broker, DescribeGroups
 * with the members' assignments decoded (consumer protocol), committed offsets (OffsetFetch of all
 * topics) joined with log end offsets into a lag table, offset commits outside any generation (for
 * reset-offsets) and DeleteGroups. Each group's requests go to its coordinator (FindCoordinator),
 * with the consumer engine's CoordinatorClient doing the lookup and the retries.
 */
import type {AdminClient} from '../client/admin.js'
import {CoordinatorClient} from '../consumer/coordinator-client.js'
import {decodeAssignment, tpKey, type TopicPartition} from '../consumer/index.js'
import {ErrorCode, KafkaError, errorInfo} from '../protocol/index.js'

const OFFSET_FETCH = 9
const DESCRIBE_GROUPS = 15
const LIST_GROUPS = 16
const DELETE_GROUPS = 42

/** One group as ListGroups reports it. */
export interface GroupListing { groupId: string; protocolType: string; state: string | null }

/** A live member of a group with the partitions assigned to it. */
export interface GroupMember {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  host: string
  partitions: TopicPartition[]
}

/** One partition of a group: committed offset, log end and lag, and the member that owns it. */
export interface GroupPartition {
  topic: string
  partition: number
  committed: bigint | null
  logEnd: bigint | null
  lag: bigint | null
  memberId: string | null
  clientId: string | null
  host: string | null
}

/** A described group. */
export interface GroupDescription {
  groupId: string
  state: string
  protocolType: string
  protocol: string
  members: GroupMember[]
  partitions: GroupPartition[]
}

/** Group operations over an AdminClient's cluster. */
export class GroupAdmin {
  private readonly coordinators = new Map<string, CoordinatorClient>()

  constructor(private readonly admin: AdminClient, private readonly opts: {clientId: string; requestTimeoutMs: number; retryBackoffMs: number}) {}

  /** Every group of every broker, sorted by id. */
  async listGroups(): Promise<GroupListing[]> {
    const md = await this.admin.cluster.refreshMetadata([])
    const seen = new Map<string, GroupListing>()
    await Promise.all([...md.brokers.keys()].map(async (node) => {
      const conn = await this.admin.cluster.connectionTo(node)
      const res = await conn.send<any>(LIST_GROUPS, {statesFilter: []})
      if (res.errorCode !== ErrorCode.NONE) throw new KafkaError(res.errorCode, `cannot list groups on broker ${node}: ${errorInfo(res.errorCode).name}`)
      for (const g of res.groups) seen.set(g.groupId, {groupId: g.groupId, protocolType: g.protocolType, state: g.groupState ?? null})
    }))
    return [...seen.values()].sort((a, b) => a.groupId.localeCompare(b.groupId))
  }

  /** State, members and per-partition offsets/lag of a group; GROUP_ID_NOT_FOUND when it does not exist. */
  async describeGroup(groupId: string): Promise<GroupDescription> {
    const coordinator = this.coordinator(groupId)
    let g: any
    await coordinator.retrying(`describe group "${groupId}"`, async () => {
      const res = await coordinator.send<any>(DESCRIBE_GROUPS, {groups: [groupId], includeAuthorizedOperations: false})
      g = res.groups[0]
      if (g.errorCode !== ErrorCode.NONE) throw groupError(g.errorCode, groupId, 'describe')
    })
    const members: GroupMember[] = (g.members as any[]).map((m) => ({
      memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null, clientId: m.clientId, host: m.clientHost,
      partitions: g.protocolType === 'consumer' && m.memberAssignment?.length > 0 ? safeAssignment(m.memberAssignment) : [],
    }))
    const committed = await this.committedOffsets(groupId)
    if (g.groupState === 'Dead' && members.length === 0 && committed.size === 0) {
      throw new KafkaError(ErrorCode.GROUP_ID_NOT_FOUND, `group "${groupId}" does not exist`)
    }
    const owner = new Map<string, GroupMember>()
    const parts = new Map<string, TopicPartition>()
    for (const m of members) for (const tp of m.partitions) {
      owner.set(tpKey(tp.topic, tp.partition), m)
      parts.set(tpKey(tp.topic, tp.partition), tp)
    }
    for (const c of committed.values()) parts.set(tpKey(c.topic, c.partition), c)
    const sorted = [...parts.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition))
    const ends = sorted.length > 0 ? await this.admin.listOffsets(sorted, -1n) : new Map()
    const partitions = sorted.map((tp): GroupPartition => {
      const k = tpKey(tp.topic, tp.partition)
      const c = committed.get(k)?.offset ?? null
      const end = ends.get(`${tp.topic}:${tp.partition}`)?.offset ?? null
      const m = owner.get(k)
      return {
        topic: tp.topic, partition: tp.partition, committed: c, logEnd: end,
        lag: c !== null && end !== null ? (end > c ? end - c : 0n) : null,
        memberId: m?.memberId ?? null, clientId: m?.clientId ?? null, host: m?.host ?? null,
      }
    })
    return {groupId, state: g.groupState, protocolType: g.protocolType, protocol: g.protocolData, members, partitions}
  }

  /** Committed offsets of every partition the group has committed for, keyed `${topic}-${partition}`. */
  async committedOffsets(groupId: string): Promise<Map<string, {topic: string; partition: number; offset: bigint}>> {
    const coordinator = this.coordinator(groupId)
    const out = new Map<string, {topic: string; partition: number; offset: bigint}>()
    await coordinator.retrying(`fetch offsets of group "${groupId}"`, async () => {
      const conn = await coordinator.connection()
      const multi = conn.versionFor(OFFSET_FETCH) >= 8
      const body = multi ? {groups: [{groupId, topics: null}], requireStable: false} : {groupId, topics: null, requireStable: false}
      const res = await coordinator.send<any>(OFFSET_FETCH, body)
      const group = multi ? res.groups[0] : res
      if (group.errorCode) throw groupError(group.errorCode, groupId, 'fetch offsets of')
      for (const t of group.topics) for (const p of t.partitions) {
        if (p.errorCode === ErrorCode.NONE && p.committedOffset >= 0n) {
          out.set(tpKey(t.name, p.partitionIndex), {topic: t.name, partition: p.partitionIndex, offset: p.committedOffset})
        }
      }
    })
    return out
  }

  /** Commits offsets as an admin (generation -1, no member): only accepted for a group without members. */
  async commitOffsets(groupId: string, offsets: Map<string, bigint>): Promise<void> {
    await this.coordinator(groupId).commit(offsets, {generationId: -1, memberId: '', groupInstanceId: null})
  }

  /** Deletes a group and its offsets; NON_EMPTY_GROUP while it has members. */
  async deleteGroup(groupId: string): Promise<void> {
    const coordinator = this.coordinator(groupId)
    await coordinator.retrying(`delete group "${groupId}"`, async () => {
      const res = await coordinator.send<any>(DELETE_GROUPS, {groupsNames: [groupId]})
      const r = res.results[0]
      if (r.errorCode !== ErrorCode.NONE) throw groupError(r.errorCode, groupId, 'delete')
    })
  }

  /** Closes the coordinator connections (the AdminClient is closed by its owner). */
  close(): void {
    for (const c of this.coordinators.values()) c.close()
    this.coordinators.clear()
  }

  private coordinator(groupId: string): CoordinatorClient {
    let c = this.coordinators.get(groupId)
    if (!c) this.coordinators.set(groupId, (c = new CoordinatorClient(this.admin.cluster, groupId, this.opts)))
    return c
  }
}

function safeAssignment(buf: Buffer): TopicPartition[] {
  try {
    return decodeAssignment(buf).partitions
  } catch {
    return [] // a member of a non-standard client: show it without partitions rather than fail
  }
}

/** A KafkaError naming the group, with readable wording for the common cases. */
export function groupError(code: number, groupId: string, action: string): KafkaError {
  if (code === ErrorCode.GROUP_ID_NOT_FOUND) return new KafkaError(code, `group "${groupId}" does not exist`)
  if (code === ErrorCode.NON_EMPTY_GROUP) return new KafkaError(code, `cannot ${action} group "${groupId}": it has active members`)
  // Retriable coordinator errors keep their code so CoordinatorClient.retrying() retries them.
  return new KafkaError(code, `cannot ${action} group "${groupId}": ${errorInfo(code).name}`)
}

/** A GroupAdmin with the request settings of client properties (client.id, request.timeout.ms, retry.backoff.ms). */
export function groupAdminFor(admin: AdminClient, props: Record<string, string>): GroupAdmin {
  const num = (k: string, d: number): number => (props[k] !== undefined && Number.isFinite(Number(props[k])) ? Number(props[k]) : d)
  return new GroupAdmin(admin, {clientId: props['client.id'] ?? 'samsa', requestTimeoutMs: num('request.timeout.ms', 30_000), retryBackoffMs: num('retry.backoff.ms', 100)})
}
