import {ClientCommand} from '../../src/cli/base-command.js'
import {groupAdminFor} from '../../src/cli/group-admin.js'
import {renderTable, stdoutIsTTY} from '../../src/cli/output.js'

/** samsa group list: ListGroups on every broker. */
export default class GroupList extends ClientCommand {
  static summary = 'List consumer groups.'
  static description = 'Asks every broker for the groups it coordinates (ListGroups) and prints each group with its protocol type and state.'
  static examples = ['<%= config.bin %> group list', '<%= config.bin %> group list --json']

  async run(): Promise<object> {
    const {flags} = await this.parse(GroupList)
    const groups = groupAdminFor(this.adminClient(flags), this.clientProps(flags))
    this.onCleanup(() => groups.close())
    const list = await groups.listGroups()
    if (!this.jsonEnabled()) {
      if (list.length === 0 && stdoutIsTTY()) this.out('No consumer groups.')
      else if (list.length > 0) this.out(renderTable(['GROUP', 'PROTOCOL-TYPE', 'STATE'], list.map((g) => [g.groupId, g.protocolType || null, g.state])))
    }
    return {groups: list}
  }
}
