/**
 * Broker ingest benchmark: kcat produces the same 1,000,000 records of 100 bytes with acks=1 into
 * samsa's broker (writing to disk) and into librdkafka's in-memory mock cluster, in one run, and
 * reports both rates and their ratio: the median over rounds of each round's samsa/mock ratio, the two runs
 * of a round being back to back in alternating order. Figures go to bench/results/ingest.json.
 *
 * Before the measured rounds, `--warmup` rounds per side let samsa's JIT reach optimized code (its
 * first three runs cost about twice the CPU of later ones; the mock is C and has nothing to warm up);
 * they are reported but not in the ratio, as a broker's ingest rate is what it sustains once running.
 * The ratio comes with a 95% bootstrap interval over the rounds, since the host's load moves single
 * rounds by +-10% or more.
 *
 * Usage: npm run bench:ingest [-- --records N --size BYTES --rounds R --warmup W]
 */
import {spawnSync} from 'node:child_process'
import {readFileSync, rmSync, openSync, closeSync} from 'node:fs'
import {join} from 'node:path'
import {arg, countRecords, median, repo, startAndWait, stopProcess, writeResult, prepareBench, runBench} from './common.js'

const records = arg('records', 1_000_000)
const size = arg('size', 100)
// Both sides share a 2-core machine with kcat, whose own work is most of each run, and rounds vary by
// +-10% with the host's load: 25 paired rounds put the median ratio within a few percent (see its interval).
const rounds = arg('rounds', 25)
const warmup = arg('warmup', 3)
const partitions = 4 // the mock cluster auto-creates topics with 4 partitions; samsa is given the same

/** Runs kcat as a producer of the input file and returns the wall time in ms. */
function kcatProduce(bootstrap: string, topic: string, input: string): number {
  const fd = openSync(input, 'r')
  const t0 = process.hrtime.bigint()
  const res = spawnSync('kcat', ['-P', '-b', bootstrap, '-t', topic, '-X', 'acks=1'], {stdio: [fd, 'ignore', 'pipe'], timeout: 300_000})
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  closeSync(fd)
  if (res.status !== 0) throw new Error(`kcat failed (${res.status}): ${res.stderr}`)
  if (/ERROR|failed/i.test(String(res.stderr))) throw new Error(`kcat reported errors: ${res.stderr}`)
  return ms
}


const CLOCK_TICKS = 100 // USER_HZ on Linux
/** CPU seconds (user + system, all threads) a process has used so far, from /proc; NaN elsewhere. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
  } catch {
    return NaN
  }
}

/**
 * 95% percentile-bootstrap interval of the median of `xs`: 2,000 resamples drawn with a fixed-seed
 * generator, so the same rounds always give the same interval.
 */
function bootstrapMedianInterval(xs: number[]): [number, number] {
  let seed = 0x2545f491
  const next = (): number => {
    // xorshift32: enough for resampling indices, and reproducible.
    seed ^= seed << 13
    seed ^= seed >>> 17
    seed ^= seed << 5
    return (seed >>> 0) / 2 ** 32
  }
  const medians: number[] = []
  for (let b = 0; b < 2000; b++) medians.push(median(xs.map(() => xs[Math.floor(next() * xs.length)])))
  medians.sort((a, b) => a - b)
  return [medians[Math.floor(0.025 * medians.length)], medians[Math.floor(0.975 * medians.length)]]
}

async function main(): Promise<void> {
  const {work, input} = await prepareBench('ingest', records, size)

  const mock = await startAndWait(join(repo, '..', 'shared', 'tools', 'mock-cluster'), [], /bootstrap=(\S+)/)
  const samsa = await startAndWait(process.execPath, [join(repo, 'bin', 'run.js'), 'broker', 'start', '--listen', '127.0.0.1:0',
    '--data-dir', join(work, 'samsa'), '--set', `num.partitions=${partitions}`], /ready on (\S+)/)
  const peers = {mock: mock.match[1], samsa: samsa.match[1]}
  const pids = {mock: mock.child.pid, samsa: samsa.child.pid}
  const times: Record<string, number[]> = {mock: [], samsa: []}
  const cpu: Record<string, number[]> = {mock: [], samsa: []}
  const warmupTimes: Record<string, number[]> = {mock: [], samsa: []}
  try {
    for (let r = 0; r < warmup + rounds; r++) {
      const warming = r < warmup
      // Who goes first alternates, so neither side always runs right after the other's disk writes.
      for (const name of r % 2 === 0 ? ['mock', 'samsa'] as const : ['samsa', 'mock'] as const) {
        const topic = `ingest-${r}`
        const cpu0 = cpuSeconds(pids[name])
        const ms = kcatProduce(peers[name], topic, input)
        const cpuUsed = Number((cpuSeconds(pids[name]) - cpu0).toFixed(2))
        const stored = countRecords(peers[name], topic, partitions)
        if (stored !== records) throw new Error(`${name}: ${stored} records stored, expected ${records}`)
        if (warming) {
          warmupTimes[name].push(Math.round(ms))
        } else {
          times[name].push(ms)
          cpu[name].push(cpuUsed)
        }
        const label = warming ? `warm-up ${r + 1}` : `round ${r - warmup + 1}`
        console.log(`${label} ${name}: ${records} records in ${ms.toFixed(0)} ms = ${Math.round(records / ms * 1000)} records/s, server CPU ${cpuUsed} s`)
      }
    }
  } finally {
    for (const {child} of [samsa, mock]) {
      await stopProcess(child)
    }
  }
  const rate = (name: string): number => Math.round(records / median(times[name]) * 1000)
  // Each round's two runs are back to back and share the machine's load of the moment; the median of
  // their ratios is steadier on a shared host than the ratio of the two medians, and both are reported.
  const roundRatios = times.samsa.map((ms, r) => Number((times.mock[r] / ms).toFixed(3)))
  const ratioCi95 = bootstrapMedianInterval(roundRatios)
  const result = {
    benchmark: 'ingest', date: new Date().toISOString(), records, recordBytes: size, acks: 1, partitions, rounds, warmup,
    mockRecordsPerSec: rate('mock'), samsaRecordsPerSec: rate('samsa'),
    ratio: median(roundRatios), ratioCi95, ratioOfMedians: Number((rate('samsa') / rate('mock')).toFixed(3)), roundRatios, timesMs: times,
    // CPU the server process used during each run: on a 2-core machine it competes with kcat itself.
    serverCpuSeconds: cpu,
    warmupTimesMs: warmupTimes,
  }
  console.log(`server CPU per run, median: samsa ${median(cpu.samsa)} s, mock ${median(cpu.mock)} s`)
  console.log(`median: samsa ${result.samsaRecordsPerSec} records/s, mock ${result.mockRecordsPerSec} records/s; ` +
    `samsa/mock per round ${roundRatios.join(', ')}: median ${result.ratio}, 95% interval ${ratioCi95.join('-')} ` +
    `(ratio of the medians ${result.ratioOfMedians})`)
  writeResult('ingest', result)
  rmSync(work, {recursive: true, force: true})
}

runBench(main)
