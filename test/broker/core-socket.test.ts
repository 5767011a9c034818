// The socket server: pipelined requests answered in order (also when an earlier one is parked in
// the purgatory), hostile frames (garbage, truncated, over the size limit) closing only their own
// connection, frames split at every byte, and a seeded fuzz run after which Metadata still works.
import {test, before, after} from 'node:test'
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {encodeRequest} from '../../src/protocol/index.js'
import {haveKcat} from '../helpers/broker-process.js'
import {startTestBroker, RawClient, within, batchOf, produceBody, fetchBody, autoCreate, type TestBroker} from './core-harness.js'

const MAX_REQUEST = 64 * 1024
let tb: TestBroker
let watcher: RawClient
before(async () => {
  tb = await startTestBroker({'socket.request.max.bytes': String(MAX_REQUEST)})
  watcher = await RawClient.connect(tb.broker.port)
})
after(async () => {
  watcher.close()
  await tb.destroy()
})

/** The watcher connection must keep being answered whatever other connections do. */
async function stillServing(): Promise<void> {
  const body = await watcher.request(3, 9, {topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false})
  assert.equal(body.brokers[0].nodeId, 0)
}

test('50 pipelined requests in one write are answered in request order', async () => {
  const c = await RawClient.connect(tb.broker.port)
  try {
    const frames = Array.from({length: 50}, (_, i) => i % 3 === 0
      ? c.frame(18, 2, {})
      : c.frame(3, i % 2 === 0 ? 12 : 1, i % 2 === 0 ? {topics: null, allowAutoTopicCreation: false} : {topics: []}))
    c.write(Buffer.concat(frames.map((f) => f.bytes)))
    await within(Promise.all(frames.map((f) => f.response)), 10_000, 'pipelined responses')
    assert.deepEqual(c.order, frames.map((f) => f.correlationId))
  } finally {
    c.close()
  }
})

test('a response waits for an earlier parked fetch: order is kept when handlers finish out of order', async () => {
  const c = await RawClient.connect(tb.broker.port)
  try {
    await autoCreate(c, 'ordering')
    const parked = c.frame(1, 12, fetchBody('ordering', 0, 0n, {maxWaitMs: 300, minBytes: 1}))
    const quick = c.frame(18, 3, {clientSoftwareName: 'x', clientSoftwareVersion: '1'})
    const started = Date.now()
    c.write(Buffer.concat([parked.bytes, quick.bytes]))
    await within(quick.response, 5000, 'quick response')
    assert.ok(Date.now() - started >= 250, 'the quick answer was held back behind the parked fetch')
    assert.deepEqual(c.order.slice(-2), [parked.correlationId, quick.correlationId])
  } finally {
    c.close()
  }
})

test('a frame split into 1-byte writes is reassembled', async () => {
  const c = await RawClient.connect(tb.broker.port)
  try {
    c.socket.setNoDelay(true)
    const f = c.frame(3, 1, {topics: []})
    for (const byte of f.bytes) {
      c.write(Buffer.from([byte]))
      await new Promise((r) => setImmediate(r))
    }
    assert.equal((await within(f.response, 5000, 'reassembled response')).body.controllerId, 0)
  } finally {
    c.close()
  }
})

test('garbage, a truncated body, an over-limit or negative size each close only their connection', async () => {
  const cases: [string, Buffer][] = [
    ['garbage body', Buffer.concat([Buffer.from([0, 0, 0, 6]), Buffer.from([0, 3, 0, 1, 0xff, 0xff])])],
    ['truncated Metadata body', (() => {
      const f = encodeRequest({apiKey: 3, apiVersion: 1, correlationId: 1, clientId: 'x'}, {topics: [{name: 'abc'}]})
      const cut = Buffer.from(f.subarray(0, f.length - 2))
      cut.writeInt32BE(cut.length - 4, 0)
      return cut
    })()],
    ['over socket.request.max.bytes', Buffer.from([0, 0x10, 0, 0, 1, 2, 3])],
    ['negative size', Buffer.from([0xff, 0xff, 0xff, 0xfe, 0, 0])],
  ]
  for (const [what, bytes] of cases) {
    const c = await RawClient.connect(tb.broker.port)
    c.write(bytes)
    await c.waitClosed()
    assert.deepEqual(c.order, [], what)
    await stillServing()
  }
  assert.ok(tb.logs.some((l) => /socket\.request\.max\.bytes/.test(l)))
  assert.ok(tb.logs.some((l) => l.startsWith('warn') && /cannot decode 3 v1/.test(l)), 'a body that fails to decode is logged at warn')
})

test('a frame that stops mid-way is simply waited for; the broker keeps serving others', async () => {
  const c = await RawClient.connect(tb.broker.port)
  try {
    const f = c.frame(3, 1, {topics: []})
    c.write(f.bytes.subarray(0, 7))
    await stillServing()
    assert.equal(c.closedByPeer, false)
    c.write(f.bytes.subarray(7))
    assert.equal((await within(f.response, 5000, 'completed frame')).body.controllerId, 0)
  } finally {
    c.close()
  }
})

