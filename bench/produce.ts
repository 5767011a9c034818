/**
 * Producer benchmark: against one samsa broker (the built binary, data on disk, 4 partitions),
 * alternating for R rounds, 1,000,000 records of 100 bytes with acks=1 from
 *   - `samsa perf produce` (samsa's producer engine),
 *   - kcat -P (librdkafka), reading the same count and size of lines from a file,
 *   - kafkajs 2.2.4, with its fastest usage: big arrays per send(), several sends in flight,
 *   - `samsa perf produce` once more with Kafka's own defaults (batch.size 16384), for reference.
 * samsa and kcat run with the same batching, given explicitly to both: librdkafka's defaults
 * batch.size=1000000 and linger.ms=5 (--batch-size/--linger-ms change them). Every run is checked
 * (the partitions' high watermarks add up to the count). Reports, per client: the rate from
 * wall-clock time of the whole process; its start-up cost (the median wall time of a 1-record run:
 * process start, connect, close) and the rate net of it; and where the client measures itself,
 * its own rate; the ratios samsa/kcat and samsa/kafkajs; and each client's peak RSS (VmHWM, polled
 * from /proc). Then 5,000,000 records with buffer.memory=32 MiB at Kafka's default batch.size for
 * samsa's peak RSS. Figures go to bench/results/produce.json.
 *
 * Usage: node dist/bench/produce.js [--records N] [--size BYTES] [--rounds R] [--big N (0 skips)]
 *        [--batch-size BYTES] [--linger-ms MS]
 */
