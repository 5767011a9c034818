/**
 * Input of `samsa produce` without a broker: line splitting across chunk boundaries, -K/-k/-H,
 * the JSON lines of `consume --json`, and the back-pressure of the async loop (reading pauses
 * while unacknowledged bytes exceed the cap), checked with a scripted producer.
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {Readable} from 'node:stream'
import {InputError, parseDelimiter, parseHeaders, readLines, recordFromJson, recordFromLine} from '../../src/cli/produce-input.js'
import {produceFrom, recordErrorLine, type Delivery, type OutRecord, type ProducerLike} from '../../src/cli/produce-run.js'
import {bytesToJson, jsonLine} from '../../src/cli/json.js'

async function lines(chunks: Array<string | Buffer>): Promise<string[]> {
  const out: string[] = []
  for await (const l of readLines(Readable.from(chunks.map((c) => Buffer.from(c))))) out.push(l.toString())
  return out
}

test('readLines splits on newlines across chunk boundaries, strips \\r, keeps empty lines', async () => {
  assert.deepEqual(await lines(['a\nb', 'c\n', '\nd\r\n', 'e']), ['a', 'bc', '', 'd', 'e'])
  assert.deepEqual(await lines(['one', 'two', 'three\nfour\n']), ['onetwothree', 'four'])
  assert.deepEqual(await lines(['x\n']), ['x'])
  assert.deepEqual(await lines([]), [])
  // Binary bytes pass through untouched (no UTF-8 decoding on the way).
  const bin = Buffer.from([0xff, 0x00, 0xfe, 0x0a, 0xc3])
  const got: Buffer[] = []
  for await (const l of readLines(Readable.from([bin]))) got.push(Buffer.from(l))
  assert.deepEqual(got, [Buffer.from([0xff, 0x00, 0xfe]), Buffer.from([0xc3])])
})

test('recordFromLine: -K splits at the first delimiter, -k fixes the key, -H adds headers', () => {
  const d = parseDelimiter(':')
  const r = recordFromLine(Buffer.from('k1:v:with:colons'), {keyDelimiter: d})
  assert.equal(r.key!.toString(), 'k1')
  assert.equal(r.value!.toString(), 'v:with:colons')
  const empty = recordFromLine(Buffer.from(':v'), {keyDelimiter: d})
  assert.equal(empty.key!.toString(), '')
  assert.throws(() => recordFromLine(Buffer.from('no delimiter'), {keyDelimiter: d}), (e: unknown) => e instanceof InputError && /no key delimiter ":"/.test(e.message))
  const multi = recordFromLine(Buffer.from('a::b::c'), {keyDelimiter: parseDelimiter('::')})
  assert.deepEqual([multi.key!.toString(), multi.value!.toString()], ['a', 'b::c'])
  const fixed = recordFromLine(Buffer.from('v'), {key: 'K', headers: parseHeaders(['a=1', 'b=x=y', 'flag'])})
  assert.equal(fixed.key, 'K')
  assert.deepEqual(fixed.headers, [{key: 'a', value: '1'}, {key: 'b', value: 'x=y'}, {key: 'flag', value: null}])
  assert.equal(recordFromLine(Buffer.from('v'), {}).key, null)
  assert.deepEqual(parseDelimiter('\\t'), Buffer.from('\t'))
  assert.throws(() => parseDelimiter(''), /must not be empty/)
  assert.throws(() => parseHeaders(['=v']), /KEY=VALUE/)
})

test('recordFromJson reads what consume --json writes, binary as {base64}', () => {
  const key = Buffer.from([0xde, 0xad, 0xbe, 0xef])
  const line = jsonLine({topic: 'src', partition: 2, offset: 17n, timestamp: 1700000000123n, timestampType: 'CreateTime',
    key, value: 'héllo', headers: [{key: 'h', value: Buffer.from('v')}, {key: 'n', value: null}]})
  assert.match(line, /"base64"/)
  const r = recordFromJson(line, {keepPartition: true})
  assert.deepEqual(r.key, key)
  assert.equal(r.value, 'héllo')
  assert.deepEqual(r.headers, [{key: 'h', value: 'v'}, {key: 'n', value: null}])
  assert.equal(r.timestamp, 1700000000123)
  assert.equal(r.partition, 2)
  assert.equal(recordFromJson(line, {keepPartition: false}).partition, undefined)
  const tomb = recordFromJson('{"key":"k","value":null}', {keepPartition: true})
  assert.deepEqual([tomb.key, tomb.value, tomb.headers, tomb.timestamp], ['k', null, undefined, undefined])
  assert.deepEqual(bytesToJson(Buffer.from('x')), 'x')
  for (const [bad, why] of [['not json', /not a JSON object/], ['[1]', /not a JSON object/], ['{"key":"k"}', /missing "value"/],
    ['{"value":5}', /"value" must be/], ['{"value":"v","headers":{}}', /"headers" must be an array/],
    ['{"value":"v","timestamp":"soon"}', /"timestamp" must be/], ['{"value":"v","partition":-1}', /"partition" must be/]] as const) {
    assert.throws(() => recordFromJson(bad, {keepPartition: true}), (e: unknown) => e instanceof InputError && why.test((e as Error).message), bad)
  }
})

/** A producer that acknowledges only when the test says so, recording what it was given. */
class ScriptedProducer implements ProducerLike {
  readonly received: OutRecord[] = []
  readonly waiting: Array<() => void> = []
  maxWaiting = 0
  failWhen: (r: OutRecord) => Error | null = () => null

