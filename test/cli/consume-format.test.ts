/**
 * The pieces of `samsa consume` that need no broker: -f compilation (tokens, escapes, \xNN, errors),
 * the --json line of a record, and OutputBuffer's back-pressure and EPIPE handling.
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {PassThrough, Writable} from 'node:stream'
import {compileFormat, jsonWriter, type FormatRecord} from '../../src/cli/consume-format.js'
import {OutputBuffer} from '../../src/cli/consume-output.js'
import {parseOffsetSpec} from '../../src/cli/consume-run.js'

function record(over: Partial<FormatRecord> = {}): FormatRecord {
  return {
    topic: 't', partition: 2, offset: 41n, timestamp: 1700000000123n, timestampType: 'CreateTime',
    key: Buffer.from('k'), value: Buffer.from('välue'), headers: [{key: 'a', value: Buffer.from('1')}, {key: 'b', value: null}], ...over,
  }
}

async function render(write: (r: FormatRecord, out: OutputBuffer) => void, records: FormatRecord[]): Promise<Buffer> {
  const sink = new PassThrough()
  const chunks: Buffer[] = []
  sink.on('data', (c) => chunks.push(c))
  const out = new OutputBuffer(sink, 64)
  for (const r of records) write(r, out)
  await out.flush()
  return Buffer.concat(chunks)
}

test('-f tokens, %%, escapes and \\xNN; null key/value lengths are -1', async () => {
  const w = compileFormat('%t/%p/%o/%k/%s/%K/%S/%T/%h/%%\\t\\x01é\\n')
  assert.equal((await render(w, [record()])).toString('utf8'), 't/2/41/k/välue/1/6/1700000000123/a=1,b=NULL/%\t\x01é\n')
  const nulls = await render(compileFormat('[%k][%s][%K][%S]'), [record({key: null, value: null})])
  assert.equal(nulls.toString(), '[][][-1][-1]')
  // Values are copied as bytes, not decoded: invalid UTF-8 survives.
  const bin = await render(compileFormat('%s'), [record({value: Buffer.from([0xff, 0xfe, 0x00])})])
  assert.deepEqual([...bin], [0xff, 0xfe, 0x00])
  assert.throws(() => compileFormat('%q'), /unknown format token "%q"/)
  assert.throws(() => compileFormat('50%'), /unknown format token "%"/)
})

test('--json line: field order, UTF-8 strings, base64 for invalid UTF-8, nulls', async () => {
  const line = (await render(jsonWriter(), [record({key: null, value: Buffer.from([0xc3, 0x28]), headers: [{key: 'h', value: null}]})])).toString()
  assert.equal(line, '{"topic":"t","partition":2,"offset":41,"timestamp":1700000000123,"timestampType":"CreateTime","key":null,' +
    `"value":{"base64":"${Buffer.from([0xc3, 0x28]).toString('base64')}"},"headers":[{"key":"h","value":null}]}\n`)
  const quoted = JSON.parse((await render(jsonWriter(), [record({value: Buffer.from('"quo\nte"')})])).toString())
  assert.equal(quoted.value, '"quo\nte"')
})

test('OutputBuffer waits for drain and stops quietly on EPIPE', async () => {
  let writes = 0
  let release: (() => void) | undefined
  const slow = new Writable({
    highWaterMark: 8,
    write(_chunk, _enc, cb) {
      writes++
      release = () => cb()
    },
  })
  const out = new OutputBuffer(slow, 16)
  out.string('0123456789abcdef-more-than-the-high-water-mark')
  let flushed = false
  const p = out.flush().then(() => (flushed = true))
  await new Promise((r) => setImmediate(r))
  assert.equal(flushed, false) // back-pressure: waits for the reader
  release!()
  await p
  assert.equal(writes, 1)

  const broken = new Writable({write(_c, _e, cb) { cb(Object.assign(new Error('write EPIPE'), {code: 'EPIPE'})) }})
  const out2 = new OutputBuffer(broken)
  out2.string('x')
  await out2.flush()
  await new Promise((r) => setImmediate(r))
  assert.equal(out2.closed, true)
  assert.equal(out2.error, undefined)
})

test('-o forms parse; anything else is a usage error', () => {
  assert.deepEqual(parseOffsetSpec('beginning'), {kind: 'beginning'})
  assert.deepEqual(parseOffsetSpec('end'), {kind: 'end'})
  assert.deepEqual(parseOffsetSpec('stored'), {kind: 'stored'})
  assert.deepEqual(parseOffsetSpec('42'), {kind: 'offset', offset: 42n})
  assert.deepEqual(parseOffsetSpec('-5'), {kind: 'tail', count: 5n})
  assert.deepEqual(parseOffsetSpec('@1700000000000'), {kind: 'timestamp', ms: 1700000000000})
  assert.throws(() => parseOffsetSpec('@soon'), /invalid -o/)
})
