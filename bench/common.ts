/**
 * What the benchmark scripts share: their command-line options, the input file kcat produces from,
 * running a client process while sampling its peak memory, and counting what a topic holds.
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {closeSync, createWriteStream, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import {once} from 'node:events'

/** The repository root (benchmarks run from dist/bench). */
export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
/** The samsa binary. */
export const samsaBin = join(repo, 'bin', 'run.js')

/** A numeric `--name N` option, or `dflt`. */
export function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : dflt
}

/** The middle value (the upper one of an even count). */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** Writes `n` newline-separated values of exactly `size` bytes, each numbered so none repeats. */
export async function writeInput(file: string, n: number, size: number): Promise<void> {
  const out = createWriteStream(file)
  const pad = 'x'.repeat(size)
  for (let i = 0; i < n; i++) {
    if (!out.write((String(i).padStart(10, '0') + pad).slice(0, size) + '\n')) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}

/** What every benchmark starts with: kcat present, a fresh work dir, and its input file of `n` values of `size` bytes. */
export async function prepareBench(name: string, n: number, size: number): Promise<{work: string; input: string}> {
  if (spawnSync('kcat', ['-V']).status !== 0) throw new Error('kcat is not installed (apt-get install -y kcat)')
  const work = mkdtempSync(join(tmpdir(), `samsa-bench-${name}-`))
  const input = join(work, 'input.txt')
  await writeInput(input, n, size)
  return {work, input}
}

/** Peak RSS (VmHWM) of a live process in MB, or 0 once it is gone. */
function vmHwmMb(pid: number | undefined): number {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/)
    return m ? Number(m[1]) / 1024 : 0
  } catch {
    return 0
  }
}

/**
 * Runs a client to completion (stdin from a file, stdout to /dev/null when asked), polling its peak
 * RSS; rejects on a non-zero exit or, for kcat, on errors it reports.
 */
export async function runClient(cmd: string, args: string[], io: {stdinFile?: string; discardStdout?: boolean} = {}): Promise<{wallMs: number; stdout: string; peakRssMb: number}> {
  const fdIn = io.stdinFile ? openSync(io.stdinFile, 'r') : 'ignore'
  const fdOut = io.discardStdout ? openSync('/dev/null', 'w') : 'pipe'
  const t0 = process.hrtime.bigint()
  const child: ChildProcess = spawn(cmd, args, {cwd: repo, stdio: [fdIn, fdOut, 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d) => (stdout += d))
  child.stderr!.on('data', (d) => (stderr += d))
  let peak = 0
  const poll = setInterval(() => (peak = Math.max(peak, vmHwmMb(child.pid))), 20)
  const timeout = setTimeout(() => child.kill('SIGKILL'), 600_000)
  const [code] = (await once(child, 'exit')) as [number | null]
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6
  clearInterval(poll)
  clearTimeout(timeout)
  if (typeof fdIn === 'number') closeSync(fdIn)
  if (typeof fdOut === 'number') closeSync(fdOut)
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${stderr}`)
  if (cmd === 'kcat' && /ERROR|failed/i.test(stderr)) throw new Error(`kcat reported errors: ${stderr}`)
  return {wallMs, stdout, peakRssMb: Number(peak.toFixed(1))}
}

/** Sums the high watermarks of a topic's partitions, as kcat sees them. */
export function countRecords(bootstrap: string, topic: string, partitions: number): number {
  let total = 0
  for (let p = 0; p < partitions; p++) {
    const res = spawnSync('kcat', ['-Q', '-b', bootstrap, '-t', `${topic}:${p}:-1`], {encoding: 'utf8', timeout: 30_000})
    const m = res.stdout.match(/offset (\d+)/)
    if (m) total += Number(m[1])
  }
  return total
}

/** Starts a child process and resolves with the first stdout line that matches `re`. */
export function startAndWait(cmd: string, args: string[], re: RegExp, cwd = repo): Promise<{child: ChildProcess; match: RegExpMatchArray}> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {cwd, stdio: ['ignore', 'pipe', 'pipe']})
    let buf = ''
    let err = ''
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start in 20 s: ${err}`)), 20_000)
    child.stdout!.on('data', (d) => {
      buf += d
      const m = buf.match(re)
      if (m) {
        clearTimeout(timer)
        resolve({child, match: m})
      }
    })
    child.stderr!.on('data', (d) => (err += d))
    child.on('exit', (code) => reject(new Error(`${cmd} exited with ${code}: ${err}`)))
    // A missing program (the mock cluster lives in ../shared, next to the repository) is one clear line.
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(new Error(`cannot start ${cmd}: ${e.message}`))
    })
  })
}

/** Starts samsa's broker (the built binary) on a free port; resolves once it is ready. */
export async function startSamsaBroker(dataDir: string, sets: string[]): Promise<{child: ChildProcess; bootstrap: string}> {
  const {child, match} = await startAndWait(process.execPath, [samsaBin, 'broker', 'start', '--listen', '127.0.0.1:0', '--data-dir', dataDir,
    ...sets.flatMap((s) => ['--set', s])], /ready on (\S+)/)
  return {child, bootstrap: match[1]}
}

/**
 * Some machines (this project's sandbox among them) set NODE_EXTRA_CA_CERTS, which makes every Node
 * process read a CA bundle at start-up (~100 ms here). No client here uses TLS, and kcat pays no
 * such cost, so the Node clients (samsa and kafkajs alike) run without it.
 */
export function dropNodeStartupExtras(): void {
  delete process.env.NODE_EXTRA_CA_CERTS
}

/** Stops a server started by startAndWait (SIGTERM) and waits for it to exit. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  child.removeAllListeners('exit')
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  await exited
}

/** Writes a benchmark's figures to bench/results/<name>.json. */
export function writeResult(name: string, result: object): void {
  mkdirSync(join(repo, 'bench', 'results'), {recursive: true})
  writeFileSync(join(repo, 'bench', 'results', `${name}.json`), JSON.stringify(result, null, 2) + '\n')
}

/**
 * A bench's entry point: `main`, or, when the bench spawned itself with `--kafkajs-worker ARGS...`,
 * the kafkajs side in its own process. A failure prints one line and exits 1.
 */
export function runBench(main: () => Promise<void>, kafkajsWorker?: (args: string[]) => Promise<void>): void {
  const asWorker = kafkajsWorker !== undefined && process.argv[2] === '--kafkajs-worker'
  const run = asWorker ? kafkajsWorker(process.argv.slice(3)) : main()
  run.catch((err) => {
    console.error(`${asWorker ? 'kafkajs worker' : 'bench'}: ${err.message}`)
    process.exit(1)
  })
}
