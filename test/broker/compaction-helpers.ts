// `samsa log dump --verify --deep` over every segment file of a partition dir: CRCs, record framing and index entries.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import {samsaBin} from '../helpers/broker-process.js'

/** Runs the real binary's verifier on the .log/.index/.timeindex files of `dir`; fails the test on any fault. */
export function verifySegmentFiles(dir: string): void {
  const files = readdirSync(dir).filter((n) => /^\d{20}\.(log|index|timeindex)$/.test(n)).map((n) => join(dir, n))
  assert.ok(files.length > 0)
  const r = spawnSync(process.execPath, [samsaBin, 'log', 'dump', ...files, '--verify', '--deep'], {encoding: 'utf8', timeout: 60_000})
  assert.equal(r.status, 0, `log dump --verify failed: ${r.stderr}\n${r.stdout.slice(-2000)}`)
}
