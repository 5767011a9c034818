import {BaseCommand} from '../../src/cli/base-command.js'
import {clusterCall, clusterDirFlag, nodeIdArg, supervisor} from '../../src/cli/cluster-cli.js'

/** samsa node stop ID: Stop one node gracefully (SIGTERM: controlled shutdown moves its leadership away first). */
export default class NodeStop extends BaseCommand {
  static summary = 'Stop one node gracefully (SIGTERM: controlled shutdown moves its leadership away first).'
  static description = 'Acts on node ID of the local cluster in --data-dir; `node restart ID` starts it again with the same data.'
  static examples = ['<%= config.bin %> node stop 1', '<%= config.bin %> node stop 0 --data-dir /tmp/five']
  static args = {id: nodeIdArg}
  static flags = {'data-dir': clusterDirFlag}
  /** The signal sent to the node (`node kill` sends SIGKILL). */
  static signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'

  async run(): Promise<object> {
    const command = this.constructor as typeof NodeStop
    // NodeKill shares these args and flags; oclif does not parse them from the subclass itself.
    const {args, flags} = await this.parse(NodeStop)
    const result = await clusterCall(() => supervisor(this.config.root, flags['data-dir']).stopNode(args.id, command.signal))
    if (!this.jsonEnabled()) this.out(result === 'not-running' ? `node ${args.id} was not running` : `node ${args.id} ${result}`)
    return {id: args.id, result}
  }
}
