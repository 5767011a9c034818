import {BaseCommand} from '../../src/cli/base-command.js'
import {clusterCall, clusterDirFlag, nodeIdArg, supervisor} from '../../src/cli/cluster-cli.js'

/** samsa node kill ID: Kill one node with SIGKILL, like a crash (no controlled shutdown, no clean-shutdown marker). */
export default class NodeKill extends BaseCommand {
  static summary = 'Kill one node with SIGKILL, like a crash (no controlled shutdown, no clean-shutdown marker).'
  static description = 'Acts on node ID of the local cluster in --data-dir; `node restart ID` starts it again with the same data.'
  static examples = ['<%= config.bin %> node kill 1', '<%= config.bin %> node kill 0 --data-dir /tmp/five']
  static args = {id: nodeIdArg}
  static flags = {'data-dir': clusterDirFlag}

  async run(): Promise<object> {
    const {args, flags} = await this.parse(NodeKill)
    const result = await clusterCall(() => supervisor(this.config.root, flags['data-dir']).stopNode(args.id, 'SIGKILL'))
    if (!this.jsonEnabled()) this.out(result === 'not-running' ? `node ${args.id} was not running` : `node ${args.id} ${result}`)
    return {id: args.id, result}
  }
}
