/** RoundRobinAssignor: all partitions in topic order dealt to the members in turn. */
import {emptyAssignment, sortMembers, type MemberSubscription, type PartitionAssignor} from './types.js'
import type {TopicPartition} from '../types.js'

/** Kafka's "roundrobin" assignor; a member not subscribed to a topic is skipped for its partitions. */
export class RoundRobinAssignor implements PartitionAssignor {
  readonly rebalanceProtocol = 'EAGER' as const
  constructor(readonly name = 'roundrobin') {}

  /** Deals partitions (sorted by topic, then number) to members in a circle. */
  assign(partitionsPerTopic: Map<string, number>, members: MemberSubscription[]): Map<string, TopicPartition[]> {
    const out = emptyAssignment(members)
    const sorted = sortMembers(members)
    if (sorted.length === 0) return out
    let turn = 0
    for (const topic of [...partitionsPerTopic.keys()].sort()) {
      const count = partitionsPerTopic.get(topic)!
      if (!sorted.some((m) => m.topics.includes(topic))) continue
      for (let p = 0; p < count; p++) {
        // Bounded: at most one full circle finds a subscriber (one exists, checked above).
        for (let tries = 0; tries < sorted.length; tries++) {
          const m = sorted[turn % sorted.length]
          turn++
          if (m.topics.includes(topic)) {
            out.get(m.memberId)!.push({topic, partition: p})
            break
          }
        }
      }
    }
    return out
  }
}
