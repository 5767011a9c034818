#!/usr/bin/env node
// Development entry point: rebuilds with tsc, then runs the compiled commands.
import {execSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {execute} from '@oclif/core'

execSync('npx tsc -p tsconfig.json', {cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: 'inherit'})
await execute({development: false, dir: import.meta.url})
