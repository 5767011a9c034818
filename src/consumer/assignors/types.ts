/** What every partition assignor sees and returns (Kafka's ConsumerPartitionAssignor, leader side). */
import type {TopicPartition} from '../types.js'

/** One member's input to the assignor: its subscription, as decoded from JoinGroup metadata. */
export interface MemberSubscription {
  memberId: string
  groupInstanceId: string | null
  topics: string[]
  ownedPartitions: TopicPartition[]
  generationId: number
}

/** EAGER assignors revoke everything on each rebalance; COOPERATIVE ones only what moves (KIP-429). */
export type RebalanceProtocol = 'EAGER' | 'COOPERATIVE'

/** A partition assignor run by the group leader. */
export interface PartitionAssignor {
  /** Protocol name in JoinGroup (Kafka's and librdkafka's names, so mixed groups agree). */
  readonly name: string
  readonly rebalanceProtocol: RebalanceProtocol
  /** Partitions per member id; every member id of `members` appears in the result. */
  assign(partitionsPerTopic: Map<string, number>, members: MemberSubscription[]): Map<string, TopicPartition[]>
}

/** Members in the order Kafka's assignors use: by group.instance.id when static, else member id. */
export function sortMembers(members: MemberSubscription[]): MemberSubscription[] {
  const key = (m: MemberSubscription) => m.groupInstanceId ?? m.memberId
  return [...members].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
}

/** An empty result map with every member present. */
export function emptyAssignment(members: MemberSubscription[]): Map<string, TopicPartition[]> {
  return new Map(members.map((m) => [m.memberId, [] as TopicPartition[]]))
}
