#!/usr/bin/env node
// Runs the compiled test files under dist/test with Node's built-in runner: all of them, or those whose
// path contains one of the arguments.
import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import {spawnSync} from 'node:child_process'

const root = new URL('../dist/test', import.meta.url).pathname
const only = process.argv.slice(2)
const files = readdirSync(root, {recursive: true})
  .map(String)
  .filter((f) => f.endsWith('.test.js'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort()
  .map((f) => join(root, f))
// Without files `node --test` would search the whole tree itself: a filter that matches nothing must say so.
if (files.length === 0) {
  console.error(`run-tests: no test file under dist/test matches ${only.map((o) => JSON.stringify(o)).join(' or ')}`)
  process.exit(2)
}
const res = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], {stdio: 'inherit'})
process.exit(res.status ?? 1)