import {spawnSync} from 'node:child_process'
import {rmSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {arg, countRecords, dropNodeStartupExtras, median, runClient, samsaBin, startSamsaBroker, stopProcess, writeResult, prepareBench, writeInput, runBench} from './common.js'

const records = arg('records', 1_000_000)
const size = arg('size', 100)
const rounds = arg('rounds', 3)
const big = arg('big', 5_000_000)
const batchSize = arg('batch-size', 1_000_000)
const lingerMs = arg('linger-ms', 5)
const partitions = 4
/** Kafka's default batch.size, for the reference run and the memory run. */
const KAFKA_BATCH_SIZE = 16384
/** Runs of one record that measure a client's fixed cost. */
const STARTUP_RUNS = 3

/** One client run: wall time, the client's own rate when it reports one, peak RSS. */
interface Run { wallMs: number; selfRate?: number; peakRssMb: number }

/** A client: runs `n` records into a topic. */
type Client = (topic: string, n: number) => Promise<Run>

/** The kafkajs side, run in its own process: prints {"ms": ...} measured from the first send. */
async function kafkajsWorker(bootstrap: string, topic: string, n: number, bytes: number): Promise<void> {
  const {Kafka, logLevel} = await import('kafkajs')
  const kafka = new Kafka({clientId: 'bench-kafkajs', brokers: [bootstrap], logLevel: logLevel.NOTHING})
  const producer = kafka.producer({allowAutoTopicCreation: false})
  await producer.connect()
  const value = Buffer.alloc(bytes, 'x')
  // kafkajs spends its time per message; big arrays and a few sends in flight are its best case.
  const perSend = 10_000
  const inFlight = 4
  const messages = Array.from({length: perSend}, () => ({value}))
  let next = 0
  const t0 = process.hrtime.bigint()
  const lane = async (): Promise<void> => {
    while (next < n) {
      const count = Math.min(perSend, n - next)
      next += count
      await producer.send({topic, acks: 1, messages: count === perSend ? messages : messages.slice(0, count)})
    }
  }
  await Promise.all(Array.from({length: inFlight}, lane))
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  await producer.disconnect()
  process.stdout.write(JSON.stringify({ms}) + '\n')
}


async function main(): Promise<void> {
  dropNodeStartupExtras()
  const {work, input} = await prepareBench('produce', records, size)
  const oneLine = join(work, 'one.txt')
  await writeInput(oneLine, 1, size)
  const {child: broker, bootstrap} = await startSamsaBroker(join(work, 'data'), [`num.partitions=${partitions}`])
  try {
    const createTopic = (topic: string): void => {
      const r = spawnSync(process.execPath, [samsaBin, 'topic', 'create', topic, '--partitions', String(partitions), '-b', bootstrap], {encoding: 'utf8'})
      if (r.status !== 0) throw new Error(`topic create ${topic}: ${r.stderr}`)
    }
    const samsaPerf = (batch: number) => async (topic: string, n: number): Promise<Run> => {
      const r = await runClient(process.execPath, [samsaBin, 'perf', 'produce', '--topic', topic, '--num-records', String(n),
        '--record-size', String(size), '--acks', '1', '-X', `batch.size=${batch}`, '-X', `linger.ms=${lingerMs}`, '--json', '-b', bootstrap])
      return {wallMs: r.wallMs, selfRate: Math.round(JSON.parse(r.stdout).recordsPerSec), peakRssMb: r.peakRssMb}
    }
    const clients: Record<string, Client> = {
      samsa: samsaPerf(batchSize),
      kcat: async (topic, n) => {
        const r = await runClient('kcat', ['-P', '-b', bootstrap, '-t', topic, '-X', 'acks=1', '-X', `batch.size=${batchSize}`,
          '-X', `linger.ms=${lingerMs}`], {stdinFile: n === records ? input : oneLine})
        return {wallMs: r.wallMs, peakRssMb: r.peakRssMb}
      },
      kafkajs: async (topic, n) => {
        const r = await runClient(process.execPath, [fileURLToPath(import.meta.url), '--kafkajs-worker', bootstrap, topic, String(n), String(size)])
        return {wallMs: r.wallMs, selfRate: Math.round(n / JSON.parse(r.stdout).ms * 1000), peakRssMb: r.peakRssMb}
      },
      samsaKafkaDefaults: samsaPerf(KAFKA_BATCH_SIZE),
    }
    // Fixed cost of each process (start-up, connect, close), so the rates can be given net of it.
    const startupMs: Record<string, number> = {}
    for (const name of ['samsa', 'kcat']) {
      const times: number[] = []
      for (let i = 0; i < STARTUP_RUNS; i++) {
        const topic = `produce-startup-${name}-${i}`
        createTopic(topic)
        times.push((await clients[name](topic, 1)).wallMs)
      }
      startupMs[name] = Math.round(median(times))
      console.log(`${name} start-up (1 record, whole process): ${startupMs[name]} ms`)
    }
    startupMs.samsaKafkaDefaults = startupMs.samsa
    const runs: Record<string, Run[]> = Object.fromEntries(Object.keys(clients).map((k) => [k, [] as Run[]]))
    for (let round = 0; round < rounds; round++) {
      for (const [name, run] of Object.entries(clients)) {
        const topic = `produce-${name}-${round}`
        createTopic(topic)
        const r = await run(topic, records)
        const stored = countRecords(bootstrap, topic, partitions)
        if (stored !== records) throw new Error(`${name}: ${stored} records stored, expected ${records}`)
        runs[name].push(r)
        const self = r.selfRate ? `, ${r.selfRate} records/s measured by the client` : ''
        const net = startupMs[name] ? `, ${Math.round(records / (r.wallMs - startupMs[name]) * 1000)} records/s net of start-up` : ''
        console.log(`round ${round + 1} ${name}: ${records} records in ${r.wallMs.toFixed(0)} ms wall = ${Math.round(records / r.wallMs * 1000)} records/s${net}${self}, peak RSS ${r.peakRssMb} MB`)
      }
    }
    const names = Object.keys(clients)
    const medianWall = (name: string): number => median(runs[name].map((r) => r.wallMs))
    const wallRate = (name: string): number => Math.round(records / medianWall(name) * 1000)
    const netRate = (name: string): number | undefined => startupMs[name] === undefined ? undefined : Math.round(records / (medianWall(name) - startupMs[name]) * 1000)
    const selfRate = (name: string): number | undefined => runs[name][0].selfRate === undefined ? undefined : median(runs[name].map((r) => r.selfRate!))
    const peak = (name: string): number => Math.max(...runs[name].map((r) => r.peakRssMb))
    const per = <T>(f: (name: string) => T): Record<string, T> => Object.fromEntries(names.map((n) => [n, f(n)]))
    const ratio = (a: number | undefined, b: number | undefined): number | undefined => a && b ? Number((a / b).toFixed(3)) : undefined

    let bigRun: {records: number; bufferMemory: number; batchSize: number; wallMs: number; recordsPerSec: number; peakRssMb: number} | undefined
    if (big > 0) {
      const topic = 'produce-samsa-big'
      createTopic(topic)
      const r = await runClient(process.execPath, [samsaBin, 'perf', 'produce', '--topic', topic, '--num-records', String(big),
        '--record-size', String(size), '--acks', '1', '-X', 'buffer.memory=33554432', '-X', `batch.size=${KAFKA_BATCH_SIZE}`, '--json', '-b', bootstrap])
      const stored = countRecords(bootstrap, topic, partitions)
      if (stored !== big) throw new Error(`big run: ${stored} records stored, expected ${big}`)
      bigRun = {records: big, bufferMemory: 33554432, batchSize: KAFKA_BATCH_SIZE, wallMs: Math.round(r.wallMs), recordsPerSec: Math.round(JSON.parse(r.stdout).recordsPerSec), peakRssMb: r.peakRssMb}
      console.log(`samsa ${big} records with buffer.memory=32 MiB: peak RSS ${r.peakRssMb} MB (goal < 200 MB), ${bigRun.recordsPerSec} records/s`)
    }

    const result = {
      benchmark: 'produce', date: new Date().toISOString(), records, recordBytes: size, acks: 1, partitions, rounds,
      batching: {batchSize, lingerMs, appliedTo: 'samsa and kcat (-X batch.size, -X linger.ms); samsaKafkaDefaults uses batch.size 16384'},
      startupMs,
      recordsPerSecWallClock: per(wallRate),
      recordsPerSecNetOfStartup: per(netRate),
      recordsPerSecSelfMeasured: per(selfRate),
      ratios: {
        samsaOverKcatWallClock: ratio(wallRate('samsa'), wallRate('kcat')),
        samsaOverKcatNetOfStartup: ratio(netRate('samsa'), netRate('kcat')),
        samsaSelfMeasuredOverKcatNetOfStartup: ratio(selfRate('samsa'), netRate('kcat')),
        samsaOverKafkajsWallClock: ratio(wallRate('samsa'), wallRate('kafkajs')),
        samsaOverKafkajsSelfMeasured: ratio(selfRate('samsa'), selfRate('kafkajs')),
        goals: 'samsa/kcat >= 1, samsa/kafkajs >= 10',
      },
      peakRssMb: per(peak),
      bigRun,
      runs,
    }
    const r = result.ratios
    console.log(`median rates (records/s): wall ${JSON.stringify(result.recordsPerSecWallClock)}; net of start-up ${JSON.stringify(result.recordsPerSecNetOfStartup)}; ` +
      `self-measured ${JSON.stringify(result.recordsPerSecSelfMeasured)}`)
    console.log(`samsa/kcat: wall ${r.samsaOverKcatWallClock}, net of start-up ${r.samsaOverKcatNetOfStartup}, samsa self-measured over kcat net ${r.samsaSelfMeasuredOverKcatNetOfStartup}; ` +
      `samsa/kafkajs: wall ${r.samsaOverKafkajsWallClock}, self-measured ${r.samsaOverKafkajsSelfMeasured}`)
    writeResult('produce', result)
  } finally {
    await stopProcess(broker)
    rmSync(work, {recursive: true, force: true})
  }
}

runBench(main, ([bootstrap, topic, n, bytes]) => kafkajsWorker(bootstrap, topic, Number(n), Number(bytes)))
