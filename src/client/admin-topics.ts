/**
 * The admin client's topic operations: CreateTopics (19), DeleteTopics (20), CreatePartitions (37)
 * on the controller, plus listing and describing topics from Metadata with log start/end offsets.
 * AdminClient exposes them as methods; they live here to keep admin.ts small.
 */
import {ZERO_UUID, type PartitionMetadata, type TopicMetadata} from './cluster.js'
import {ErrorCode} from '../protocol/index.js'
import {topicError} from './errors.js'
import {throwIfRefreshNeeded, type AdminDriver} from './admin-driver.js'
import {listOffsets} from './admin-offsets.js'

const CREATE_TOPICS = 19
const DELETE_TOPICS = 20
const CREATE_PARTITIONS = 37

/** A topic to create. */
export interface NewTopic {
  name: string
  numPartitions?: number
  replicationFactor?: number
  configs?: Record<string, string>
  /** Explicit replica assignment per partition (replaces numPartitions/replicationFactor). */
  assignments?: number[][]
}

/** What the broker reports back for a created topic (v5+ fills partitions/configs). */
export interface CreatedTopic {
  name: string
  topicId: string
  numPartitions: number
  replicationFactor: number
  configs: Array<{name: string; value: string | null}>
}

/** One line of a topic listing. */
export interface TopicListing { name: string; topicId: string; partitions: number; internal: boolean }

/** One partition of a described topic: its placement as Metadata gives it, and its offsets. */
export interface PartitionDescription extends Omit<PartitionMetadata, 'errorCode'> {
  logStartOffset: bigint | null
  logEndOffset: bigint | null
  /** Name of the error that kept offsets from being read, if any. */
  offsetError?: string
}

/** A topic with its partitions and their offsets. */
export interface TopicDescription {
  name: string
  topicId: string
  internal: boolean
  partitions: PartitionDescription[]
}

/** CreateTopics on the controller; TOPIC_ALREADY_EXISTS is skipped when ifNotExists is set. */
export async function createTopics(driver: AdminDriver, topics: NewTopic[], opts: {validateOnly?: boolean; ifNotExists?: boolean}): Promise<CreatedTopic[]> {
  const body = await driver.withRetry(async () => {
    const conn = await driver.cluster.controllerConnection()
    // -1 means "the broker's num.partitions / default.replication.factor", understood from v4 on.
    const brokerDefault = conn.versionFor(CREATE_TOPICS) >= 4 ? -1 : 1
    const res = await conn.send(CREATE_TOPICS, {
      topics: topics.map((t) => ({
        name: t.name,
        numPartitions: t.assignments ? -1 : t.numPartitions ?? brokerDefault,
        replicationFactor: t.assignments ? -1 : t.replicationFactor ?? brokerDefault,
        assignments: (t.assignments ?? []).map((brokerIds, partitionIndex) => ({partitionIndex, brokerIds})),
        configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({name, value})),
      })),
      timeoutMs: driver.serverTimeoutMs(),
      validateOnly: opts.validateOnly ?? false,
    })
    throwIfRefreshNeeded(res.topics)
    return res
  })
  const created: CreatedTopic[] = []
  for (const t of body.topics as any[]) {
    if (t.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS && opts.ifNotExists) continue
    if (t.errorCode !== ErrorCode.NONE) throw topicError(t.errorCode, t.name, t.errorMessage, 'create')
    const asked = topics.find((x) => x.name === t.name)
    created.push({
      name: t.name,
      topicId: t.topicId ?? ZERO_UUID,
      // Brokers before v5 do not echo the layout; report what was asked for.
      numPartitions: t.numPartitions > 0 ? t.numPartitions : asked?.assignments?.length ?? asked?.numPartitions ?? -1,
      replicationFactor: t.replicationFactor > 0 ? t.replicationFactor : asked?.assignments?.[0]?.length ?? asked?.replicationFactor ?? -1,
      configs: (t.configs ?? []).map((c: any) => ({name: c.name, value: c.value})),
    })
  }
  return created
}

