import {Args, Flags} from '@oclif/core'
import {ClientCommand} from '../../src/cli/base-command.js'
import {UsageError} from '../../src/cli/errors.js'
import {groupAdminFor} from '../../src/cli/group-admin.js'
import {renderGroups} from '../../src/cli/group-render.js'

/** samsa group describe: state, members and their partitions, committed offsets and lag. */
export default class GroupDescribe extends ClientCommand {
  static summary = 'Describe consumer groups: state, members, committed offsets and lag.'
  static description = 'For each group: its state and protocol, its members (client id, host, assigned partitions), and per partition the committed offset (CURRENT-OFFSET), the log end offset and the lag between them. Works for empty groups too (offsets without members).'
  static strict = false
  static examples = [
    '<%= config.bin %> group describe orders-service',
    '<%= config.bin %> group describe g1 g2 --json',
    '<%= config.bin %> group describe --group orders-service',
  ]
  static args = {names: Args.string({description: 'Group id(s).'})}
  static flags = {group: Flags.string({summary: 'Group id (Kafka spelling; repeatable).', multiple: true})}

  async run(): Promise<object> {
    const {argv, flags} = await this.parse(GroupDescribe)
    const ids = [...(argv as string[]), ...(flags.group ?? [])]
    if (ids.length === 0) throw new UsageError('missing group id: samsa group describe G...')
    const groups = groupAdminFor(this.adminClient(flags), this.clientProps(flags))
    this.onCleanup(() => groups.close())
    const described = []
    for (const id of ids) described.push(await groups.describeGroup(id))
    if (!this.jsonEnabled()) this.out(renderGroups(described))
    return {groups: described}
  }
}
