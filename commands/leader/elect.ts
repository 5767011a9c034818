import {Flags} from '@oclif/core'
import {ClientCommand} from '../../src/cli/base-command.js'
import {UsageError} from '../../src/cli/errors.js'
import {runLeaderElection, type ElectionSelection} from '../../src/cli/leader-elect.js'
import {renderTable} from '../../src/cli/output.js'

/** samsa leader elect: preferred or unclean leader elections through ElectLeaders. */
export default class LeaderElect extends ClientCommand {
  static summary = 'Elect partition leaders: move leadership back to preferred replicas, or force an unclean election.'
  static description = 'Uses the ElectLeaders API. Prints per partition the leader before and after and the outcome: '
    + 'elected, already preferred, or not possible and why. "preferred" makes the first replica the leader when it is '
    + 'alive and in the ISR; "unclean" picks any live replica for a partition without a leader, at the risk of losing '
    + 'acknowledged records. Exits 1 when an election was not possible.'
  static examples = [
    '<%= config.bin %> leader elect --all',
    '<%= config.bin %> leader elect --topic orders',
    '<%= config.bin %> leader elect --topic orders --partition 3 --type unclean',
  ]
  static flags = {
    all: Flags.boolean({summary: 'Every partition of every topic.', default: false, exclusive: ['topic']}),
    topic: Flags.string({summary: 'Only this topic.'}),
    partition: Flags.integer({summary: 'Only this partition (with --topic).', min: 0, dependsOn: ['topic']}),
    type: Flags.string({summary: 'Election type.', options: ['preferred', 'unclean'], default: 'preferred'}),
  }

  async run(): Promise<object> {
    const {flags} = await this.parse(LeaderElect)
    if (!flags.all && !flags.topic) throw new UsageError('say which partitions: --all, or --topic T [--partition P]')
    const sel: ElectionSelection = flags.all ? {all: true} : {all: false, topic: flags.topic!, partition: flags.partition}
    const type = flags.type as 'preferred' | 'unclean'
    const rows = await runLeaderElection(this.adminClient(flags), type, sel)
    const leader = (n: number): string | number => (n < 0 ? 'none' : n)
    if (!this.jsonEnabled()) {
      if (rows.length === 0) this.out('no partitions to elect')
      else {
        this.out(renderTable(['TOPIC', 'PARTITION', 'REPLICAS', 'ISR', 'LEADER BEFORE', 'LEADER AFTER', 'OUTCOME'],
          rows.map((r) => [r.topic, r.partition, r.replicas.join(','), r.isr.join(','), leader(r.leaderBefore), leader(r.leaderAfter), r.outcome])))
      }
    }
    const failed = rows.filter((r) => !r.ok).length
    if (failed > 0) {
      if (!this.jsonEnabled()) this.err(`samsa: ${failed} of ${rows.length} elections were not possible`)
      process.exitCode = 1
    }
    return {type, elected: rows.filter((r) => r.error === 'NONE').length, failed, partitions: rows}
  }
}