test('produce a batch with a wrong CRC while another connection produces fine', async () => {
  const c = await RawClient.connect(tb.broker.port)
  try {
    await autoCreate(c, 'crc-check')
    const bad = batchOf(['v'])
    bad[bad.length - 3] ^= 1
    const [r1, r2] = await Promise.all([
      c.request(0, 9, produceBody('crc-check', 0, bad)),
      watcher.request(0, 9, produceBody('crc-check', 0, batchOf(['good']))),
    ])
    assert.equal(r1.responses[0].partitionResponses[0].errorCode, 2)
    assert.equal(r2.responses[0].partitionResponses[0].errorCode, 0)
    assert.equal(r2.responses[0].partitionResponses[0].baseOffset, 0n)
  } finally {
    c.close()
  }
})

/** Small deterministic PRNG (mulberry32) so a failing fuzz case can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed |= 0
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

test('seeded fuzz: 3000 random and mutated frames never take the broker down', async () => {
  const rand = rng(20240613)
  const int = (n: number) => Math.floor(rand() * n)
  await autoCreate(watcher, 'fuzz')
  const seeds: Buffer[] = [
    encodeRequest({apiKey: 3, apiVersion: 12, correlationId: 1, clientId: 'f'}, {topics: [{topicId: '00000000-0000-0000-0000-000000000000', name: 'fuzz'}]}),
    encodeRequest({apiKey: 18, apiVersion: 3, correlationId: 2, clientId: 'f'}, {clientSoftwareName: 'f', clientSoftwareVersion: '1'}),
    encodeRequest({apiKey: 0, apiVersion: 9, correlationId: 3, clientId: 'f'}, produceBody('fuzz', 0, batchOf(['a', 'b']))),
    encodeRequest({apiKey: 0, apiVersion: 3, correlationId: 4, clientId: 'f'}, produceBody('fuzz', 0, batchOf(['c']))),
    encodeRequest({apiKey: 1, apiVersion: 12, correlationId: 5, clientId: 'f'}, fetchBody('fuzz', 0, 0n)),
    encodeRequest({apiKey: 1, apiVersion: 4, correlationId: 6, clientId: 'f'}, fetchBody('fuzz', 0, 0n)),
    encodeRequest({apiKey: 2, apiVersion: 7, correlationId: 7, clientId: 'f'},
      {replicaId: -1, isolationLevel: 0, topics: [{name: 'fuzz', partitions: [{partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n}]}]}),
  ]
  const frames: Buffer[] = []
  for (let i = 0; i < 3000; i++) {
    const kind = int(3)
    let f: Buffer
    if (kind === 0) {
      // Random bytes behind a plausible size prefix.
      const body = Buffer.alloc(int(80))
      for (let j = 0; j < body.length; j++) body[j] = int(256)
      f = Buffer.concat([Buffer.alloc(4), body])
    } else {
      f = Buffer.from(seeds[int(seeds.length)])
      const flips = 1 + int(4)
      for (let j = 0; j < flips; j++) {
        const at = 4 + int(f.length - 4)
        f[at] = kind === 1 ? int(256) : f[at] ^ (1 << int(8))
      }
      if (int(4) === 0) f = f.subarray(0, 4 + int(f.length - 4)) // truncate
    }
    f.writeInt32BE(f.length - 4, 0)
    frames.push(f)
  }
  // Several frames per connection: each connection lives until the broker closes it (or we do).
  let sent = 0
  const deadline = Date.now() + 60_000
  while (sent < frames.length && Date.now() < deadline) {
    const c = await RawClient.connect(tb.broker.port)
    const batch = frames.slice(sent, sent + 1 + int(8))
    sent += batch.length
    c.write(Buffer.concat(batch))
    await Promise.race([c.closed, new Promise((r) => setTimeout(r, 20))])
    c.close()
  }
  assert.equal(sent, frames.length)
  await stillServing()
  const meta = await watcher.request(3, 12, {topics: [{topicId: '00000000-0000-0000-0000-000000000000', name: 'fuzz'}]})
  assert.equal(meta.topics[0].errorCode, 0)
  assert.ok(!tb.logs.some((l) => l.startsWith('error')), `no handler crashed:\n${tb.logs.filter((l) => l.startsWith('error')).join('\n')}`)
  if (!haveKcat()) {
    console.log('NOTICE: kcat is not installed: the after-fuzz kcat check is skipped')
    return
  }
  // A real client still gets full service: metadata, a produce and a consume. The broker runs in
  // this process, so kcat must run asynchronously.
  const bootstrap = tb.bootstrap
  const kcat = (args: string[], input = ''): Promise<{status: number | null; stdout: string}> => new Promise((resolve) => {
    const child = spawn('kcat', ['-b', bootstrap, ...args], {timeout: 30_000})
    let stdout = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.on('close', (status) => resolve({status, stdout}))
    child.stdin.end(input)
  })
  assert.match((await kcat(['-L'])).stdout, /topic "fuzz"/)
  assert.equal((await kcat(['-P', '-t', 'after-fuzz', '-p', '0'], 'still-here\n')).status, 0)
  assert.equal((await kcat(['-C', '-t', 'after-fuzz', '-p', '0', '-e', '-o', 'beginning', '-f', '%s\n'])).stdout, 'still-here\n')
})
