import {mkdirSync} from 'node:fs'
import {resolve} from 'node:path'
import {Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {readPropertiesFile} from '../../src/cli/client-config.js'
import {parseKeyValues, parseListen} from '../../src/cli/kv.js'
import {UsageError} from '../../src/cli/errors.js'

/** samsa broker start: one broker in the foreground until SIGINT/SIGTERM. */
export default class BrokerStart extends BaseCommand {
  static enableJsonFlag = false
  static summary = 'Run a single Kafka-compatible broker in the foreground.'
  static description = 'Listens for Kafka clients, stores data in Kafka\'s on-disk format under --data-dir, prints "samsa broker <id> ready on <host:port>" when it accepts connections, logs to stderr, and stops cleanly on Ctrl-C / SIGTERM.'
  static examples = [
    '<%= config.bin %> broker start',
    '<%= config.bin %> broker start --listen 127.0.0.1:9093 --data-dir /tmp/kafka --set num.partitions=3',
    '<%= config.bin %> broker start --config server.properties --set log.retention.ms=60000',
    '<%= config.bin %> broker start --node-id 1 --listen 127.0.0.1:9093 --cluster-id MkU3OEVBNTcwNTJENDM2Qk --set controller.quorum.voters=0@127.0.0.1:9092,1@127.0.0.1:9093,2@127.0.0.1:9094',
    'kcat -b 127.0.0.1:9092 -L',
  ]
  static flags = {
    'node-id': Flags.integer({summary: 'Node id of this broker (default: node.id of --config, else 0).', min: 0}),
    'data-dir': Flags.string({summary: 'Where logs and metadata live (default: ./.samsa/node-<id>).'}),
    listen: Flags.string({summary: 'HOST:PORT for clients; port 0 picks a free port (default 127.0.0.1:9092).'}),
    set: Flags.string({summary: 'Broker config KEY=VALUE under Kafka\'s name (repeatable).', multiple: true}),
    config: Flags.string({summary: 'A server.properties file; --set overrides it.'}),
    'cluster-id': Flags.string({summary: 'Cluster id for a new data dir (22 base64url chars); a data dir of another cluster is refused.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(BrokerStart)
    const props: Record<string, string> = {}
    if (flags.config) Object.assign(props, readPropertiesFile(flags.config))
    Object.assign(props, parseKeyValues(flags.set, '--set'))
    const nodeId = flags['node-id'] ?? (props['node.id'] !== undefined ? Number(props['node.id']) : 0)
    if (!Number.isInteger(nodeId) || nodeId < 0) throw new UsageError(`invalid node.id "${props['node.id']}"`)
    const {host, port} = parseListen(flags.listen ?? listenerFromProps(props) ?? '127.0.0.1:9092')
    const dataDir = resolve(flags['data-dir'] ?? props['log.dirs']?.split(',')[0] ?? props['log.dir'] ?? `.samsa/node-${nodeId}`)
    const logger = (level: 'info' | 'warn' | 'error', msg: string): void => {
      process.stderr.write(`${new Date().toISOString()} ${level.toUpperCase()} ${msg}\n`)
    }
    const clusterId = flags['cluster-id']
    if (clusterId !== undefined) {
      const {isValidClusterId, loadOrCreateMetaProperties} = await import('../../src/broker/metadata/meta-properties.js')
      if (!isValidClusterId(clusterId)) throw new UsageError(`--cluster-id expects 22 base64url characters, got "${clusterId}"`)
      // Pins the id before the broker opens the dir, and refuses a data dir of another cluster.
      mkdirSync(dataDir, {recursive: true})
      try {
        loadOrCreateMetaProperties(dataDir, nodeId, clusterId)
      } catch (err) {
        throw new UsageError((err as Error).message)
      }
    }
    // Loaded here, not at the top: other commands should not pay for loading the broker.
    const {startBroker} = await import('../../src/broker/index.js')
    const broker = await startBroker({nodeId, dataDir, host, port, props, logger})
    this.out(`samsa broker ${nodeId} ready on ${host}:${broker.port}`)
    await new Promise<void>((done) => {
      let stopping = false
      const stop = (signal: string): void => {
        if (stopping) {
          // A second signal means "now": skip the clean shutdown.
          logger('warn', `${signal} again: exiting without clean shutdown`)
          process.exit(1)
        }
        stopping = true
        logger('info', `${signal}: shutting down`)
        broker.close().then(done, (err: Error) => {
          logger('error', `shutdown failed: ${err.message}`)
          process.exit(1)
        })
      }
      process.on('SIGINT', () => stop('SIGINT'))
      process.on('SIGTERM', () => stop('SIGTERM'))
    })
    logger('info', 'stopped')
    // Exit explicitly: stray timers in a library must not keep a stopped broker alive.
    process.exit(0)
  }
}

/** host:port of the first listener in Kafka's `listeners` property, e.g. PLAINTEXT://0.0.0.0:9092. */
function listenerFromProps(props: Record<string, string>): string | undefined {
  const first = props.listeners?.split(',')[0]?.trim()
  return first ? first.replace(/^[A-Za-z_]+:\/\//, '') : undefined
}
