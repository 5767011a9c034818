import {Args, Flags} from '@oclif/core'
import {ClientCommand} from '../src/cli/base-command.js'
import {UsageError} from '../src/cli/errors.js'
import {compileFormat, jsonWriter} from '../src/cli/consume-format.js'
import {OutputBuffer} from '../src/cli/consume-output.js'
import {parseOffsetSpec, resetPolicyFor, runConsume} from '../src/cli/consume-run.js'
import {consumerConfig, topicPartitions} from '../src/cli/consumer-options.js'
import {Consumer} from '../src/consumer/index.js'

/** samsa consume: the console consumer, in partition mode (assign) or group mode (subscribe). */
export default class Consume extends ClientCommand {
  static summary = 'Consume records and print them, kcat-style or as JSON lines.'
  static description = 'Without --group, reads every partition of the topics (or -p N) from -o (default: end, or beginning with -e). With --group, joins the group, reads from its committed offsets (-o stored, the default there; -o beginning/end then only decide where a partition without a commit starts) and commits what it printed. -e exits once every assigned partition is read to its end, -c after N records. -f takes kcat\'s tokens: %t topic, %p partition, %o offset, %k key, %s value, %K key length, %S value length, %T timestamp (ms), %h headers (k=v,k2=v2), %% and the escapes \\n \\t \\r. --json writes one JSON object per line that `samsa produce --input json` reads back (binary data as {"base64": ...}).'
  static strict = false
  static enableJsonFlag = true
  static examples = [
    '<%= config.bin %> consume orders -o beginning -e',
    '<%= config.bin %> consume orders -o -10 -e -f "%p@%o %k=%s\\n"',
    '<%= config.bin %> consume orders payments --group audit -c 100',
    '<%= config.bin %> consume orders -o @1700000000000 -p 2 -e',
    '<%= config.bin %> consume orders --json -o beginning -e | <%= config.bin %> produce orders-copy --input json',
    '<%= config.bin %> consume --topic orders --from-beginning --max-messages 5',
  ]
  static args = {
    // ignoreStdin: oclif would otherwise read piped stdin as a topic name.
    topics: Args.string({description: 'Topic(s) to consume (or --topic).', ignoreStdin: true}),
  }
  static flags = {
    topic: Flags.string({summary: 'Topic (Kafka spelling of the positional TOPIC; repeatable).', multiple: true}),
    group: Flags.string({char: 'g', summary: 'Consumer group: subscribe, rebalance with other members, commit offsets.'}),
    partition: Flags.integer({char: 'p', summary: 'Only this partition (partition mode).', min: 0}),
    offset: Flags.string({char: 'o', summary: 'Start at beginning, end, stored, N, -N (N before the end) or @TIMESTAMP_MS.'}),
    'from-beginning': Flags.boolean({summary: 'Same as -o beginning (Kafka spelling).', exclusive: ['offset']}),
    exit: Flags.boolean({char: 'e', summary: 'Exit once every assigned partition is read to its end.'}),
    count: Flags.integer({char: 'c', summary: 'Exit after N records.', min: 1}),
    'max-messages': Flags.integer({summary: 'Same as -c (Kafka spelling).', min: 1, exclusive: ['count']}),
    format: Flags.string({char: 'f', summary: 'Output format with kcat tokens (default "%s\\n").'}),
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Consume)
    const topics = [...(argv as string[]), ...(flags.topic ?? [])]
    if (topics.length === 0) throw new UsageError('missing topic: samsa consume TOPIC...')
    const json = this.jsonEnabled()
    if (json && flags.format !== undefined) throw new UsageError('-f/--format and --json cannot be used together')
    const group = flags.group
    if (group !== undefined && flags.partition !== undefined) throw new UsageError('-p/--partition reads in partition mode and cannot be used with --group')
    // Partition mode tails new records like kcat, except with -e: reading "to the end" from the end
    // would read nothing, and CLI.md's `consume a --json -e | produce b --input json` copies the topic.
    const partitionDefault = flags.exit ? 'beginning' : 'end'
    const offset = parseOffsetSpec(flags['from-beginning'] ? 'beginning' : flags.offset ?? (group ? 'stored' : partitionDefault))
    if (offset.kind === 'stored' && group === undefined) throw new UsageError('-o stored reads committed offsets and needs --group')
    const write = json ? jsonWriter() : compileFormat(flags.format ?? '%s\\n')
    const count = flags.count ?? flags['max-messages']

    const props = this.clientProps(flags)
    const reset = resetPolicyFor(offset, props['auto.offset.reset'])
    const config = consumerConfig(props, {})
    if (group !== undefined) config.groupId = group
    if (reset !== undefined) config.autoOffsetReset = reset
    const consumer = new Consumer(config)
    this.onCleanup(() => consumer.close())
    // Group mode only checks that the topics exist; the group assigns the partitions.
    const partitions = group === undefined
      ? await topicPartitions(consumer, topics, flags.partition)
      : (await topicPartitions(consumer, topics), undefined)
    const out = new OutputBuffer(process.stdout)
    const stop = {requested: false}
    let signals = 0
    const onSignal = (): void => {
      // The first signal stops after the current poll (committing in group mode); a second one, or
      // a poll stuck in a long rebalance, ends the process without waiting.
      stop.requested = true
      if (++signals > 1) process.exit(130)
      setTimeout(() => process.exit(130), 10_000).unref()
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    this.onCleanup(() => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    })
    const summary = await runConsume(consumer, {partitions, topics, offset, exitAtEnd: flags.exit, count, write, out, stop})
    // Closing commits the written records' offsets in group mode; then report, as Kafka's console consumer does.
    await consumer.close()
    if (process.stderr.isTTY && summary.reason !== 'closed') this.err(`Processed a total of ${summary.records} messages`)
  }
}
