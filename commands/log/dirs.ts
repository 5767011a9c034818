import {Flags} from '@oclif/core'
import {ClientCommand} from '../../src/cli/base-command.js'
import {renderTable} from '../../src/cli/output.js'

/** samsa log dirs: DescribeLogDirs per broker, with each partition's size, lag and offsets. */
export default class LogDirs extends ClientCommand {
  static summary = 'Show log directories: per partition size, lag and offsets.'
  static description = 'Asks every broker for its log dirs (DescribeLogDirs) and adds each partition\'s log start / end offsets (ListOffsets).'
  static examples = [
    '<%= config.bin %> log dirs',
    '<%= config.bin %> log dirs --topic orders --json',
  ]
  static flags = {
    topic: Flags.string({char: 't', summary: 'Only this topic (repeatable).', multiple: true}),
  }

  async run(): Promise<object> {
    const {flags} = await this.parse(LogDirs)
    const admin = this.adminClient(flags)
    const dirs = await admin.describeLogDirs({topics: flags.topic})
    const parts = [...new Map(dirs.flatMap((d) => d.partitions).map((p) => [`${p.topic}:${p.partition}`, p])).values()]
    const [start, end] = await Promise.all([
      admin.listOffsets(parts, -2n).catch(() => new Map()),
      admin.listOffsets(parts, -1n).catch(() => new Map()),
    ])
    const result = dirs.map((d) => ({
      ...d,
      partitions: d.partitions.map((p) => ({
        ...p,
        logStartOffset: start.get(`${p.topic}:${p.partition}`)?.offset ?? null,
        logEndOffset: end.get(`${p.topic}:${p.partition}`)?.offset ?? null,
      })),
    }))
    if (!this.jsonEnabled()) {
      const rows = result.flatMap((d) => d.partitions.length === 0
        ? [[d.broker, d.logDir, d.error ?? '-', null, null, null, null, null]]
        : d.partitions.map((p) => [d.broker, d.logDir, p.topic, p.partition, p.size, p.offsetLag, p.logStartOffset, p.logEndOffset]))
      this.out(renderTable(['BROKER', 'LOG DIR', 'TOPIC', 'PARTITION', 'SIZE', 'LAG', 'LOG START', 'LOG END'], rows))
    }
    return {logDirs: result}
  }
}
