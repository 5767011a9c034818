/** The built-in partition assignors by Kafka's names. */
import type {AssignmentStrategyName} from '../config.js'
import {CooperativeStickyAssignor} from './cooperative-sticky.js'
import {RangeAssignor} from './range.js'
import {RoundRobinAssignor} from './round-robin.js'
import type {PartitionAssignor} from './types.js'

export {CooperativeStickyAssignor} from './cooperative-sticky.js'
export {RangeAssignor} from './range.js'
export {RoundRobinAssignor} from './round-robin.js'
export * from './types.js'

/** kafkajs's only built-in assignor is round robin under this protocol name. */
export const KAFKAJS_ROUND_ROBIN = 'RoundRobinAssigner'

/**
 * The assignors for partition.assignment.strategy, in preference order. "roundrobin" also offers
 * kafkajs's name for the same algorithm (last), so a samsa member can join a default kafkajs group.
 */
export function assignorsFor(strategies: AssignmentStrategyName[]): PartitionAssignor[] {
  const out: PartitionAssignor[] = strategies.map((s) =>
    s === 'range' ? new RangeAssignor() : s === 'roundrobin' ? new RoundRobinAssignor() : new CooperativeStickyAssignor())
  if (strategies.includes('roundrobin')) out.push(new RoundRobinAssignor(KAFKAJS_ROUND_ROBIN))
  return out
}
