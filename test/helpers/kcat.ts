/** Running Debian's kcat (librdkafka) against a broker from tests, always bounded in time. */
import assert from 'node:assert/strict'
import {spawn, spawnSync} from 'node:child_process'

/** What a kcat run ended with. */
export interface KcatResult { code: number | null; stdout: string; stderr: string }

/** Runs kcat against `bootstrap` with `input` on stdin; killed after `timeoutMs`. */
export function runKcat(bootstrap: string, args: string[], input = '', timeoutMs = 40_000): Promise<KcatResult> {
  return new Promise((resolve) => {
    const p = spawn('kcat', ['-b', bootstrap, ...args])
    let stdout = ''
    let stderr = ''
    p.stdout.on('data', (d) => (stdout += d))
    p.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs)
    p.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, stdout, stderr})
    })
    p.stdin.end(input)
  })
}

/** Runs kcat synchronously and asserts it succeeded without reporting errors; returns its stdout. */
export function kcatOk(bootstrap: string, args: string[], input?: string | Buffer): string {
  const res = spawnSync('kcat', ['-b', bootstrap, ...args], {input, maxBuffer: 1 << 28, timeout: 120_000, encoding: 'utf8'})
  assert.equal(res.status, 0, `kcat ${args.join(' ')} failed: ${res.stderr}`)
  assert.doesNotMatch(res.stderr, /ERROR|Failed to produce/, `kcat ${args.join(' ')} reported: ${res.stderr}`)
  return res.stdout
}
