import {Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {clusterCall, clusterDirFlag, fetchRoles, nodeRecord, supervisor} from '../../src/cli/cluster-cli.js'
import {renderTable} from '../../src/cli/output.js'
import {parseKeyValues} from '../../src/cli/kv.js'
import type {NodeStatus, StartProgress} from '../../src/cluster/supervisor.js'
import type {SpawnedNode} from '../../src/cluster/node-process.js'

/** samsa cluster start: N local nodes, each a combined broker and controller voter. */
export default class ClusterStart extends BaseCommand {
  static summary = 'Start a local cluster: one process per node, each a broker and controller voter.'
  static description = 'Node i runs `samsa broker start` with its data in DIR/node-i, listening on --base-port + i, all nodes '
    + 'sharing one cluster id and controller.quorum.voters. __consumer_offsets is replicated to min(3, nodes); '
    + 'default.replication.factor stays 1 (use topic create -r N). In the foreground Ctrl-C stops every node cleanly; '
    + 'with --detach the nodes keep running (logs in DIR/node-i/server.log) and `cluster status|stop` and '
    + '`node stop|kill|restart` manage them from any shell. Starting a cluster again reuses its data, ports and cluster id.'
  static examples = [
    '<%= config.bin %> cluster start',
    '<%= config.bin %> cluster start --nodes 3 --detach',
    '<%= config.bin %> cluster start --nodes 5 --base-port 19092 --data-dir /tmp/five',
  ]
  static flags = {
    nodes: Flags.integer({summary: 'Number of nodes (default 3; a restarted cluster keeps its count).', min: 1, max: 64}),
    'data-dir': clusterDirFlag,
    'base-port': Flags.integer({summary: 'Port of node 0; node i listens on base-port + i (default 9092).', min: 1, max: 65535}),
    set: Flags.string({summary: 'Broker config KEY=VALUE for every node, under Kafka\'s name (repeatable; kept for restarts).', multiple: true}),
    detach: Flags.boolean({summary: 'Leave the nodes running in the background and return.', default: false}),
  }

  async run(): Promise<object> {
    const {flags} = await this.parse(ClusterStart)
    const sup = supervisor(this.config.root, flags['data-dir'])
    const spinner = await this.spinner()
    let ready = 0
    const onProgress = (p: StartProgress): void => {
      if (p.kind === 'ready') ready++
      if (spinner) spinner.text = `starting nodes: ${ready} ready`
    }
    let started: SpawnedNode[]
    let alreadyRunning: number[]
    try {
      ({started, alreadyRunning} = await clusterCall(() => sup.start({nodes: flags.nodes, basePort: flags['base-port'], detached: flags.detach, brokerConfigs: parseKeyValues(flags.set, '--set')}, onProgress)))
    } catch (err) {
      spinner?.fail('cluster did not start')
      throw err
    }
    const {state, nodes} = sup.status()
    spinner?.succeed(`cluster ${state.clusterId}: ${nodes.filter((n) => n.running).length} of ${nodes.length} nodes running`)
    const roles = await fetchRoles(nodes)
    const records = nodes.map((n) => nodeRecord(n, roles))
    const result = {clusterId: state.clusterId, dataDir: sup.dataDir, detached: flags.detach, alreadyRunning, nodes: records}
    if (!this.jsonEnabled()) {
      this.out(renderTable(['ID', 'LISTENER', 'PID', 'DATA DIR', 'ROLE'], records.map((r) => [r.id, r.listener, r.pid, r.dataDir, r.role] as any)))
      if (alreadyRunning.length > 0) this.out(`already running: node ${alreadyRunning.join(', ')}`)
      this.out(`bootstrap servers: ${nodes.map((n) => n.listener).join(',')}`)
    }
    if (flags.detach) {
      if (!this.jsonEnabled()) this.out(`detached; stop with: ${this.config.bin} cluster stop --data-dir ${flags['data-dir']}`)
      return result
    }
    if (this.jsonEnabled()) this.logJson(result)
    else this.out('Ctrl-C stops all nodes')
    await this.supervise(started, nodes, () => sup.stopAll())
    // Exit explicitly: the result was printed already, and leftover handles must not keep us alive.
    process.exit(0)
  }

  /** Waits for Ctrl-C/SIGTERM (then stops every node) or until every node this run started has exited. */
  private async supervise(started: SpawnedNode[], nodes: NodeStatus[], stopAll: () => Promise<unknown>): Promise<void> {
    await new Promise<void>((done) => {
      let stopping = false
      let alive = started.length
      let allExited = (): void => {}
      for (const s of started) {
        s.child.once('exit', (code, signal) => {
          alive--
          if (!stopping) this.err(`node ${s.node.id} exited (${signal ?? `code ${code}`})`)
          if (alive === 0) stopping ? allExited() : done()
        })
      }
      // Our children are gone only once reaped (their 'exit'): leaving earlier would leave zombies behind for a moment.
      const reaped = (): Promise<void> => alive === 0 ? Promise.resolve() : new Promise<void>((r) => {
        const timer = setTimeout(r, 5000)
        allExited = () => {
          clearTimeout(timer)
          r()
        }
      })
      const stop = (signal: string): void => {
        if (stopping) return
        stopping = true
        this.err(`${signal}: stopping ${nodes.length} nodes`)
        stopAll().then(reaped).then(() => done(), (err: Error) => {
          this.err(`stopping failed: ${err.message}`)
          done()
        })
      }
      process.on('SIGINT', () => stop('SIGINT'))
      process.on('SIGTERM', () => stop('SIGTERM'))
      if (alive === 0) done()
    })
  }

  private async spinner(): Promise<import('ora').Ora | undefined> {
    if (this.jsonEnabled() || !process.stderr.isTTY) return undefined
    const {default: ora} = await import('ora')
    return ora({text: 'starting nodes', stream: process.stderr}).start()
  }
}
