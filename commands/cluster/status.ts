import {BaseCommand} from '../../src/cli/base-command.js'
import {clusterCall, clusterDirFlag, fetchRoles, nodeRecord, supervisor} from '../../src/cli/cluster-cli.js'
import {renderKeyValues, renderTable} from '../../src/cli/output.js'

/** samsa cluster status: the nodes of a local cluster, their roles and metadata log positions. */
export default class ClusterStatus extends BaseCommand {
  static summary = 'Show the nodes of a local cluster: state, role, listener, pid, metadata log position.'
  static description = 'Reads DIR/cluster.json, checks which node processes are alive (a recorded pid whose process is gone '
    + 'shows as stopped), and asks the running nodes for the active controller (Metadata) and each voter\'s role and '
    + 'metadata log end offset (DescribeQuorum).'
  static examples = [
    '<%= config.bin %> cluster status',
    '<%= config.bin %> cluster status --data-dir /tmp/five --json',
  ]
  static flags = {'data-dir': clusterDirFlag}

  async run(): Promise<object> {
    const {flags} = await this.parse(ClusterStatus)
    const {state, nodes} = await clusterCall(() => supervisor(this.config.root, flags['data-dir']).status())
    const roles = await fetchRoles(nodes)
    const records = nodes.map((n) => nodeRecord(n, roles))
    const q = roles.quorum
    const result = {
      clusterId: state.clusterId, controllerId: roles.controllerId,
      quorum: q ? {leaderId: q.leaderId, leaderEpoch: q.leaderEpoch, highWatermark: q.highWatermark} : null,
      running: records.filter((r) => r.state === 'running').length, nodes: records, ...(roles.error ? {rolesError: roles.error} : {}),
    }
    if (!this.jsonEnabled()) {
      this.out(renderKeyValues([
        ['Cluster id', state.clusterId],
        ['Active controller', roles.controllerId >= 0 ? roles.controllerId : 'unknown'],
        ['Quorum', q ? `leader ${q.leaderId}, epoch ${q.leaderEpoch}, high watermark ${q.highWatermark}` : 'unknown'],
        ['Nodes', `${result.running} of ${records.length} running`],
      ]))
      this.out('')
      this.out(renderTable(['ID', 'STATE', 'ROLE', 'LISTENER', 'PID', 'METADATA LOG END', 'DATA DIR'],
        records.map((r) => [r.id, r.state, r.role, r.listener, r.pid, r.metadataLogEndOffset, r.dataDir] as any)))
      if (roles.error && result.running > 0) this.err(`note: roles unavailable: ${roles.error}`)
    }
    return result
  }
}
