/** The group coordinator package: what broker.ts and the group API handlers use. */
import type {BrokerContext} from '../context.js'
import {systemClock} from './clock.js'
import {groupConfigFromProps} from './config.js'
import {GroupCoordinator} from './coordinator.js'
import {OffsetsTopicStore} from './offsets-topic.js'

export {GroupCoordinator, joinError, syncError, type JoinGroupParams, type SyncGroupParams, type MemberRef} from './coordinator.js'
export {GroupState} from './group-metadata.js'
export {OFFSETS_TOPIC, partitionForGroup, javaStringHashCode} from './offsets-topic.js'
export {groupConfigFromProps, type GroupConfig} from './config.js'

/** A coordinator persisting to this broker's __consumer_offsets; call startup() once the logs are open. */
export function createGroupCoordinator(context: BrokerContext): GroupCoordinator {
  return new GroupCoordinator(new OffsetsTopicStore(context), groupConfigFromProps(context.props), systemClock, context.logger)
}
