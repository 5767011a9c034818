// CLI mistakes that never reach a broker: one readable line on stderr and exit code 2.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {samsa, errorLines} from './helpers.js'

test('an unknown command is one line and exit 2', async () => {
  for (const args of [['bogus'], ['topic', 'bogus']]) {
    const r = await samsa(args)
    assert.equal(r.code, 2, `samsa ${args.join(' ')}`)
    assert.deepEqual(errorLines(r.stderr), [`samsa: unknown command "${args.join(' ')}"; run "samsa --help" for the list of commands`])
  }
})

test('an unknown flag is one line and exit 2', async () => {
  const r = await samsa(['topic', 'list', '--no-such-flag'])
  assert.equal(r.code, 2)
  assert.equal(errorLines(r.stderr).length, 1)
  assert.match(r.stderr, /^samsa: .*no-such-flag/)
})
