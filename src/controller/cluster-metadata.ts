/**
 * createClusterMetadata: assembles a node's metadata side -- the MetadataLoader (replay of the
 * committed Raft log into the image), the QuorumController (active while this node leads the
 * quorum), the ClusterMetadataManager handlers see, and the BrokerLifecycleManager -- over a Raft
 * client. broker.ts calls it once per node; see the report for the wiring.
 */
import type {BrokerLogger} from '../broker/context.js'
import {MetadataLoader} from '../broker/metadata/metadata-loader.js'
import {ClusterMetadataManager} from '../broker/metadata/cluster-metadata-manager.js'
import {BrokerLifecycleManager} from '../broker/broker-lifecycle-manager.js'
import {QuorumController} from './quorum-controller.js'
import {VoterChannels, type ControllerTransport} from './controller-transport.js'
import {parseQuorumVoters} from './raft/quorum-config.js'
import type {RaftClientApi} from './raft/types.js'

export interface ClusterMetadataConfig {
  nodeId: number; clusterId: string
  /** Effective broker props (defaults merged); controller.quorum.voters gives the controllers' addresses. */
  props: Record<string, string>
  raft: RaftClientApi; logger: BrokerLogger
  /** Node-to-controller requests; default: NodeChannels to the voters. */
  transport?: ControllerTransport
}

/** A node's metadata side. */
export interface ClusterMetadata {
  loader: MetadataLoader; controller: QuorumController; metadata: ClusterMetadataManager; lifecycle: BrokerLifecycleManager
  /** Stops timers and connections (after lifecycle.controlledShutdown()). */
  close(): void
}

/** Builds and connects the pieces; registers the loader with the Raft client (which replays the committed log into it). */
export function createClusterMetadata(c: ClusterMetadataConfig): ClusterMetadata {
  const loader = new MetadataLoader(c.nodeId, c.logger)
  const controller = new QuorumController({nodeId: c.nodeId, clusterId: c.clusterId, raft: c.raft, loader, props: c.props, logger: c.logger})
  const transport = c.transport ?? new VoterChannels(parseQuorumVoters(c.props['controller.quorum.voters'] ?? ''), c.nodeId)
  let lifecycle: BrokerLifecycleManager | undefined
  const metadata = new ClusterMetadataManager({
    nodeId: c.nodeId, loader, controller, raft: c.raft, transport, props: c.props, logger: c.logger,
    brokerEpoch: () => lifecycle?.brokerEpoch ?? -1n,
  })
  lifecycle = new BrokerLifecycleManager({
    nodeId: c.nodeId, clusterId: c.clusterId, raft: c.raft, controller, transport, props: c.props, logger: c.logger,
    metadataOffset: () => loader.lastOffset,
  })
  c.raft.register(loader)
  const lc = lifecycle
  return {
    loader, controller, metadata, lifecycle: lc,
    close: () => {
      lc.close()
      controller.close()
      metadata.close()
      loader.close()
      transport.close()
    },
  }
}
