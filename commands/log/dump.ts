import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {CommandFailure, UsageError} from '../../src/cli/errors.js'
import {jsonLine} from '../../src/cli/json.js'
import {dumpFile, type ProblemItem} from '../../src/cli/log-dump.js'
import {formatDumpItem} from '../../src/cli/log-dump-format.js'

/** samsa log dump: Kafka's on-disk files, read directly from disk. */
export default class LogDump extends BaseCommand {
  static summary = 'Print the contents of segment, index, checkpoint and snapshot files.'
  static description = 'Reads files directly from disk (no broker needed): one line per batch of a .log (offsets, count, position, timestamps, magic, codec, producer id/epoch/sequence, CRC and whether it is valid), entries of .index/.timeindex, checkpoints and producer snapshots. Records of __cluster_metadata and __consumer_offsets are decoded. --verify checks every CRC and every index entry and exits 1 at the first fault.'
  static strict = false
  static examples = [
    '<%= config.bin %> log dump .samsa/node-0/orders-0/00000000000000000000.log',
    '<%= config.bin %> log dump .samsa/node-0/orders-0/*.log --print-data',
    '<%= config.bin %> log dump .samsa/node-0/orders-0/00000000000000000000.index --verify',
    '<%= config.bin %> log dump .samsa/node-0/__cluster_metadata-0/00000000000000000000.log --deep --json',
  ]
  static args = {files: Args.string({description: 'Files to dump.'})}
  static flags = {
    'print-data': Flags.boolean({summary: 'Print each record: offset, timestamp, key, value, headers.'}),
    deep: Flags.boolean({summary: 'Decode every record inside each batch (decompressing).'}),
    verify: Flags.boolean({summary: 'Check CRCs, record framing and index entries; exit 1 on any fault.'}),
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(LogDump)
    const files = argv as string[]
    if (files.length === 0) throw new UsageError('missing file: samsa log dump FILE...')
    const json = this.jsonEnabled()
    let first: ProblemItem | undefined
    let problems = 0
    let out: string[] = []
    const flush = () => {
      if (out.length > 0) process.stdout.write(out.join('\n') + '\n')
      out = []
    }
    for (const file of files) {
      for (const item of dumpFile(file, {deep: flags.deep, printData: flags['print-data'], verify: flags.verify})) {
        if (item.type === 'problem') {
          problems++
          first ??= item as ProblemItem
        }
        out.push(json ? jsonLine(item) : formatDumpItem(item))
        // Write in chunks: a big segment's dump must not accumulate in memory.
        if (out.length >= 512) flush()
      }
    }
    flush()
    if (flags.verify && first) {
      const where = first.offset !== undefined ? ` at offset ${first.offset}` : first.position !== undefined ? ` at position ${first.position}` : ''
      throw new CommandFailure(`verification failed${where}: ${first.file}: ${first.message}${problems > 1 ? ` (and ${problems - 1} more)` : ''}`)
    }
  }
}
