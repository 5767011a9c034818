/**
 * The Raft client's configuration from Kafka's broker property names: controller.quorum.voters
 * ("0@127.0.0.1:9092,1@127.0.0.1:9093"; absent: this node alone), controller.quorum.election.timeout.ms,
 * controller.quorum.fetch.timeout.ms, replica.fetch.wait.max.ms, replica.fetch.max.bytes.
 */
import {ErrorCode, KafkaError} from '../../protocol/index.js'
import type {NodeAddress} from '../network/node-channel.js'
import type {KafkaRaftClientOptions} from './raft-options.js'

/** Parses controller.quorum.voters; throws KafkaError INVALID_CONFIG on a malformed entry or a repeated id. */
export function parseQuorumVoters(value: string): Map<number, NodeAddress> {
  const voters = new Map<number, NodeAddress>()
  for (const raw of value.split(',')) {
    const entry = raw.trim()
    if (entry === '') continue
    const m = /^(\d+)@(\[[^\]]+\]|[^:@]+):(\d+)$/.exec(entry)
    const port = m ? Number(m[3]) : NaN
    if (!m || port < 1 || port > 65535) throw new KafkaError(ErrorCode.INVALID_CONFIG, `controller.quorum.voters: bad entry "${entry}" (expected id@host:port)`)
    const id = Number(m[1])
    if (voters.has(id)) throw new KafkaError(ErrorCode.INVALID_CONFIG, `controller.quorum.voters: voter ${id} listed twice`)
    voters.set(id, {host: m[2].replace(/^\[|\]$/g, ''), port})
  }
  return voters
}

function intProp(props: Record<string, string>, name: string, fallback: number): number {
  const v = props[name]
  if (v === undefined || v === '') return fallback
  const n = Number(v)
  if (!Number.isInteger(n) || n <= 0) throw new KafkaError(ErrorCode.INVALID_CONFIG, `${name}: expected a positive integer, got "${v}"`)
  return n
}

/** KafkaRaftClient options for a node from its effective broker properties. */
export function raftOptionsFromProps(o: {nodeId: number; clusterId: string; dataDir: string; host: string; port: number;
  props: Record<string, string>; logger?: KafkaRaftClientOptions['logger']}): KafkaRaftClientOptions {
  const configured = o.props['controller.quorum.voters']
  const voters = configured && configured.trim() !== '' ? parseQuorumVoters(configured) : new Map([[o.nodeId, {host: o.host, port: o.port}]])
  return {
    nodeId: o.nodeId, clusterId: o.clusterId, dataDir: o.dataDir, voters, logger: o.logger,
    electionTimeoutMs: intProp(o.props, 'controller.quorum.election.timeout.ms', 1000),
    fetchTimeoutMs: intProp(o.props, 'controller.quorum.fetch.timeout.ms', 2000),
    fetchMaxWaitMs: intProp(o.props, 'replica.fetch.wait.max.ms', 500),
    fetchMaxBytes: intProp(o.props, 'replica.fetch.max.bytes', 1 << 20),
  }
}
