import {Args, Flags} from '@oclif/core'
import {ClientCommand} from '../../src/cli/base-command.js'
import {UsageError} from '../../src/cli/errors.js'
import {renderTable, stdoutIsTTY, colour, type Cell} from '../../src/cli/output.js'
import type {AdminClient, TopicDescription} from '../../src/client/admin.js'
import {KafkaError} from '../../src/protocol/index.js'

/** samsa topic describe: partitions with leader, replicas, ISR and log offsets, plus config overrides. */
export default class TopicDescribe extends ClientCommand {
  static summary = 'Describe topics: partitions, leaders, replicas, ISR, offsets.'
  static description = 'Per partition: leader, replicas (preferred first), in-sync replicas, and the log start / end offsets (ListOffsets). Also lists the topic\'s config overrides.'
  static strict = false
  static examples = [
    '<%= config.bin %> topic describe orders',
    '<%= config.bin %> topic describe orders payments --json',
    '<%= config.bin %> topic describe --topic orders',
  ]
  static args = {names: Args.string({description: 'Topic name(s).'})}
  static flags = {
    topic: Flags.string({summary: 'Topic name (Kafka spelling; repeatable).', multiple: true}),
  }

  async run(): Promise<object> {
    const {argv, flags} = await this.parse(TopicDescribe)
    const names = [...(argv as string[]), ...(flags.topic ?? [])]
    if (names.length === 0) throw new UsageError('missing topic name: samsa topic describe NAME...')
    const admin = this.adminClient(flags)
    const topics = await admin.describeTopics(names)
    const overrides = await this.overrides(admin, names)
    const result = topics.map((t) => ({...t, replicationFactor: replicationFactor(t), configs: overrides.get(t.name) ?? {}}))
    if (!this.jsonEnabled()) this.render(result)
    return {topics: result}
  }

  /** Config overrides per topic; empty when the broker lacks DescribeConfigs. */
  private async overrides(admin: AdminClient, names: string[]): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>()
    try {
      const res = await admin.describeConfigs(names.map((name) => ({type: 'topic' as const, name})))
      for (const r of res) {
        const o: Record<string, string> = {}
        for (const c of r.configs) if (c.source === 'DYNAMIC_TOPIC_CONFIG' && c.value !== null) o[c.name] = c.sensitive ? '******' : c.value
        out.set(r.name, o)
      }
    } catch (err) {
      if (!(err instanceof KafkaError)) throw err
    }
    return out
  }

  private render(topics: Array<TopicDescription & {replicationFactor: number; configs: Record<string, string>}>): void {
    const head = ['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'LOG START', 'LOG END']
    const row = (p: TopicDescription['partitions'][number]): Cell[] => [
      p.partition, p.leader < 0 ? 'none' : p.leader, p.replicas.join(','), p.isr.join(','),
      p.logStartOffset ?? p.offsetError ?? null, p.logEndOffset ?? p.offsetError ?? null,
    ]
    if (!stdoutIsTTY()) {
      this.out(renderTable(['TOPIC', ...head], topics.flatMap((t) => t.partitions.map((p) => [t.name, ...row(p)]))))
      return
    }
    topics.forEach((t, i) => {
      if (i > 0) this.out('')
      const configs = Object.entries(t.configs).map(([k, v]) => `${k}=${v}`).join(',')
      this.out(`${colour.bold('Topic:')} ${t.name}  ${colour.bold('TopicId:')} ${t.topicId}  ${colour.bold('Partitions:')} ${t.partitions.length}  ` +
        `${colour.bold('ReplicationFactor:')} ${t.replicationFactor}${configs ? `  ${colour.bold('Configs:')} ${configs}` : ''}`)
      this.out(renderTable(head, t.partitions.map(row)))
    })
  }
}

function replicationFactor(t: TopicDescription): number {
  return t.partitions.reduce((m, p) => Math.max(m, p.replicas.length), 0)
}
