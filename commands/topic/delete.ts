import {Args, Flags} from '@oclif/core'
import {confirm} from '@inquirer/prompts'
import {ClientCommand} from '../../src/cli/base-command.js'
import {CommandFailure, UsageError} from '../../src/cli/errors.js'

/** samsa topic delete: DeleteTopics, with a confirmation prompt on a terminal. */
export default class TopicDelete extends ClientCommand {
  static summary = 'Delete topics and all their data.'
  static description = 'Deletes topics with DeleteTopics. On a terminal asks for confirmation unless --yes; when stdin is not a terminal, --yes is required.'
  static strict = false
  static examples = [
    '<%= config.bin %> topic delete orders',
    '<%= config.bin %> topic delete old-1 old-2 --yes',
  ]
  static args = {names: Args.string({description: 'Topic name(s).'})}
  static flags = {
    topic: Flags.string({summary: 'Topic name (Kafka spelling; repeatable).', multiple: true}),
    yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation.'}),
  }

  async run(): Promise<object> {
    const {argv, flags} = await this.parse(TopicDelete)
    const names = [...(argv as string[]), ...(flags.topic ?? [])]
    if (names.length === 0) throw new UsageError('missing topic name: samsa topic delete NAME...')
    if (!flags.yes) {
      if (!process.stdin.isTTY || !process.stdout.isTTY) {
        throw new UsageError('refusing to delete without confirmation: stdin is not a terminal; pass --yes')
      }
      const list = names.map((n) => `"${n}"`).join(', ')
      const question = `Delete topic${names.length > 1 ? 's' : ''} ${list} and all ${names.length > 1 ? 'their' : 'its'} data?`
      // Ctrl-C at the prompt rejects with ExitPromptError: treat it as "no".
      const ok = await confirm({message: question, default: false}).catch((err: Error) => {
        if (err.name === 'ExitPromptError') throw new CommandFailure('aborted: nothing deleted')
        throw err
      })
      if (!ok) {
        this.out('Nothing deleted.')
        return {deleted: []}
      }
    }
    await this.adminClient(flags).deleteTopics(names)
    if (!this.jsonEnabled()) for (const n of names) this.out(`Deleted topic "${n}".`)
    return {deleted: names}
  }
}
