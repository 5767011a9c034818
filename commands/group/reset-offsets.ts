import {Args, Flags} from '@oclif/core'
import {ClientCommand} from '../../src/cli/base-command.js'
import {UsageError} from '../../src/cli/errors.js'
import {groupAdminFor} from '../../src/cli/group-admin.js'
import {renderReset} from '../../src/cli/group-render.js'
import {parseDateTime, parseTopicSpec, planReset, requireInactive, type ResetStrategy} from '../../src/cli/group-reset.js'
import {colour} from '../../src/cli/output.js'
import {tpKey} from '../../src/consumer/index.js'

/** samsa group reset-offsets: moves a group's committed offsets (dry run unless --execute). */
export default class GroupResetOffsets extends ClientCommand {
  static summary = 'Move the committed offsets of an inactive group.'
  static description = 'Computes new offsets for the partitions of --topic T (all partitions) or T:P,P and prints the offsets before and after. Nothing changes without --execute. As Kafka\'s tool, refuses while the group has active members (their next commit would undo the reset). --to-offset and --shift-by are clamped to the log\'s start and end; --to-datetime takes the first offset at or after the time (the end when there is none).'
  static examples = [
    '<%= config.bin %> group reset-offsets billing --topic orders --to-earliest',
    '<%= config.bin %> group reset-offsets billing --topic orders:0,1 --shift-by -100 --execute',
    '<%= config.bin %> group reset-offsets billing --topic orders --to-datetime 2024-05-01T00:00:00Z --execute --json',
  ]
  static args = {group: Args.string({description: 'Group id (or --group).'})}
  static flags = {
    group: Flags.string({summary: 'Group id (Kafka spelling).'}),
    topic: Flags.string({summary: 'T (all partitions) or T:P[,P] (repeatable).', multiple: true, required: true}),
    'to-earliest': Flags.boolean({summary: 'Reset to the log start offset.'}),
    'to-latest': Flags.boolean({summary: 'Reset to the log end offset.'}),
    'to-offset': Flags.string({summary: 'Reset to offset N.'}),
    'to-datetime': Flags.string({summary: 'Reset to the first offset at or after an ISO date-time.'}),
    'shift-by': Flags.string({summary: 'Move the committed offset by N (negative: back).'}),
    execute: Flags.boolean({summary: 'Commit the new offsets (without it: a dry run).'}),
  }

  async run(): Promise<object> {
    const {args, flags} = await this.parse(GroupResetOffsets)
    const groupId = args.group ?? flags.group
    if (!groupId) throw new UsageError('missing group id: samsa group reset-offsets G --topic T ...')
    const strategy = strategyOf(flags)
    const specs = flags.topic.map(parseTopicSpec)
    const admin = this.adminClient(flags)
    const groups = groupAdminFor(admin, this.clientProps(flags))
    this.onCleanup(() => groups.close())
    await requireInactive(groups, groupId)
    const rows = await planReset(admin, groups, groupId, specs, strategy)
    if (flags.execute) await groups.commitOffsets(groupId, new Map(rows.map((r) => [tpKey(r.topic, r.partition), r.after])))
    if (!this.jsonEnabled()) {
      this.out(renderReset(rows))
      if (!flags.execute && process.stdout.isTTY) this.out(colour.dim('Dry run: nothing changed. Add --execute to commit these offsets.'))
    }
    return {group: groupId, executed: flags.execute, partitions: rows}
  }
}

function strategyOf(flags: {'to-earliest': boolean; 'to-latest': boolean; 'to-offset'?: string; 'to-datetime'?: string; 'shift-by'?: string}): ResetStrategy {
  const chosen: ResetStrategy[] = []
  if (flags['to-earliest']) chosen.push({kind: 'earliest'})
  if (flags['to-latest']) chosen.push({kind: 'latest'})
  if (flags['to-offset'] !== undefined) chosen.push({kind: 'offset', offset: integer(flags['to-offset'], '--to-offset', false)})
  if (flags['to-datetime'] !== undefined) chosen.push({kind: 'datetime', ms: parseDateTime(flags['to-datetime'])})
  if (flags['shift-by'] !== undefined) chosen.push({kind: 'shift', by: integer(flags['shift-by'], '--shift-by', true)})
  if (chosen.length !== 1) throw new UsageError('give exactly one of --to-earliest, --to-latest, --to-offset N, --to-datetime ISO, --shift-by N')
  return chosen[0]
}

function integer(text: string, flag: string, signed: boolean): bigint {
  if (!(signed ? /^[-+]?\d+$/ : /^\d+$/).test(text.trim())) throw new UsageError(`${flag} expects ${signed ? 'an integer' : 'a non-negative integer'}, got "${text}"`)
  return BigInt(text.trim())
}
