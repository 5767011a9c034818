import {Args, Flags} from '@oclif/core'
import {ClientCommand} from '../../src/cli/base-command.js'
import {UsageError} from '../../src/cli/errors.js'
import {parseKeyValues} from '../../src/cli/kv.js'
import type {AlterConfigOp} from '../../src/client/admin.js'

/** samsa topic alter: add partitions, set or delete config overrides. */
export default class TopicAlter extends ClientCommand {
  static summary = 'Add partitions to a topic or change its configs.'
  static description = 'Grows the partition count with CreatePartitions and changes config overrides with IncrementalAlterConfigs (AlterConfigs on brokers without it). Partitions can only be added, never removed.'
  static examples = [
    '<%= config.bin %> topic alter orders --partitions 6',
    '<%= config.bin %> topic alter orders --set retention.ms=86400000 --set segment.bytes=104857600',
    '<%= config.bin %> topic alter orders --delete-config retention.ms',
  ]
  static args = {name: Args.string({description: 'Topic name (or --topic).'})}
  static flags = {
    topic: Flags.string({summary: 'Topic name (Kafka spelling of the positional NAME).'}),
    partitions: Flags.integer({summary: 'New total number of partitions.', min: 1}),
    set: Flags.string({summary: 'Set a config override KEY=VALUE (repeatable).', multiple: true}),
    'delete-config': Flags.string({summary: 'Remove a config override, back to the default (repeatable).', multiple: true}),
    'validate-only': Flags.boolean({summary: 'Ask the broker to validate without changing anything.'}),
  }

  async run(): Promise<object> {
    const {args, flags} = await this.parse(TopicAlter)
    const name = args.name ?? flags.topic
    if (!name) throw new UsageError('missing topic name: samsa topic alter NAME')
    const set = parseKeyValues(flags.set, '--set')
    const del = flags['delete-config'] ?? []
    if (flags.partitions === undefined && Object.keys(set).length === 0 && del.length === 0) {
      throw new UsageError('nothing to change: give --partitions, --set or --delete-config')
    }
    const admin = this.adminClient(flags)
    const validateOnly = flags['validate-only']
    const changes: string[] = []
    if (flags.partitions !== undefined) {
      await admin.createPartitions(name, flags.partitions, {validateOnly})
      changes.push(`partitions -> ${flags.partitions}`)
    }
    const ops: AlterConfigOp[] = [
      ...Object.entries(set).map(([k, value]) => ({name: k, op: 'set' as const, value})),
      ...del.map((k) => ({name: k, op: 'delete' as const})),
    ]
    if (ops.length > 0) {
      await admin.incrementalAlterConfigs({type: 'topic', name}, ops, {validateOnly})
      for (const o of ops) changes.push(o.op === 'set' ? `${o.name}=${o.value}` : `${o.name} deleted`)
    }
    if (!this.jsonEnabled()) this.out(`${validateOnly ? 'Validated' : 'Altered'} topic "${name}": ${changes.join(', ')}.`)
    return {name, partitions: flags.partitions ?? null, set, deleted: del, validateOnly}
  }
}
