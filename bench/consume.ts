/**
 * Consumer benchmark: one samsa broker (the built binary, data on disk, 4 partitions) loaded once
 * by kcat -P with 1,000,000 records of 100 bytes, then read in full, in rotating order for R rounds, by
 *   - `samsa perf consume` (samsa's consumer engine, partition mode),
 *   - kcat -C -e -o beginning (librdkafka), output to /dev/null,
 *   - kafkajs 2.2.4, its fastest way: a group consumer with eachBatch (kafkajs has no assign mode).
 * The broker runs with group.initial.rebalance.delay.ms=0 so kafkajs does not wait for a group.
 * Reports wall-clock rates of each client process (start-up included) and, where the client
 * measures itself, its own rate (samsa: fetch.nMsg.sec; kafkajs: the same span, from its group join); the ratios
 * samsa/kcat and samsa/kafkajs (self-measured also as the median of per-round ratios, as bench/ingest
 * does); and each client's peak RSS (VmHWM polled from /proc). Figures go to bench/results/consume.json.
 *
 * Usage: node dist/bench/consume.js [--records N] [--size BYTES] [--rounds R]
 */
import {spawnSync} from 'node:child_process'
import {rmSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {arg, dropNodeStartupExtras, median, runClient, samsaBin, startSamsaBroker, stopProcess, writeResult, prepareBench, runBench} from './common.js'

const records = arg('records', 1_000_000)
const size = arg('size', 100)
const rounds = arg('rounds', 7)
const partitions = 4
const topic = 'consume-bench'

/** One client run: wall time, the client's own rate when it reports one, peak RSS. */
interface Run { wallMs: number; selfRate?: number; peakRssMb: number }

/**
 * The kafkajs side, in its own process: a group consumer with eachBatch. Prints {"ms", "records"}, timed
 * as Kafka's perf tool times samsa's fetch.nMsg.sec: from the end of the group join (GROUP_JOIN) to the
 * last record, so its first fetch counts and its rebalance does not.
 */
async function kafkajsWorker(bootstrap: string, topicName: string, n: number, group: string): Promise<void> {
  const {Kafka, logLevel} = await import('kafkajs')
  const kafka = new Kafka({clientId: 'bench-kafkajs', brokers: [bootstrap], logLevel: logLevel.NOTHING})
  const consumer = kafka.consumer({groupId: group, maxBytesPerPartition: 1048576, maxBytes: 52428800})
  await consumer.connect()
  await consumer.subscribe({topics: [topicName], fromBeginning: true})
  let count = 0
  let t0 = 0n
  consumer.on(consumer.events.GROUP_JOIN, () => {
    if (t0 === 0n) t0 = process.hrtime.bigint()
  })
  const done = new Promise<number>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async ({batch}) => {
        if (t0 === 0n) t0 = process.hrtime.bigint()
        count += batch.messages.length
        if (count >= n) resolve(Number(process.hrtime.bigint() - t0) / 1e6)
      },
    })
  })
  const ms = await done
  await consumer.disconnect()
  process.stdout.write(JSON.stringify({ms, records: count}) + '\n')
}


