/**
 * ListOffsets (2) for the admin client: groups partitions by leader, asks each leader once, and
 * reports per-partition failures instead of failing the whole call. Separate from the topic
 * operations because it fans out to partition leaders rather than going to the controller, and
 * because commands (log dirs, group offsets) use it on its own.
 */
import type {Cluster} from './cluster.js'
import type {Connection} from './connection.js'
import {ErrorCode, KafkaError, errorInfo} from '../protocol/index.js'

const LIST_OFFSETS = 2

/** One partition's answer: offset null (with the error's name) when it could not be read. */
export interface ListedOffset { offset: bigint | null; timestamp: bigint; error?: string }

/** Reads offsets by timestamp spec (-2 earliest, -1 latest, -3 max timestamp, or ms); keyed "topic:partition". */
export async function listOffsets(cluster: Cluster, requests: Array<{topic: string; partition: number}>, timestamp: bigint): Promise<Map<string, ListedOffset>> {
  const out = new Map<string, ListedOffset>()
  const byLeader = new Map<number, Array<{topic: string; partition: number}>>()
  for (const r of requests) {
    let leader: number
    try {
      leader = await cluster.leaderFor(r.topic, r.partition)
    } catch (err) {
      out.set(`${r.topic}:${r.partition}`, {offset: null, timestamp: -1n, error: (err as KafkaError).name})
      continue
    }
    const list = byLeader.get(leader) ?? []
    list.push(r)
    byLeader.set(leader, list)
  }
  await Promise.all([...byLeader].map(async ([leader, parts]) => {
    let conn: Connection
    let res: any
    try {
      conn = await cluster.connectionTo(leader)
      res = await conn.send(LIST_OFFSETS, listOffsetsBody(parts, timestamp))
    } catch (err) {
      // One unreachable leader must not hide the offsets the other leaders returned.
      const error = err instanceof KafkaError ? err.name : 'UNKNOWN_SERVER_ERROR'
      for (const p of parts) out.set(`${p.topic}:${p.partition}`, {offset: null, timestamp: -1n, error})
      return
    }
    for (const t of res.topics as any[]) {
      for (const p of t.partitions as any[]) {
        const key = `${t.name}:${p.partitionIndex}`
        if (p.errorCode !== ErrorCode.NONE) {
          out.set(key, {offset: null, timestamp: -1n, error: errorInfo(p.errorCode).name})
          continue
        }
        // v0 answers a list of offsets instead of one.
        const offset = conn.versionFor(LIST_OFFSETS) === 0 ? (p.oldStyleOffsets?.[0] ?? null) : p.offset
        out.set(key, {offset, timestamp: p.timestamp ?? -1n})
      }
    }
  }))
  return out
}

function listOffsetsBody(parts: Array<{topic: string; partition: number}>, timestamp: bigint): object {
  const byTopic = new Map<string, number[]>()
  for (const p of parts) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition])
  return {
    replicaId: -1,
    isolationLevel: 0,
    topics: [...byTopic].map(([name, partitions]) => ({
      name,
      partitions: partitions.map((partitionIndex) => ({partitionIndex, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1})),
    })),
  }
}
