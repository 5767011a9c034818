import {ClientCommand} from '../../src/cli/base-command.js'
import {renderKeyValues, renderTable} from '../../src/cli/output.js'

/** samsa cluster info: cluster id, controller and brokers of any Kafka cluster. */
export default class ClusterInfo extends ClientCommand {
  static summary = 'Show the cluster id, active controller and brokers.'
  static description = 'Uses DescribeCluster, or Metadata on brokers that do not support it. Works against any Kafka cluster, local or remote.'
  static examples = [
    '<%= config.bin %> cluster info',
    '<%= config.bin %> cluster info -b kafka1:9092 --json',
  ]

  async run(): Promise<object> {
    const {flags} = await this.parse(ClusterInfo)
    const info = await this.adminClient(flags).describeCluster()
    if (!this.jsonEnabled()) {
      this.out(renderKeyValues([
        ['Cluster id', info.clusterId],
        ['Controller', info.controllerId >= 0 ? info.controllerId : 'unknown'],
        ['Brokers', info.brokers.length],
      ]))
      this.out('')
      this.out(renderTable(['ID', 'HOST', 'PORT', 'RACK', 'CONTROLLER'],
        info.brokers.map((b) => [b.nodeId, b.host, b.port, b.rack, b.isController ? 'yes' : ''])))
    }
    return info
  }
}
