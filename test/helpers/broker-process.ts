/**
 * Starts `samsa broker start` as a child process on an ephemeral port with a temp data dir, the way
 * a user would run it, so tests can stop it gracefully, kill it, and restart it on the same data.
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const samsaBin = join(repoRoot, 'bin', 'run.js')

/** A running broker child process. */
export interface BrokerProcess {
  bootstrap: string
  port: number
  dataDir: string
  child: ChildProcess
  /** Everything the broker wrote to stderr so far (its log). */
  log(): string
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>
}

/** Starts a broker on 127.0.0.1:0 (or `port`) over `dataDir` (a fresh temp dir by default). */
export function startBrokerProcess(opts: {dataDir?: string; port?: number; set?: Record<string, string>} = {}): Promise<BrokerProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'samsa-test-'))
  const args = [samsaBin, 'broker', 'start', '--listen', `127.0.0.1:${opts.port ?? 0}`, '--data-dir', dataDir]
  for (const [k, v] of Object.entries(opts.set ?? {})) args.push('--set', `${k}=${v}`)
  const child = spawn(process.execPath, args, {stdio: ['ignore', 'pipe', 'pipe']})
  let out = ''
  let err = ''
  child.stderr!.on('data', (d) => (err += d))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`broker did not become ready in 20 s; stderr: ${err}`))
    }, 20_000)
    let ready = false
    child.once('exit', (code) => {
      clearTimeout(timer)
      if (!ready) reject(new Error(`broker exited with ${code} before ready; stderr: ${err}`))
    })
    child.stdout!.on('data', (d) => {
      out += d
      const m = out.match(/samsa broker \d+ ready on (\S+):(\d+)/)
      if (!m || ready) return
      ready = true
      clearTimeout(timer)
      const port = Number(m[2])
      resolve({
        bootstrap: `${m[1]}:${port}`, port, dataDir, child, log: () => err,
        stop: async () => {
          child.kill('SIGTERM')
          return exited
        },
        kill: async () => {
          child.kill('SIGKILL')
          await exited
        },
      })
    })
  })
}

/** Removes a temp data dir made by startBrokerProcess. */
export function removeDataDir(dir: string): void {
  rmSync(dir, {recursive: true, force: true})
}

/** True when kcat is on PATH; interop tests skip with a visible notice otherwise. */
export function haveKcat(): boolean {
  return spawnSync('kcat', ['-V']).status === 0
}

/** False when kcat is on PATH; else why `what` is skipped, printed once as a visible NOTICE line. */
export function kcatMissing(what: string): string | false {
  if (haveKcat()) return false
  const reason = `kcat is not installed (apt-get install -y kcat): ${what}`
  console.log(`NOTICE: ${reason}`)
  return reason
}
