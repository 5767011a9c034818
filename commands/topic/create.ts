import {Args, Flags} from '@oclif/core'
import {ClientCommand} from '../../src/cli/base-command.js'
import {UsageError} from '../../src/cli/errors.js'
import {parseKeyValues} from '../../src/cli/kv.js'

/** samsa topic create: CreateTopics with partitions, replication factor and configs. */
export default class TopicCreate extends ClientCommand {
  static summary = 'Create a topic.'
  static description = 'Creates a topic with CreateTopics. Without --partitions/--replication-factor the broker defaults apply (num.partitions, default.replication.factor).'
  static examples = [
    '<%= config.bin %> topic create orders --partitions 3',
    '<%= config.bin %> topic create audit -c retention.ms=-1 -c cleanup.policy=compact',
    '<%= config.bin %> topic create orders --if-not-exists -b broker1:9092',
  ]
  static args = {name: Args.string({description: 'Topic name (or --topic).'})}
  static flags = {
    topic: Flags.string({summary: 'Topic name (Kafka spelling of the positional NAME).'}),
    partitions: Flags.integer({char: 'p', summary: 'Number of partitions (default: broker num.partitions, 1).', min: 1}),
    'replication-factor': Flags.integer({char: 'r', summary: 'Replicas per partition (default: broker default.replication.factor, 1).', min: 1}),
    config: Flags.string({char: 'c', summary: 'Topic config KEY=VALUE (repeatable).', multiple: true}),
    'if-not-exists': Flags.boolean({summary: 'Succeed without change when the topic exists.'}),
    'validate-only': Flags.boolean({summary: 'Ask the broker to validate without creating.'}),
  }

  async run(): Promise<object> {
    const {args, flags} = await this.parse(TopicCreate)
    const name = args.name ?? flags.topic
    if (!name) throw new UsageError('missing topic name: samsa topic create NAME')
    const configs = parseKeyValues(flags.config, '--config')
    const admin = this.adminClient(flags)
    const created = await admin.createTopics(
      [{name, numPartitions: flags.partitions, replicationFactor: flags['replication-factor'], configs}],
      {ifNotExists: flags['if-not-exists'], validateOnly: flags['validate-only']},
    )
    const topic = created[0]
    if (!topic) {
      if (!this.jsonEnabled()) this.out(`Topic "${name}" already exists.`)
      return {name, created: false}
    }
    if (!this.jsonEnabled()) {
      const verb = flags['validate-only'] ? 'Validated' : 'Created'
      const parts = topic.numPartitions > 0 ? ` with ${topic.numPartitions} partition${topic.numPartitions === 1 ? '' : 's'}` : ''
      const rf = topic.replicationFactor > 0 ? ` (replication factor ${topic.replicationFactor})` : ''
      this.out(`${verb} topic "${name}"${parts}${rf}.`)
    }
    return {...topic, created: !flags['validate-only']}
  }
}
