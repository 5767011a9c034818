import {createReadStream, accessSync, constants as fsConstants} from 'node:fs'
import {Args, Flags} from '@oclif/core'
import {ClientCommand} from '../src/cli/base-command.js'
import {UsageError} from '../src/cli/errors.js'
import {jsonLine} from '../src/cli/json.js'
import {parseDelimiter, parseHeaders} from '../src/cli/produce-input.js'
import {produceFrom, recordErrorLine, type InputSource} from '../src/cli/produce-run.js'
import {producerConfig, producerFlags, producerProps} from '../src/cli/producer-options.js'
import {Producer} from '../src/producer/index.js'

/** Per-record errors printed before the rest are only counted (a dead topic must not flood the terminal). */
const MAX_ERROR_LINES = 100

/** samsa produce: records from stdin or files, one per line (or JSON lines), sync or pipelined. */
export default class Produce extends ClientCommand {
  static summary = 'Produce records from stdin or files, one per line.'
  static description = 'Each input line is one record. --async (the default) pipelines records and prints a summary; --sync waits for each acknowledgement and prints topic-partition@offset per record. --input json reads the JSON lines `samsa consume --json` writes (key, value, headers, timestamp and, unless --no-keep-partition, partition), so `samsa consume a --json -e | samsa produce b --input json` copies a topic. A record that fails is reported on stderr with where it came from (FILE:LINE) and the others go on; the exit code is then 1.'
  static strict = false
  static examples = [
    'printf "hello\\nworld\\n" | <%= config.bin %> produce greetings',
    '<%= config.bin %> produce orders -K : --sync < orders.txt',
    '<%= config.bin %> produce orders -k customer-7 -H source=import -z zstd orders-1.txt orders-2.txt',
    '<%= config.bin %> consume orders --json -e | <%= config.bin %> produce orders-copy --input json',
    '<%= config.bin %> produce --topic audit --acks 1 --linger-ms 20 -X batch.size=65536 < audit.log',
  ]
  static args = {
    // ignoreStdin: oclif would otherwise read piped stdin as the argument, eating the records.
    topic: Args.string({description: 'Topic to produce to (or --topic).', ignoreStdin: true}),
    file: Args.string({description: 'Files to read, in order (default: stdin).', ignoreStdin: true}),
  }
  static flags = {
    topic: Flags.string({summary: 'Topic (Kafka spelling of the positional TOPIC).'}),
    sync: Flags.boolean({summary: 'Wait for each record\'s acknowledgement; print topic-partition@offset per record.', exclusive: ['async']}),
    async: Flags.boolean({summary: 'Pipeline records and print a summary (the default).', exclusive: ['sync']}),
    key: Flags.string({char: 'k', summary: 'The same key for every record.', exclusive: ['key-delimiter']}),
    'key-delimiter': Flags.string({char: 'K', summary: 'Split each line at the first D: key before, value after (\\t for a tab).'}),
    header: Flags.string({char: 'H', summary: 'Header k=v added to every record (repeatable).', multiple: true}),
    partition: Flags.integer({char: 'p', summary: 'Send every record to this partition.', min: 0}),
    input: Flags.string({summary: 'Input format: lines, or the JSON lines of `consume --json`.', options: ['lines', 'json'], default: 'lines'}),
    'keep-partition': Flags.boolean({summary: 'With --input json: keep each record\'s partition (default); --no-keep-partition lets the partitioner choose.', allowNo: true, default: true}),
    ...producerFlags,
  }

  async run(): Promise<object | void> {
    const {argv, flags} = await this.parse(Produce)
    const positional = argv as string[]
    const topic = flags.topic ?? positional[0]
    if (!topic) throw new UsageError('missing topic: samsa produce TOPIC [FILE...]')
    const files = flags.topic ? positional : positional.slice(1)
    if (flags.input === 'json' && flags['key-delimiter'] !== undefined) throw new UsageError('-K/--key-delimiter does not apply to --input json (keys come from the JSON)')
    for (const f of files) accessSync(f, fsConstants.R_OK)
    const json = this.jsonEnabled()

    const props = producerProps(flags, this.clientProps(flags))
    // A record waited for one at a time should not also wait linger.ms for company.
    const config = producerConfig(props, flags.sync ? {lingerMs: 0} : {})
    const producer = new Producer(config)
    this.onCleanup(() => producer.close())

    const sources: InputSource[] = files.length > 0
      ? files.map((f) => ({name: f, stream: createReadStream(f, {highWaterMark: 256 * 1024})}))
      : [{name: 'stdin', stream: process.stdin}]
    if (files.length === 0 && process.stdin.isTTY && !json) this.err('Type one record per line; Ctrl-D to finish.')

    let shown = 0
    const summary = await produceFrom(producer, sources, {
      topic,
      sync: Boolean(flags.sync),
      partition: flags.partition,
      input: flags.input as 'lines' | 'json',
      line: {
        key: flags.key,
        keyDelimiter: flags['key-delimiter'] !== undefined ? parseDelimiter(flags['key-delimiter']) : undefined,
        headers: parseHeaders(flags.header),
      },
      json: {keepPartition: flags['keep-partition']},
      maxPendingBytes: config.bufferMemory ?? 32 * 1024 * 1024,
      onDelivered: (md) => this.out(json ? jsonLine(md) : `${md.topic}-${md.partition}@${md.offset}`),
      onFailed: (err, where) => {
        if (++shown <= MAX_ERROR_LINES) this.err(`samsa: ${recordErrorLine(err, where)}`)
        else if (shown === MAX_ERROR_LINES + 1) this.err(`samsa: more records failed; only the first ${MAX_ERROR_LINES} are shown`)
      },
    })

    const total = summary.records + summary.failed
    if (!flags.sync && !json) {
      this.out(`${summary.records} record${summary.records === 1 ? '' : 's'} (${summary.bytes} bytes) produced to "${topic}" in ${summary.seconds.toFixed(2)} s, ${summary.failed} failed.`)
    }
    if (summary.failed > 0) {
      // Exit 1 without a second JSON document: the summary (or the per-record lines) is the result.
      if (!json || flags.sync) this.err(`samsa: ${summary.failed} of ${total} records failed`)
      process.exitCode = 1
    }
    if (flags.sync) return
    return summary
  }
}
