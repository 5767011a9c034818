/** Runs the built `samsa` binary as a user would, capturing exit code and output. */
import {spawn} from 'node:child_process'
import {samsaBin} from '../helpers/broker-process.js'

/** What one CLI run produced. */
export interface CliResult { code: number | null; stdout: string; stderr: string }

/** Runs `node bin/run.js ...args` (stdin closed unless `input`), killing it after 30 s. */
export function samsa(args: string[], opts: {env?: Record<string, string | undefined>; input?: string} = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {...process.env, SAMSA_BROKERS: undefined, FORCE_COLOR: '0', ...opts.env}
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k]
  const child = spawn(process.execPath, [samsaBin, ...args], {env, stdio: ['pipe', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  child.stdin.end(opts.input ?? '')
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({code, stdout, stderr})
    })
  })
}

/** stderr lines without Node's own warnings (e.g. experimental features), which are not ours. */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('(node:') && !l.includes('--trace-warnings'))
}