async function main(): Promise<void> {
  dropNodeStartupExtras()
  const {work, input} = await prepareBench('consume', records, size)
  const {child: broker, bootstrap} = await startSamsaBroker(join(work, 'data'), [`num.partitions=${partitions}`, 'group.initial.rebalance.delay.ms=0'])
  try {
    const created = spawnSync(process.execPath, [samsaBin, 'topic', 'create', topic, '--partitions', String(partitions), '-b', bootstrap], {encoding: 'utf8'})
    if (created.status !== 0) throw new Error(`topic create: ${created.stderr}`)
    const load = await runClient('kcat', ['-P', '-b', bootstrap, '-t', topic, '-X', 'acks=1'], {stdinFile: input})
    console.log(`loaded ${records} records of ${size} bytes with kcat -P in ${load.wallMs.toFixed(0)} ms`)

    const clients = {
      samsa: async (): Promise<Run> => {
        const r = await runClient(process.execPath, [samsaBin, 'perf', 'consume', '--topic', topic, '--messages', String(records), '--json', '-b', bootstrap])
        const doc = JSON.parse(r.stdout)
        if (doc.records < records) throw new Error(`samsa read ${doc.records} records, expected ${records}`)
        return {wallMs: r.wallMs, selfRate: Math.round(doc.fetchRecordsPerSec), peakRssMb: r.peakRssMb}
      },
      kcat: async (): Promise<Run> => {
        const r = await runClient('kcat', ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q'], {discardStdout: true})
        return {wallMs: r.wallMs, peakRssMb: r.peakRssMb}
      },
      kafkajs: async (round: number): Promise<Run> => {
        const r = await runClient(process.execPath, [fileURLToPath(import.meta.url), '--kafkajs-worker', bootstrap, topic, String(records), `bench-kafkajs-${round}`])
        const doc = JSON.parse(r.stdout)
        if (doc.records < records) throw new Error(`kafkajs read ${doc.records} records, expected ${records}`)
        return {wallMs: r.wallMs, selfRate: Math.round(records / doc.ms * 1000), peakRssMb: r.peakRssMb}
      },
    }
    const runs: Record<string, Run[]> = {samsa: [], kcat: [], kafkajs: []}
    for (let round = 0; round < rounds; round++) {
      // The order rotates each round, so no client always runs right after the same other one.
      const order = Object.entries(clients)
      for (const [name, run] of [...order.slice(round % order.length), ...order.slice(0, round % order.length)]) {
        const r = await run(round)
        runs[name].push(r)
        const self = r.selfRate ? `, ${r.selfRate} records/s measured by the client` : ''
        console.log(`round ${round + 1} ${name}: ${records} records in ${r.wallMs.toFixed(0)} ms wall = ${Math.round(records / r.wallMs * 1000)} records/s${self}, peak RSS ${r.peakRssMb} MB`)
      }
    }
    const wallRate = (name: string): number => Math.round(records / median(runs[name].map((r) => r.wallMs)) * 1000)
    const selfRate = (name: string): number => median(runs[name].map((r) => r.selfRate!))
    const peak = (name: string): number => Math.max(...runs[name].map((r) => r.peakRssMb))
    const result = {
      benchmark: 'consume', date: new Date().toISOString(), records, recordBytes: size, partitions, rounds,
      recordsPerSecWallClock: {samsa: wallRate('samsa'), kcat: wallRate('kcat'), kafkajs: wallRate('kafkajs')},
      recordsPerSecSelfMeasured: {samsa: selfRate('samsa'), kafkajs: selfRate('kafkajs')},
      ratios: {
        samsaOverKcatWallClock: Number((wallRate('samsa') / wallRate('kcat')).toFixed(3)),
        samsaOverKafkajsWallClock: Number((wallRate('samsa') / wallRate('kafkajs')).toFixed(3)),
        samsaOverKafkajsSelfMeasured: Number((selfRate('samsa') / selfRate('kafkajs')).toFixed(3)),
        // Each round's two runs are seconds apart and share the machine's speed of the moment, so
        // the median of per-round ratios is steadier than the ratio of medians when that speed drifts.
        samsaOverKafkajsSelfMeasuredPerRound: median(runs.samsa.map((r, i) => Number((r.selfRate! / runs.kafkajs[i].selfRate!).toFixed(3)))),
        goals: 'samsa/kcat >= 1, samsa/kafkajs >= 10',
      },
      peakRssMb: {samsa: peak('samsa'), kcat: peak('kcat'), kafkajs: peak('kafkajs')},
      runs,
    }
    console.log(`median wall-clock rates: samsa ${result.recordsPerSecWallClock.samsa}, kcat ${result.recordsPerSecWallClock.kcat}, kafkajs ${result.recordsPerSecWallClock.kafkajs} records/s; ` +
      `samsa/kcat ${result.ratios.samsaOverKcatWallClock}, samsa/kafkajs ${result.ratios.samsaOverKafkajsWallClock} (self-measured ${result.ratios.samsaOverKafkajsSelfMeasured}, median of per-round ratios ${result.ratios.samsaOverKafkajsSelfMeasuredPerRound})`)
    writeResult('consume', result)
  } finally {
    await stopProcess(broker)
    rmSync(work, {recursive: true, force: true})
  }
}

runBench(main, ([bootstrap, topicName, n, group]) => kafkajsWorker(bootstrap, topicName, Number(n), group))