  async send(record: OutRecord): Promise<Delivery> {
    const md = await new Promise<Delivery>((resolve, reject) => this.sendWithCallback(record, (e, m) => (e ? reject(e) : resolve(m!))))
    return md
  }

  sendWithCallback(record: OutRecord, cb: (err: Error | null, md?: Delivery) => void): void {
    const offset = BigInt(this.received.length)
    this.received.push(record)
    const err = this.failWhen(record)
    this.waiting.push(() => (err ? cb(err) : cb(null, {topic: record.topic, partition: record.partition ?? 0, offset, timestamp: 0n})))
    this.maxWaiting = Math.max(this.maxWaiting, this.waiting.length)
  }

  /** Acknowledges everything waiting, later (as a broker's response would). */
  ackAll(): void {
    for (const f of this.waiting.splice(0)) f()
  }

  async flush(): Promise<void> {
    while (this.waiting.length > 0) {
      await new Promise((r) => setImmediate(r))
      this.ackAll()
    }
  }
}

test('async produce pauses reading while unacknowledged bytes exceed the cap', async () => {
  const producer = new ScriptedProducer()
  // Acks arrive on a timer, slower than the input can be read.
  const acker = setInterval(() => producer.ackAll(), 2)
  const n = 5000
  let pulled = 0
  const source = Readable.from((function* () {
    for (let i = 0; i < n; i++) {
      pulled++
      yield Buffer.from(`${i}:${'x'.repeat(100)}\n`)
    }
  })())
  const failures: string[] = []
  try {
    const summary = await produceFrom(producer, [{name: 'stdin', stream: source}], {
      topic: 't', sync: false, input: 'lines', line: {keyDelimiter: Buffer.from(':')}, json: {keepPartition: true},
      maxPendingBytes: 20_000, onFailed: (e, w) => failures.push(recordErrorLine(e, w)),
    })
    assert.equal(summary.records, n)
    assert.equal(summary.failed, 0)
    assert.equal(summary.bytes, n * 100 + Array.from({length: n}, (_, i) => String(i).length).reduce((a, b) => a + b))
  } finally {
    clearInterval(acker)
  }
  assert.deepEqual(failures, [])
  assert.equal(pulled, n)
  // ~170 bytes of footprint per record: the cap allows ~120 in flight, never the whole input.
  assert.ok(producer.maxWaiting < 200, `at most ${producer.maxWaiting} records were waiting`)
  assert.deepEqual(producer.received.slice(0, 3).map((r) => [r.key!.toString(), r.value!.toString().length]), [['0', 100], ['1', 100], ['2', 100]])
})

test('sync produce reports each delivery; failed records are reported with FILE:LINE and the rest go on', async () => {
  const producer = new ScriptedProducer()
  producer.failWhen = (r) => (r.value!.toString() === 'bad' ? Object.assign(new Error('cannot produce to "t"-0: too big'), {name: 'MESSAGE_TOO_LARGE'}) : null)
  // Acknowledge whatever is waiting every millisecond.
  const acker = setInterval(() => producer.ackAll(), 1)
  const delivered: string[] = []
  const failures: string[] = []
  try {
    const summary = await produceFrom(producer, [{name: 'in.txt', stream: Readable.from([Buffer.from('a\nbad\nnokey\nc\n')])}], {
      topic: 't', sync: true, partition: 3, input: 'lines', line: {}, json: {keepPartition: true}, maxPendingBytes: 1 << 20,
      onDelivered: (md) => delivered.push(`${md.topic}-${md.partition}@${md.offset}`),
      onFailed: (e, w) => failures.push(recordErrorLine(e, w)),
    })
    assert.deepEqual([summary.records, summary.failed], [3, 1])
  } finally {
    clearInterval(acker)
  }
  assert.deepEqual(delivered, ['t-3@0', 't-3@2', 't-3@3'])
  assert.deepEqual(failures, ['in.txt:2: cannot produce to "t"-0: too big (MESSAGE_TOO_LARGE)'])
})

test('JSON input: bad lines fail alone; -p overrides the source partition; -k and -H apply', async () => {
  const producer = new ScriptedProducer()
  const acker = setInterval(() => producer.ackAll(), 1)
  const failures: string[] = []
  const input = '{"partition":1,"key":"a","value":"1"}\n{oops\n{"partition":0,"key":null,"value":{"base64":"AAE="},"headers":[{"key":"x","value":"y"}]}\n'
  try {
    const summary = await produceFrom(producer, [{name: 'stdin', stream: Readable.from([Buffer.from(input)])}], {
      topic: 'dst', sync: false, partition: 5, input: 'json', line: {key: 'K', headers: [{key: 'h', value: 'v'}]}, json: {keepPartition: true},
      maxPendingBytes: 1 << 20, onFailed: (e, w) => failures.push(recordErrorLine(e, w)),
    })
    assert.deepEqual([summary.records, summary.failed], [2, 1])
  } finally {
    clearInterval(acker)
  }
  assert.equal(failures.length, 1)
  assert.match(failures[0], /^stdin:2: not a JSON object: .* \(INVALID_INPUT\)$/)
  assert.deepEqual(producer.received.map((r) => [r.topic, r.partition, r.key, r.headers]), [
    ['dst', 5, 'K', [{key: 'h', value: 'v'}]],
    ['dst', 5, 'K', [{key: 'x', value: 'y'}, {key: 'h', value: 'v'}]],
  ])
  assert.deepEqual(producer.received[1].value, Buffer.from([0, 1]))
})
