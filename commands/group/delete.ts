import {Args, Flags} from '@oclif/core'
import {confirm} from '@inquirer/prompts'
import {ClientCommand} from '../../src/cli/base-command.js'
import {CommandFailure, UsageError} from '../../src/cli/errors.js'
import {groupAdminFor} from '../../src/cli/group-admin.js'

/** samsa group delete: DeleteGroups, with a confirmation prompt on a terminal. */
export default class GroupDelete extends ClientCommand {
  static summary = 'Delete consumer groups and their committed offsets.'
  static description = 'Deletes groups with DeleteGroups; a group with active members cannot be deleted (NON_EMPTY_GROUP). On a terminal asks for confirmation unless --yes; when stdin is not a terminal, --yes is required.'
  static strict = false
  static examples = ['<%= config.bin %> group delete old-service', '<%= config.bin %> group delete g1 g2 --yes']
  static args = {names: Args.string({description: 'Group id(s).'})}
  static flags = {
    group: Flags.string({summary: 'Group id (Kafka spelling; repeatable).', multiple: true}),
    yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation.'}),
  }

  async run(): Promise<object> {
    const {argv, flags} = await this.parse(GroupDelete)
    const ids = [...(argv as string[]), ...(flags.group ?? [])]
    if (ids.length === 0) throw new UsageError('missing group id: samsa group delete G...')
    if (!flags.yes) {
      if (!process.stdin.isTTY || !process.stdout.isTTY) throw new UsageError('refusing to delete without confirmation: stdin is not a terminal; pass --yes')
      const list = ids.map((g) => `"${g}"`).join(', ')
      // Ctrl-C at the prompt rejects with ExitPromptError: treat it as "no".
      const ok = await confirm({message: `Delete group${ids.length > 1 ? 's' : ''} ${list} and ${ids.length > 1 ? 'their' : 'its'} committed offsets?`, default: false})
        .catch((err: Error) => {
          if (err.name === 'ExitPromptError') throw new CommandFailure('aborted: nothing deleted')
          throw err
        })
      if (!ok) {
        this.out('Nothing deleted.')
        return {deleted: []}
      }
    }
    const groups = groupAdminFor(this.adminClient(flags), this.clientProps(flags))
    this.onCleanup(() => groups.close())
    const deleted: string[] = []
    for (const id of ids) {
      await groups.deleteGroup(id)
      deleted.push(id)
      if (!this.jsonEnabled()) this.out(`Deleted group "${id}".`)
    }
    return {deleted}
  }
}
