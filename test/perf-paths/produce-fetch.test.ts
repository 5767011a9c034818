/**
 * The zero-copy paths end to end against samsa's broker (in-process): Produce requests written as
 * chunks that reference pooled batch buffers (acks=0 must not hand a buffer back before the socket
 * wrote it), big batches, Fetch responses gathered into one frame, and a producer whose close()
 * leaves no timer behind.
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {once} from 'node:events'
import net from 'node:net'
import {fileURLToPath} from 'node:url'
import {AdminClient} from '../../src/client/index.js'
import {Producer} from '../../src/producer/index.js'
import {startTestBroker, useTestBroker, type TestBroker} from '../broker/core-harness.js'
import {readPartition} from '../producer/helpers.js'

let tb: TestBroker
let bootstrap: string
useTestBroker((started) => {
  tb = started
  bootstrap = tb.bootstrap
})

async function createTopic(name: string, numPartitions: number): Promise<void> {
  const admin = new AdminClient({bootstrap})
  try {
    await admin.createTopics([{name, numPartitions, replicationFactor: 1, configs: {}}])
  } finally {
    await admin.close()
  }
}

/** A value that names its record, so a batch buffer reused too early shows up as wrong values. */
const valueOf = (i: number): string => `record-${i}-`.padEnd(100, String.fromCharCode(97 + (i % 26)))

/** A TCP proxy to a broker whose reading from clients can be stalled, so their socket writes back up. */
async function startStallingProxy(): Promise<{port: number; target: number; stall(on: boolean): void; close(): Promise<void>}> {
  const clients = new Set<net.Socket>()
  const sockets = new Set<net.Socket>()
  let stalled = false
  const server = net.createServer((client) => {
    const upstream = net.connect(proxy.target, '127.0.0.1')
    clients.add(client)
    sockets.add(client).add(upstream)
    if (stalled) client.pause()
    client.pipe(upstream)
    upstream.pipe(client)
    const end = (): void => {
      client.destroy()
      upstream.destroy()
    }
    for (const s of [client, upstream]) s.on('close', end).on('error', end)
  })
  const proxy = {
    port: 0, target: 0,
    stall(on: boolean): void {
      stalled = on
      for (const c of clients) if (on) c.pause(); else c.resume()
    },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    }),
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  proxy.port = (server.address() as net.AddressInfo).port
  return proxy
}

test('acks=0 behind a stalled socket: pooled batch buffers are reused only after the socket wrote them', async () => {
  const proxy = await startStallingProxy()
  const slow = await startTestBroker({'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}`})
  proxy.target = slow.broker.port
  const via = `127.0.0.1:${proxy.port}`
  const topic = 'acks0-reuse'
  const admin = new AdminClient({bootstrap: via})
  await admin.createTopics([{name: topic, numPartitions: 1, replicationFactor: 1, configs: {}}])
  await admin.close()
  // 8 buffers of 256 KiB for 64 MB of records: every buffer is reused many times, and while the
  // broker does not read (more than the kernel's socket buffers hold), written requests wait in
  // the socket's queue holding those buffers.
  const producer = new Producer({bootstrap: via, acks: 0, batchSize: 262144, bufferMemory: 8 * 262144, lingerMs: 0, maxBlockMs: 30_000})
  const n = 640
  const value = (i: number): string => valueOf(i).repeat(1000)
  try {
    await producer.connect()
    proxy.stall(true)
    const resume = setTimeout(() => proxy.stall(false), 1500)
    let failed: Error | null = null
    for (let i = 0; i < n; i++) {
      const ok = producer.sendWithCallback({topic, partition: 0, value: value(i)}, (err) => {
        if (err) failed ??= err
      })
      if (!ok) await producer.waitForCapacity()
      if (i % 20 === 0) await new Promise((r) => setImmediate(r))
    }
    await producer.flush()
    clearTimeout(resume)
    proxy.stall(false)
    if (failed) throw failed
    await producer.close()
    // acks=0 gives no offsets back; wait (bounded) until the broker has appended everything.
    let records = await readPartition(via, topic, 0)
    for (let i = 0; i < 50 && records.length < n; i++) {
      await new Promise((r) => setTimeout(r, 100))
      records = await readPartition(via, topic, 0)
    }
    assert.equal(records.length, n)
    for (let i = 0; i < n; i++) {
      if (records[i].value?.toString() !== value(i)) assert.fail(`record ${i} is "${records[i].value?.toString().slice(0, 30)}..."`)
    }
  } finally {
    await producer.close()
    await slow.destroy()
    await proxy.close()
  }
})

test('1 MB batches (librdkafka-sized) over several partitions arrive whole and in order; Fetch reads them back', async () => {
  const topic = 'big-batches'
  const partitions = 3
  await createTopic(topic, partitions)
  const producer = new Producer({bootstrap, acks: 1, batchSize: 1_000_000, lingerMs: 5})
  const n = 60_000
  const where: number[][] = Array.from({length: partitions}, () => [])
  try {
    const pending: Promise<unknown>[] = []
    for (let i = 0; i < n; i++) {
      const p = i % partitions
      where[p].push(i)
      pending.push(producer.send({topic, partition: p, value: valueOf(i)}).then((md) => assert.equal(md.offset, BigInt(where[p].indexOf(i)))))
      if (i % 5000 === 0) await new Promise((r) => setImmediate(r))
    }
    await Promise.all(pending)
    assert.ok(producer.metrics().batchesSent < n / 1000, `records went in big batches (${producer.metrics().batchesSent} batches)`)
  } finally {
    await producer.close()
  }
  for (let p = 0; p < partitions; p++) {
    const records = await readPartition(bootstrap, topic, p)
    assert.deepEqual(records.map((r) => r.value?.toString()), where[p].map(valueOf), `partition ${p}`)
  }
})

test('close() leaves no metadata retry timer behind: the process exits at once', async () => {
  const topic = 'close-exit'
  await createTopic(topic, 2)
  // A child producer with a long retry.backoff.ms: closing its connections used to schedule a
  // metadata refresh that kept the process alive for the whole backoff.
  const producerModule = new URL('../../src/producer/index.js', import.meta.url).href
  const script = `
    const {Producer} = await import(${JSON.stringify(producerModule)})
    const p = new Producer({bootstrap: ${JSON.stringify(bootstrap)}, acks: 1, retryBackoffMs: 20000})
    await p.send({topic: ${JSON.stringify(topic)}, value: 'x'})
    await p.close()
    process.stdout.write('closed ' + Date.now() + '\\n')
  `
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {stdio: ['ignore', 'pipe', 'inherit'], cwd: fileURLToPath(new URL('.', import.meta.url))})
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000)
  const [code] = await once(child, 'exit')
  const exitedAt = Date.now()
  clearTimeout(killer)
  assert.equal(code, 0, 'the child finished by itself')
  const m = out.match(/closed (\d+)/)
  assert.ok(m, `child output: ${out}`)
  assert.ok(exitedAt - Number(m[1]) < 10_000, `exited ${exitedAt - Number(m[1])} ms after close (retry.backoff.ms is 20000)`)
})
