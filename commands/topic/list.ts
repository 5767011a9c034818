import {Flags} from '@oclif/core'
import {ClientCommand} from '../../src/cli/base-command.js'
import {renderTable, stdoutIsTTY} from '../../src/cli/output.js'

/** samsa topic list: topic names from Metadata. */
export default class TopicList extends ClientCommand {
  static summary = 'List topics.'
  static description = 'Lists topic names from Metadata. On a terminal shows a table with partition counts and topic ids; piped, prints one name per line.'
  static examples = [
    '<%= config.bin %> topic list',
    '<%= config.bin %> topic list --internal --json',
    '<%= config.bin %> topic list | xargs -n1 <%= config.bin %> topic describe',
  ]
  static flags = {
    internal: Flags.boolean({summary: 'Include internal topics such as __consumer_offsets.'}),
  }

  async run(): Promise<object> {
    const {flags} = await this.parse(TopicList)
    const topics = await this.adminClient(flags).listTopics({internal: flags.internal})
    if (!this.jsonEnabled()) {
      if (stdoutIsTTY()) {
        if (topics.length === 0) this.out('No topics.')
        else this.out(renderTable(['TOPIC', 'PARTITIONS', 'TOPIC ID'], topics.map((t) => [t.name + (t.internal ? ' (internal)' : ''), t.partitions, t.topicId])))
      } else {
        for (const t of topics) this.out(t.name)
      }
    }
    return {topics}
  }
}
