import {Args, Flags} from '@oclif/core'
import {ClientCommand} from '../../src/cli/base-command.js'
import {UsageError} from '../../src/cli/errors.js'
import {renderTable, stdoutIsTTY, colour, type Cell} from '../../src/cli/output.js'
import type {AdminClient, TopicDescription} from '../../src/client/admin.js'
import {KafkaError} from '../../src/protocol/index.js'
import {partitionMarks} from '../../src/cli/partition-status.js'

/** samsa topic describe: partitions with leader, replicas, ISR and log offsets, plus config overrides. */
export default class TopicDescribe extends ClientCommand {
  static summary = 'Describe topics: partitions, leaders, replicas, ISR, offsets.'
  static description = 'Per partition: leader, replicas (preferred first), in-sync replicas, offline replicas, and the log start / end offsets (ListOffsets). '
    + 'STATUS marks partitions that are offline (no leader), under-replicated (ISR smaller than the replicas) or '
    + 'not led by their preferred replica (the first one; `samsa leader elect --type preferred` moves it back). Also lists the topic\'s config overrides.'
  static strict = false
  static examples = [
    '<%= config.bin %> topic describe orders',
    '<%= config.bin %> topic describe orders payments --json',
    '<%= config.bin %> topic describe --topic orders',
    '<%= config.bin %> topic describe orders --under-replicated',
  ]
  static args = {names: Args.string({description: 'Topic name(s).'})}
  static flags = {
    topic: Flags.string({summary: 'Topic name (Kafka spelling; repeatable).', multiple: true}),
    'under-replicated': Flags.boolean({summary: 'Only partitions whose ISR is smaller than their replica set.', default: false}),
    unavailable: Flags.boolean({summary: 'Only partitions without a leader.', default: false}),
  }

  async run(): Promise<object> {
    const {argv, flags} = await this.parse(TopicDescribe)
    const names = [...(argv as string[]), ...(flags.topic ?? [])]
    if (names.length === 0) throw new UsageError('missing topic name: samsa topic describe NAME...')
    const admin = this.adminClient(flags)
    const topics = await admin.describeTopics(names)
    const overrides = await this.overrides(admin, names)
    const keep = (p: {marks: string[]}): boolean =>
      (!flags['under-replicated'] || p.marks.includes('under-replicated')) && (!flags.unavailable || p.marks.includes('offline'))
    const result = topics.map((t) => ({
      ...t, replicationFactor: replicationFactor(t), configs: overrides.get(t.name) ?? {},
      partitions: t.partitions.map((p) => {
        const marks = partitionMarks(p)
        return {...p, marks, underReplicated: marks.includes('under-replicated'), preferredLeader: p.leader >= 0 && p.leader === p.replicas[0]}
      }).filter(keep),
    }))
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

  private render(topics: Array<Omit<TopicDescription, 'partitions'> & {replicationFactor: number; configs: Record<string, string>; partitions: MarkedPartition[]}>): void {
    // New columns go last, so scripts that cut the older ones by position keep working.
    const head = ['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'LOG START', 'LOG END', 'OFFLINE', 'STATUS']
    const row = (p: MarkedPartition): Cell[] => [
      p.partition, p.leader < 0 ? 'none' : p.leader, p.replicas.join(','), p.isr.join(','),
      p.logStartOffset ?? p.offsetError ?? null, p.logEndOffset ?? p.offsetError ?? null, p.offline.length > 0 ? p.offline.join(',') : null,
      p.marks.length > 0 ? colour.bad(p.marks.join(',')) : colour.ok('ok'),
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

type MarkedPartition = TopicDescription['partitions'][number] & {marks: string[]}

function replicationFactor(t: TopicDescription): number {
  return t.partitions.reduce((m, p) => Math.max(m, p.replicas.length), 0)
}
