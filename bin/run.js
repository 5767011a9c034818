#!/usr/bin/env node
// Entry point of the installed binary: runs the compiled commands in dist/.
import {readdirSync, statSync, unlinkSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import v8 from 'node:v8'

const root = fileURLToPath(new URL('..', import.meta.url))
dropStaleManifest()
// oclif's own Node version check loads semver (~30 ms of every start); package.json's engines and
// the syntax samsa is compiled to already require Node 20.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1'
// The launcher tunes the VM as Kafka's scripts pass GC options to the JVM. V8's young generation starts
// at 1 MB and doubles rarely; a consumer allocates short-lived records by the hundred MB, so fetched
// responses outlive the small young generation, are promoted, and are freed only by a full GC: every
// response then lands in fresh pages. Growing it 8x at a time reaches the usual 16 MB maximum quickly
// (measured on 1M records: a sixth less CPU, half the page faults). V8 reads this flag at each growth.
v8.setFlagsFromString('--semi-space-growth-factor=8')
// Every command but the broker is batch work, where throughput beats pause times (Kafka's broker runs a
// low-pause G1 for the same reason). V8 starts incremental marking once the old generation's headroom is
// below the young generation's size, which the growth above reaches at once, so a consumer ran a full
// mark-compact, its barriers and marking steps inside its first million records: a sixth of its time
// (perf consume A/B, 10 alternating pairs: 0.842x). Without incremental marking V8 still collects in full,
// all at once, when the old generation or external memory reaches its limit.
if (process.argv[2] !== 'broker') v8.setFlagsFromString('--no-incremental-marking')
// The broker is a long-running server whose hot path (a produce request: frame, decode, validate, append,
// answer) runs a few hundred times per million records, too few for V8's default budgets: it stayed in
// baseline code for ten rounds of the ingest bench, and every new topic's first requests changed some
// inline cache, which restarts the 500-call wait before tier-up. Smaller budgets let TurboFan take it
// over within three rounds (measured: broker CPU per 1M records under kcat load ~300 -> ~215 ms from the
// fourth round on; blast of pre-built requests, new topic per round: main thread 140-170 -> 90-130 ms).
if (process.argv[2] === 'broker') v8.setFlagsFromString('--interrupt-budget=16384 --minimum-invocations-after-ic-update=50')
const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})

/**
 * `npm run build` writes oclif.manifest.json so that a command loads only its own module. A build by
 * plain `tsc` leaves the old one, which would hide new commands and flags: older than any compiled
 * command, it is removed and oclif scans dist/commands instead.
 */
function dropStaleManifest() {
  const manifest = join(root, 'oclif.manifest.json')
  let built
  try {
    built = statSync(manifest).mtimeMs
  } catch {
    return
  }
  const newest = (dir) => readdirSync(dir, {withFileTypes: true}).reduce((t, e) => {
    const p = join(dir, e.name)
    return Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }, 0)
  try {
    if (newest(join(root, 'dist', 'commands')) > built) unlinkSync(manifest)
  } catch {
    // No dist/commands yet, or a race with another process: oclif reports what it finds.
  }
}
