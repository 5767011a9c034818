import {BaseCommand} from '../../src/cli/base-command.js'
import {clusterCall, clusterDirFlag, nodeIdArg, supervisor} from '../../src/cli/cluster-cli.js'

/** samsa node restart ID: start a stopped or killed node again (a running one is stopped first). */
export default class NodeRestart extends BaseCommand {
  static summary = 'Start one node of a local cluster again, with the same arguments and data.'
  static description = 'A running node is first stopped gracefully. The node runs in the background (log in '
    + 'DIR/node-ID/server.log); the command returns once the node accepts connections.'
  static examples = ['<%= config.bin %> node restart 1', '<%= config.bin %> node restart 0 --data-dir /tmp/five']
  static args = {id: nodeIdArg}
  static flags = {'data-dir': clusterDirFlag}

  async run(): Promise<object> {
    const {args, flags} = await this.parse(NodeRestart)
    const {node, listener, wasRunning} = await clusterCall(() => supervisor(this.config.root, flags['data-dir']).restartNode(args.id))
    if (!this.jsonEnabled()) this.out(`node ${node.id} ${wasRunning ? 'restarted' : 'started'} on ${listener} (pid ${node.pid})`)
    return {id: node.id, listener, pid: node.pid, wasRunning}
  }
}
