/**
 * The consumer's conversation with its group coordinator: FindCoordinator, a dedicated connection
 * (so a JoinGroup that waits for a rebalance never holds up fetches on the shared broker
 * connection), and the offset APIs OffsetCommit/OffsetFetch with their retry rules.
 * Owned by ConsumerCoordinator; also used directly in assign mode for commits and committed().
 */
import {Cluster, Connection, sleep} from '../client/index.js'
import {ErrorCode, KafkaError} from '../protocol/index.js'
import {tpKey, type TopicPartition} from './types.js'

const OFFSET_COMMIT = 8
const OFFSET_FETCH = 9
const FIND_COORDINATOR = 10

/** Errors after which the coordinator must be looked up again. */
export const COORDINATOR_ERRORS = new Set<number>([
  ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NETWORK_EXCEPTION, ErrorCode.REQUEST_TIMED_OUT,
])

/** Member identity sent with commits (generation -1 and member '' outside a group generation). */
export interface MemberIdentity { generationId: number; memberId: string; groupInstanceId: string | null }

/** Splits a `${topic}-${partition}` key (topics may contain '-'). */
export function parseTpKey(key: string): TopicPartition {
  const i = key.lastIndexOf('-')
  return {topic: key.slice(0, i), partition: Number(key.slice(i + 1))}
}

/** Coordinator lookup and offset requests of one group. */
export class CoordinatorClient {
  private conn: Promise<Connection> | undefined
  private closed = false

  constructor(private readonly cluster: Cluster, readonly groupId: string,
    private readonly opts: {clientId: string; requestTimeoutMs: number; retryBackoffMs: number}) {}

  /** The coordinator connection, looked up and opened on first use. */
  connection(): Promise<Connection> {
    if (this.closed) return Promise.reject(new KafkaError(ErrorCode.NETWORK_EXCEPTION, 'consumer is closed'))
    if (!this.conn) {
      const p = this.lookup()
      this.conn = p
      p.then((c) => c.once('close', () => {
        if (this.conn === p) this.conn = undefined
      }), () => {
        if (this.conn === p) this.conn = undefined
      })
    }
    return this.conn
  }

  /** Forgets the coordinator (after NOT_COORDINATOR and friends); the next request looks it up again. */
  markUnknown(): void {
    const p = this.conn
    this.conn = undefined
    p?.then((c) => c.close(), () => undefined)
  }

  /** Sends a request to the coordinator; coordinator errors in the top-level error code are thrown as KafkaError. */
  async send<T = any>(apiKey: number, body: object, timeoutMs?: number): Promise<T> {
    const conn = await this.connection()
    try {
      return await conn.send<T>(apiKey, body, timeoutMs !== undefined ? {timeoutMs} : {})
    } catch (err) {
      if (err instanceof KafkaError && COORDINATOR_ERRORS.has(err.code)) this.markUnknown()
      throw err
    }
  }

