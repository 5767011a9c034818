/** Options of KafkaRaftClient (see quorum-config.ts for building them from broker properties). */
import type {NodeAddress} from '../network/node-channel.js'

/** Options of KafkaRaftClient. Times in ms. */
export interface KafkaRaftClientOptions {
  nodeId: number
  clusterId: string
  /** controller.quorum.voters; a single entry (this node) makes a single-voter quorum. */
  voters: Map<number, NodeAddress>
  dataDir: string
  /** controller.quorum.election.timeout.ms (1000): the base of the randomized election timeout. */
  electionTimeoutMs?: number
  /** controller.quorum.fetch.timeout.ms (2000): a follower without a fetch answer this long stands for election. */
  fetchTimeoutMs?: number
  /** How long the leader parks a follower fetch without new data (replica.fetch.wait.max.ms, 500). */
  fetchMaxWaitMs?: number
  /** replica.fetch.max.bytes (1 MiB). */
  fetchMaxBytes?: number
  logger?: (level: 'info' | 'warn' | 'error', msg: string) => void
  /** ms clock for timestamps (tests). */
  clock?: () => number
  /** [0, 1) random source for election timeouts (tests). */
  random?: () => number
}
