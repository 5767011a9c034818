import {Flags} from '@oclif/core'
import {ClientCommand} from '../../src/cli/base-command.js'
import {consumerConfig, topicPartitions} from '../../src/cli/consumer-options.js'
import {parseKeyValues} from '../../src/cli/kv.js'
import {
  formatPerfConsume, formatPerfConsumeWindow, PERF_CONSUME_DETAIL_HEADER, PERF_CONSUME_HEADER, runPerfConsume,
} from '../../src/cli/perf-consume.js'
import {Consumer} from '../../src/consumer/index.js'

/** samsa perf consume: Kafka's consumer performance test. */
export default class PerfConsume extends ClientCommand {
  static summary = 'Measure consumer throughput, like kafka-consumer-perf-test.'
  static description = 'Reads --messages records from the beginning of --topic as fast as the consumer delivers them and prints Kafka\'s figures: start and end time, MB and records consumed and their rates, the time until partitions were assigned (rebalance.time.ms) and the fetch rates after it. Without --group every partition is assigned directly (rebalance.time.ms is then 0); with --group the consumer joins the group and starts from its committed offsets (earliest without). Consumer settings come from -X/--consumer-props and --command-config; max.poll.records defaults to 10000 here.'
  static examples = [
    '<%= config.bin %> perf consume --topic perf --messages 1000000',
    '<%= config.bin %> perf consume --topic perf --messages 1000000 --group perf-consumer --json',
    '<%= config.bin %> perf consume --topic perf --messages 500000 -X fetch.max.wait.ms=100 --show-detailed-stats --reporting-interval 1000',
  ]
  static flags = {
    topic: Flags.string({char: 't', summary: 'Topic to read.', required: true}),
    messages: Flags.integer({summary: 'Number of records to read.', required: true, min: 1}),
    group: Flags.string({char: 'g', summary: 'Consumer group to join (default: partition mode, no group).'}),
    timeout: Flags.integer({summary: 'Stop after this many ms without a record.', default: 10_000, min: 1}),
    'show-detailed-stats': Flags.boolean({summary: 'Print a line every --reporting-interval.'}),
    'reporting-interval': Flags.integer({summary: 'Interval of the detailed stats in ms.', default: 5000, min: 1}),
    'hide-header': Flags.boolean({summary: 'Do not print the header line.'}),
    'consumer-props': Flags.string({summary: 'Consumer property KEY=VALUE (Kafka spelling of -X; repeatable).', multiple: true}),
  }

  async run(): Promise<object> {
    const {flags} = await this.parse(PerfConsume)
    const json = this.jsonEnabled()
    const props = {...this.clientProps(flags), ...parseKeyValues(flags['consumer-props'], '--consumer-props')}
    const config = consumerConfig(props, {})
    if (props['max.poll.records'] === undefined) config.maxPollRecords = 10_000
    if (props['auto.offset.reset'] === undefined) config.autoOffsetReset = 'earliest'
    if (flags.group !== undefined) config.groupId = flags.group
    const consumer = new Consumer(config)
    this.onCleanup(() => consumer.close())
    // Looked up before the clock starts, as an application calls partitionsFor() before assign().
    const partitions = await topicPartitions(consumer, [flags.topic])
    const detailed = flags['show-detailed-stats'] && !json
    if (detailed && !flags['hide-header']) this.out(PERF_CONSUME_DETAIL_HEADER)
    const report = await runPerfConsume(consumer, {
      topics: [flags.topic],
      partitions: flags.group === undefined ? partitions : undefined,
      messages: flags.messages,
      timeoutMs: flags.timeout,
      reportingIntervalMs: detailed ? flags['reporting-interval'] : 0,
      onReport: (r) => this.out(formatPerfConsumeWindow(r)),
    })
    await consumer.close()
    if (report.timedOut) this.err(`WARNING: Exiting before consuming the expected number of messages: timeout (${flags.timeout} ms) exceeded. You can use the --timeout option to increase the timeout.`)
    if (!json) {
      if (!flags['hide-header']) this.out(PERF_CONSUME_HEADER)
      this.out(formatPerfConsume(report))
    }
    return {topic: flags.topic, group: flags.group ?? null, ...report}
  }
}