/** Topic names from a full Metadata refresh (internal topics only when asked), sorted. */
export async function listTopics(driver: AdminDriver, opts: {internal?: boolean}): Promise<TopicListing[]> {
  const md = await driver.withRetry(() => driver.cluster.refreshMetadata(null))
  return [...md.topics.values()]
    .filter((t) => t.errorCode === ErrorCode.NONE && (opts.internal || !t.internal))
    .map((t) => ({name: t.name, topicId: t.topicId, partitions: t.partitions.length, internal: t.internal}))
    .sort((a, b) => a.name.localeCompare(b.name))
}

/** Topics from Metadata with each partition's placement, and log start/end offsets unless offsets is false. */
export async function describeTopics(driver: AdminDriver, names: string[], opts: {offsets?: boolean}): Promise<TopicDescription[]> {
  const md = await driver.withRetry(() => driver.cluster.refreshMetadata(names))
  const topics: TopicMetadata[] = names.map((name) => {
    const t = md.topics.get(name)
    if (!t || t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw topicError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name)
    if (t.errorCode !== ErrorCode.NONE) throw topicError(t.errorCode, name, null, 'describe')
    return t
  })
  const result: TopicDescription[] = topics.map((t) => ({
    name: t.name, topicId: t.topicId, internal: t.internal,
    partitions: t.partitions.map((p) => ({
      partition: p.partition, leader: p.leader, leaderEpoch: p.leaderEpoch, replicas: p.replicas,
      isr: p.isr, offline: p.offline, logStartOffset: null, logEndOffset: null,
    })),
  }))
  if (opts.offsets !== false) await fillOffsets(driver, result)
  return result
}

/** CreatePartitions on the controller: grows `topic` to `totalCount` partitions. */
export async function createPartitions(driver: AdminDriver, topic: string, totalCount: number, opts: {validateOnly?: boolean}): Promise<void> {
  const body = await driver.withRetry(async () => {
    const conn = await driver.cluster.controllerConnection()
    const res = await conn.send(CREATE_PARTITIONS, {
      topics: [{name: topic, count: totalCount, assignments: null}],
      timeoutMs: driver.serverTimeoutMs(),
      validateOnly: opts.validateOnly ?? false,
    })
    throwIfRefreshNeeded(res.results)
    return res
  })
  for (const r of body.results as any[]) {
    if (r.errorCode !== ErrorCode.NONE) throw topicError(r.errorCode, r.name, r.errorMessage, 'add partitions to')
  }
}

/** DeleteTopics on the controller; throws after the request when any topic could not be deleted. */
export async function deleteTopics(driver: AdminDriver, names: string[]): Promise<void> {
  const body = await driver.withRetry(async () => {
    const conn = await driver.cluster.controllerConnection()
    const res = await conn.send(DELETE_TOPICS, {
      topicNames: names,
      topics: names.map((name) => ({name, topicId: ZERO_UUID})),
      timeoutMs: driver.serverTimeoutMs(),
    })
    throwIfRefreshNeeded(res.responses)
    return res
  })
  for (const r of body.responses as any[]) {
    if (r.errorCode !== ErrorCode.NONE) throw topicError(r.errorCode, r.name, r.errorMessage, 'delete')
  }
}

async function fillOffsets(driver: AdminDriver, topics: TopicDescription[]): Promise<void> {
  const parts = topics.flatMap((t) => t.partitions.map((p) => ({topic: t.name, partition: p.partition})))
  if (parts.length === 0) return
  // Earliest and latest must be separate requests: a broker rejects a partition listed twice.
  const [earliest, latest] = await Promise.all([listOffsets(driver.cluster, parts, -2n), listOffsets(driver.cluster, parts, -1n)])
  for (const t of topics) {
    for (const p of t.partitions) {
      const e = earliest.get(`${t.name}:${p.partition}`)
      const l = latest.get(`${t.name}:${p.partition}`)
      p.logStartOffset = e?.offset ?? null
      p.logEndOffset = l?.offset ?? null
      const error = e?.error ?? l?.error
      if (error) p.offsetError = error
    }
  }
}
