import {Flags} from '@oclif/core'
import type {Ora} from 'ora'
import {ClientCommand} from '../../src/cli/base-command.js'
import {UsageError} from '../../src/cli/errors.js'
import {parseKeyValues} from '../../src/cli/kv.js'
import {formatSummary, formatWindow} from '../../src/cli/perf-stats.js'
import {runPerfProduce} from '../../src/cli/perf-produce.js'
import {recordErrorLine} from '../../src/cli/produce-run.js'
import {producerConfig, producerFlags, producerProps} from '../../src/cli/producer-options.js'
import {Producer} from '../../src/producer/index.js'

/** Errors printed before the rest are only counted. */
const MAX_ERROR_LINES = 10

/** samsa perf produce: Kafka's producer performance test. */
export default class PerfProduce extends ClientCommand {
  static summary = 'Measure producer throughput and latency, like kafka-producer-perf-test.'
  static description = 'Sends --num-records records of --record-size random bytes (one payload, made once) as fast as the producer takes them, or at --throughput records/s. Prints a progress line every 5 s and then a summary: records/sec, MB/sec, average and maximum latency, and the 50th, 95th, 99th and 99.9th percentile latencies, measured from send to acknowledgement. Producer settings come from the flags, -X/--producer-props KEY=VALUE and --command-config.'
  static examples = [
    '<%= config.bin %> perf produce --topic perf --num-records 1000000 --record-size 100',
    '<%= config.bin %> perf produce --topic perf --num-records 100000 --record-size 1000 --throughput 20000 --acks 1',
    '<%= config.bin %> perf produce --topic perf --num-records 5000000 --record-size 100 -X buffer.memory=33554432 -z lz4 --json',
  ]
  static flags = {
    topic: Flags.string({char: 't', summary: 'Topic to produce to.', required: true}),
    'num-records': Flags.integer({summary: 'Number of records to send.', required: true, min: 1}),
    'record-size': Flags.integer({summary: 'Bytes per record value.', required: true, min: 0}),
    throughput: Flags.integer({summary: 'Maximum records per second; -1 for no limit.', default: -1}),
    'producer-props': Flags.string({summary: 'Producer property KEY=VALUE (Kafka spelling of -X; repeatable).', multiple: true}),
    ...producerFlags,
  }

  async run(): Promise<object> {
    const {flags} = await this.parse(PerfProduce)
    if (flags.throughput === 0 || flags.throughput < -1) throw new UsageError('--throughput must be a positive number of records per second, or -1 for no limit')
    const json = this.jsonEnabled()
    const props = producerProps(flags, {...this.clientProps(flags), ...parseKeyValues(flags['producer-props'], '--producer-props')})
    const config = producerConfig(props)
    const producer = new Producer(config)
    this.onCleanup(() => producer.close())

    // A spinner only when a person watches; piped output gets plain lines a script can parse.
    // ora is loaded only then: it is a noticeable part of start-up.
    const spinner: Ora | null = !json && process.stdout.isTTY && process.stderr.isTTY
      ? (await import('ora')).default({text: 'connecting', stream: process.stderr}).start() : null
    this.onCleanup(() => void spinner?.stop())
    const print = (line: string): void => {
      spinner?.clear()
      this.out(line)
      spinner?.render()
    }
    let errors = 0
    const total = flags['num-records']
    const summary = await runPerfProduce(producer, {
      topic: flags.topic,
      numRecords: total,
      recordSize: flags['record-size'],
      throughput: flags.throughput,
      maxPendingBytes: config.bufferMemory ?? 32 * 1024 * 1024,
      onWindow: json ? undefined : (w) => print(formatWindow(w)),
      onProgress: spinner ? (sent, acked) => (spinner.text = `${acked} of ${total} records acknowledged (${sent} sent)`) : undefined,
      onError: (err) => {
        if (++errors <= MAX_ERROR_LINES) {
          spinner?.clear()
          this.err(`samsa: ${recordErrorLine(err, flags.topic)}`)
        }
      },
    })
    spinner?.stop()
    if (!json) this.out(formatSummary(summary))
    if (summary.failed > 0) {
      if (!json) this.err(`samsa: ${summary.failed} of ${total} records failed`)
      process.exitCode = 1
    }
    return {topic: flags.topic, recordSize: flags['record-size'], throughput: flags.throughput, ...summary}
  }
}
