/** RangeAssignor: per topic, consecutive partition ranges to the subscribed members in order. */
import {emptyAssignment, sortMembers, type MemberSubscription, type PartitionAssignor} from './types.js'
import type {TopicPartition} from '../types.js'

/** Kafka's "range" assignor (the default first choice of Java and librdkafka). */
export class RangeAssignor implements PartitionAssignor {
  readonly name = 'range'
  readonly rebalanceProtocol = 'EAGER' as const

  /** Each topic's partitions split into ranges; the first `partitions % members` members get one extra. */
  assign(partitionsPerTopic: Map<string, number>, members: MemberSubscription[]): Map<string, TopicPartition[]> {
    const out = emptyAssignment(members)
    const sorted = sortMembers(members)
    for (const topic of [...partitionsPerTopic.keys()].sort()) {
      const count = partitionsPerTopic.get(topic)!
      const subscribers = sorted.filter((m) => m.topics.includes(topic))
      if (subscribers.length === 0) continue
      const per = Math.floor(count / subscribers.length)
      const extra = count % subscribers.length
      let next = 0
      subscribers.forEach((m, i) => {
        const n = per + (i < extra ? 1 : 0)
        const list = out.get(m.memberId)!
        for (let p = next; p < next + n; p++) list.push({topic, partition: p})
        next += n
      })
    }
    return out
  }
}