  /** Commits offsets; retries coordinator moves a bounded number of times, throws KafkaError otherwise. */
  async commit(offsets: Map<string, bigint>, member: MemberIdentity): Promise<void> {
    if (offsets.size === 0) return
    const byTopic = new Map<string, object[]>()
    for (const [key, offset] of offsets) {
      const {topic, partition} = parseTpKey(key)
      let parts = byTopic.get(topic)
      if (!parts) byTopic.set(topic, (parts = []))
      parts.push({partitionIndex: partition, committedOffset: offset, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: ''})
    }
    const body = {
      groupId: this.groupId, generationId: member.generationId, memberId: member.memberId,
      groupInstanceId: member.groupInstanceId, retentionTimeMs: -1n,
      topics: [...byTopic].map(([name, partitions]) => ({name, partitions})),
    }
    await this.retrying(`commit offsets of group "${this.groupId}"`, async () => {
      const res = await this.send<any>(OFFSET_COMMIT, body)
      for (const t of res.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== ErrorCode.NONE) throw commitError(p.errorCode, this.groupId, t.name, p.partitionIndex)
        }
      }
    })
  }

  /** Committed offsets (null when none) of the partitions. */
  async fetchCommitted(tps: TopicPartition[]): Promise<Map<string, bigint | null>> {
    const out = new Map<string, bigint | null>()
    if (tps.length === 0) return out
    const byTopic = new Map<string, number[]>()
    for (const tp of tps) {
      let parts = byTopic.get(tp.topic)
      if (!parts) byTopic.set(tp.topic, (parts = []))
      parts.push(tp.partition)
    }
    const topics = [...byTopic].map(([name, partitionIndexes]) => ({name, partitionIndexes}))
    await this.retrying(`fetch committed offsets of group "${this.groupId}"`, async () => {
      const conn = await this.connection()
      const multi = conn.versionFor(OFFSET_FETCH) >= 8
      const body = multi
        ? {groups: [{groupId: this.groupId, topics}], requireStable: false}
        : {groupId: this.groupId, topics, requireStable: false}
      const res = await this.send<any>(OFFSET_FETCH, body)
      const group = multi ? res.groups[0] : res
      if (group.errorCode && group.errorCode !== ErrorCode.NONE) throw commitError(group.errorCode, this.groupId)
      for (const t of group.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== ErrorCode.NONE) throw commitError(p.errorCode, this.groupId, t.name, p.partitionIndex)
          out.set(tpKey(t.name, p.partitionIndex), p.committedOffset >= 0n ? p.committedOffset : null)
        }
      }
    })
    for (const tp of tps) if (!out.has(tpKey(tp.topic, tp.partition))) out.set(tpKey(tp.topic, tp.partition), null)
    return out
  }

  /** Runs `fn`, retrying coordinator errors (and loads in progress) up to 5 times with backoff. */
  async retrying(what: string, fn: () => Promise<void>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn()
      } catch (err) {
        const code = err instanceof KafkaError ? err.code : -1
        const retriable = COORDINATOR_ERRORS.has(code) || code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ||
          code === ErrorCode.UNSTABLE_OFFSET_COMMIT
        if (!retriable || attempt >= 5 || this.closed) throw err
        if (COORDINATOR_ERRORS.has(code)) this.markUnknown()
        await sleep(this.opts.retryBackoffMs * (attempt + 1))
      }
    }
  }

  /** Closes the coordinator connection. */
  close(): void {
    this.closed = true
    this.markUnknown()
  }

  private async lookup(): Promise<Connection> {
    let lastError: Error | undefined
    for (let attempt = 0; attempt < 10 && !this.closed; attempt++) {
      if (attempt > 0) await sleep(Math.min(1000, this.opts.retryBackoffMs * attempt))
      try {
        const any = await this.cluster.anyConnection()
        const v4 = any.versionFor(FIND_COORDINATOR) >= 4
        const res = await any.send<any>(FIND_COORDINATOR, v4 ? {keyType: 0, coordinatorKeys: [this.groupId]} : {key: this.groupId, keyType: 0})
        const c = v4 ? res.coordinators[0] : res
        if (c.errorCode !== ErrorCode.NONE) {
          lastError = new KafkaError(c.errorCode, `cannot find the coordinator of group "${this.groupId}": ${ErrorCode[c.errorCode]}`)
          if (c.errorCode === ErrorCode.GROUP_AUTHORIZATION_FAILED || c.errorCode === ErrorCode.INVALID_REQUEST) throw lastError
          continue
        }
        return await Connection.connect({host: c.host, port: c.port, clientId: this.opts.clientId, requestTimeoutMs: this.opts.requestTimeoutMs})
      } catch (err) {
        lastError = err as Error
        if (err instanceof KafkaError && !COORDINATOR_ERRORS.has(err.code) && err.code !== ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) throw err
      }
    }
    throw lastError ?? new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `cannot find the coordinator of group "${this.groupId}"`)
  }
}

/** A KafkaError for a failed commit/offset fetch naming the group (and partition). */
export function commitError(code: number, groupId: string, topic?: string, partition?: number): KafkaError {
  const where = topic !== undefined ? ` for ${topic}-${partition}` : ''
  switch (code) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
      return new KafkaError(code, `topic "${topic}" does not exist`)
    case ErrorCode.ILLEGAL_GENERATION:
    case ErrorCode.UNKNOWN_MEMBER_ID:
    case ErrorCode.REBALANCE_IN_PROGRESS:
      return new KafkaError(code, `commit failed${where}: group "${groupId}" rebalanced (${ErrorCode[code]}); the partitions may now belong to another member`)
    default:
      return new KafkaError(code, `offset request of group "${groupId}"${where} failed: ${ErrorCode[code] ?? code}`)
  }
}
