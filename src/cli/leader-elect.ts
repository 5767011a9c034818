/**
 * `samsa leader elect`: reads every chosen partition's leader (Metadata), runs ElectLeaders, waits
 * briefly until Metadata shows the new leaders, and returns one row per partition with the leader
 * before and after and the outcome.
 */
import {sleep} from '../client/cluster.js'
import type {AdminClient, ElectionType, TopicDescription} from '../client/admin.js'
import {electionOutcome} from './partition-status.js'

/** One partition's line of the election report. */
export interface ElectionRow {
  topic: string; partition: number; replicas: number[]; isr: number[]
  leaderBefore: number; leaderAfter: number; error: string; outcome: string; ok: boolean
}

/** Which partitions: every one, a topic, or one partition of it. */
export type ElectionSelection = {all: true} | {all: false; topic: string; partition?: number}

type Leaders = Map<string, {leader: number; replicas: number[]; isr: number[]}>

async function leaders(admin: AdminClient, topics: string[]): Promise<Leaders> {
  const out: Leaders = new Map()
  const described: TopicDescription[] = topics.length === 0 ? [] : await admin.describeTopics(topics, {offsets: false})
  for (const t of described) for (const p of t.partitions) out.set(`${t.name}:${p.partition}`, {leader: p.leader, replicas: p.replicas, isr: p.isr})
  return out
}

/** Runs the election and builds the report; `settleMs` bounds the wait for Metadata to show the new leaders. */
export async function runLeaderElection(admin: AdminClient, type: ElectionType, sel: ElectionSelection, settleMs = 3000): Promise<ElectionRow[]> {
  const topics = sel.all ? (await admin.listTopics({internal: true})).map((t) => t.name) : [sel.topic]
  const before = await leaders(admin, topics)
  let partitions: {topic: string; partition: number}[] | null = null
  if (!sel.all) {
    partitions = [...before.keys()].map((k) => ({topic: sel.topic, partition: Number(k.slice(k.lastIndexOf(':') + 1))}))
      .filter((p) => sel.partition === undefined || p.partition === sel.partition)
    if (sel.partition !== undefined && partitions.length === 0) partitions = [{topic: sel.topic, partition: sel.partition}]
  }
  const results = await admin.electLeaders(type, partitions)
  const elected = results.filter((r) => r.errorCode === 0)
  let after = before
  // Metadata follows the controller's commit a little later on every node: poll (bounded) until it shows the change.
  const deadline = Date.now() + settleMs
  for (;;) {
    after = await leaders(admin, [...new Set(results.map((r) => r.topic))].filter((t) => topics.includes(t)))
    const settled = elected.every((r) => {
      const k = `${r.topic}:${r.partition}`
      const a = after.get(k)
      const b = before.get(k)
      if (!a) return true
      return type === 'preferred' ? a.leader === a.replicas[0] : a.leader !== b?.leader && a.leader >= 0
    })
    if (settled || Date.now() >= deadline) break
    await sleep(200)
  }
  return results.map((r) => {
    const k = `${r.topic}:${r.partition}`
    const b = before.get(k)
    const a = after.get(k) ?? b
    const {outcome, ok} = electionOutcome(r.errorCode, type, b?.replicas[0], r.errorMessage)
    return {
      topic: r.topic, partition: r.partition, replicas: a?.replicas ?? [], isr: a?.isr ?? [],
      leaderBefore: b?.leader ?? -1, leaderAfter: a?.leader ?? -1, error: r.error, outcome, ok,
    }
  })
}
