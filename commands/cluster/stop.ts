import {BaseCommand} from '../../src/cli/base-command.js'
import {clusterCall, clusterDirFlag, supervisor} from '../../src/cli/cluster-cli.js'
import {renderTable} from '../../src/cli/output.js'

/** samsa cluster stop: graceful stop of every node of a local cluster. */
export default class ClusterStop extends BaseCommand {
  static summary = 'Stop every node of a local cluster (SIGTERM, SIGKILL after a bound).'
  static description = 'Each node shuts down cleanly (controlled shutdown, logs flushed); a node still running after the '
    + 'bound is killed. The data stays: `cluster start` brings the same cluster back.'
  static examples = ['<%= config.bin %> cluster stop', '<%= config.bin %> cluster stop --data-dir /tmp/five']
  static flags = {'data-dir': clusterDirFlag}

  async run(): Promise<object> {
    const {flags} = await this.parse(ClusterStop)
    const results = await clusterCall(() => supervisor(this.config.root, flags['data-dir']).stopAll())
    if (!this.jsonEnabled()) this.out(renderTable(['ID', 'RESULT'], results.map((r) => [r.id, r.result])))
    return {nodes: results}
  }
}
