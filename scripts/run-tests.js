#!/usr/bin/env node
// Runs every compiled test file under dist/test with Node's built-in runner.
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
const res = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], {stdio: 'inherit'})
process.exit(res.status ?? 1)
