/**
 * CooperativeStickyAssignor: a balanced assignment that keeps as many of each member's owned
 * partitions as balance allows, used with the COOPERATIVE protocol (KIP-429): the leader later
 * withholds partitions that change owner for one round so the old owner revokes them first.
 */
import {emptyAssignment, sortMembers, type MemberSubscription, type PartitionAssignor} from './types.js'
import {sortPartitions, tpKey, type TopicPartition} from '../types.js'

/** Kafka's "cooperative-sticky" assignor. */
export class CooperativeStickyAssignor implements PartitionAssignor {
  readonly name = 'cooperative-sticky'
  readonly rebalanceProtocol = 'COOPERATIVE' as const

  /** Keeps valid owned partitions (newest generation wins a conflict), then balances to within one partition. */
  assign(partitionsPerTopic: Map<string, number>, members: MemberSubscription[]): Map<string, TopicPartition[]> {
    const out = emptyAssignment(members)
    const sorted = sortMembers(members)
    if (sorted.length === 0) return out
    const all: TopicPartition[] = []
    for (const topic of [...partitionsPerTopic.keys()].sort()) {
      if (!sorted.some((m) => m.topics.includes(topic))) continue
      for (let p = 0; p < partitionsPerTopic.get(topic)!; p++) all.push({topic, partition: p})
    }
    const owner = new Map<string, string>()
    const subscribed = (m: MemberSubscription, topic: string) => m.topics.includes(topic)

    // 1. Retain owned partitions that still exist and are still subscribed; on a double claim
    //    the member with the newer generation keeps it.
    const byGeneration = [...sorted].sort((a, b) => b.generationId - a.generationId)
    for (const m of byGeneration) {
      for (const tp of sortPartitions([...m.ownedPartitions])) {
        const count = partitionsPerTopic.get(tp.topic)
        const key = tpKey(tp.topic, tp.partition)
        if (count === undefined || tp.partition >= count || !subscribed(m, tp.topic) || owner.has(key)) continue
        owner.set(key, m.memberId)
        out.get(m.memberId)!.push({topic: tp.topic, partition: tp.partition})
      }
    }

    // 2. With identical subscriptions the balanced shape is known: everyone gets `min` or `min+1`,
    //    and only `total % members` get the extra one. Trim members above that.
    const identical = sorted.every((m) => sameTopics(m.topics, sorted[0].topics))
    if (identical) {
      const min = Math.floor(all.length / sorted.length)
      let extraSlots = all.length % sorted.length
      const byLoad = [...sorted].sort((a, b) => out.get(b.memberId)!.length - out.get(a.memberId)!.length)
      for (const m of byLoad) {
        const list = out.get(m.memberId)!
        const allowed = extraSlots > 0 ? min + 1 : min
        if (list.length >= allowed && allowed > min) extraSlots--
        for (const tp of list.splice(Math.min(allowed, list.length))) owner.delete(tpKey(tp.topic, tp.partition))
      }
    }

    // 3. Unowned partitions go to the least-loaded subscribed member.
    for (const tp of all) {
      if (owner.has(tpKey(tp.topic, tp.partition))) continue
      const target = leastLoaded(sorted, out, tp.topic)
      if (!target) continue
      out.get(target.memberId)!.push(tp)
      owner.set(tpKey(tp.topic, tp.partition), target.memberId)
    }

    // 4. Uneven subscriptions: move single partitions from the most to the least loaded eligible
    //    member until no move improves balance (bounded by the partition count).
    if (!identical) {
      for (let moves = 0; moves < all.length * sorted.length; moves++) {
        if (!moveOne(sorted, out)) break
      }
    }
    for (const list of out.values()) sortPartitions(list)
    return out
  }
}

function sameTopics(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((t) => b.includes(t))
}

function leastLoaded(members: MemberSubscription[], out: Map<string, TopicPartition[]>, topic: string): MemberSubscription | undefined {
  let best: MemberSubscription | undefined
  for (const m of members) {
    if (!m.topics.includes(topic)) continue
    if (!best || out.get(m.memberId)!.length < out.get(best.memberId)!.length) best = m
  }
  return best
}

function moveOne(members: MemberSubscription[], out: Map<string, TopicPartition[]>): boolean {
  const byLoad = [...members].sort((a, b) => out.get(b.memberId)!.length - out.get(a.memberId)!.length)
  for (const from of byLoad) {
    const fromList = out.get(from.memberId)!
    for (let i = fromList.length - 1; i >= 0; i--) {
      const tp = fromList[i]
      const to = leastLoaded(members, out, tp.topic)
      if (to && out.get(to.memberId)!.length + 1 < fromList.length) {
        fromList.splice(i, 1)
        out.get(to.memberId)!.push(tp)
        return true
      }
    }
  }
  return false
}
