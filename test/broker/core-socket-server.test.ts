// SocketServer on its own (no Kafka semantics): back-pressure pauses reading while too many
// requests are in flight, responses keep request order, idle connections are closed, and close()
// waits for in-flight requests.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import {SocketServer, type RequestProcessor} from '../../src/broker/socket-server.js'
import {within} from './core-harness.js'

/** A frame whose body is a 4-byte sequence number. */
function frame(n: number): Buffer {
  const b = Buffer.alloc(8)
  b.writeInt32BE(4, 0)
  b.writeInt32BE(n, 4)
  return b
}

/** Echo response: size prefix + the request's sequence number. */
function echo(req: Buffer): Buffer {
  return frame(req.readInt32BE(0))
}

async function serve(processor: RequestProcessor, opts: {maxQueuedRequests?: number; idleMs?: number} = {}) {
  const logs: string[] = []
  const server = new SocketServer({host: '127.0.0.1', port: 0, maxRequestBytes: 1024, idleMs: opts.idleMs ?? 60_000,
    maxQueuedRequests: opts.maxQueuedRequests, logger: (l, m) => logs.push(`${l} ${m}`), processor})
  const port = await server.listen()
  const socket = await new Promise<net.Socket>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s))
  })
  const received: number[] = []
  let buf = Buffer.alloc(0)
  socket.on('data', (d) => {
    buf = Buffer.concat([buf, d])
    while (buf.length >= 8) {
      received.push(buf.readInt32BE(4))
      buf = buf.subarray(8)
    }
  })
  socket.on('error', () => {})
  return {server, socket, received, logs}
}

test('reading pauses at maxQueuedRequests in flight and resumes as responses go out, in order', async () => {
  const pending: (() => void)[] = []
  const {server, socket, received} = await serve((req) => new Promise((resolve) => pending.push(() => resolve(echo(req)))), {maxQueuedRequests: 5})
  try {
    for (let i = 0; i < 20; i++) {
      socket.write(frame(i))
      await new Promise((r) => setTimeout(r, 5))
    }
    await new Promise((r) => setTimeout(r, 100))
    // Frames already in one chunk are dispatched together, so allow a little slack above 5, but far from 20.
    assert.ok(pending.length >= 5 && pending.length < 12, `${pending.length} requests dispatched while paused`)
    // Finish them in reverse: nothing may be written before request 0 is done.
    for (let i = pending.length - 1; i >= 1; i--) pending[i]()
    await new Promise((r) => setTimeout(r, 50))
    assert.deepEqual(received, [])
    for (let round = 0; round < 50 && received.length < 20; round++) {
      for (const p of pending.splice(0)) p()
      await new Promise((r) => setTimeout(r, 20))
    }
    assert.deepEqual(received, Array.from({length: 20}, (_, i) => i))
  } finally {
    socket.destroy()
    for (const p of pending) p()
    await server.close(1000)
  }
})

test('an idle connection is closed after idleMs', async () => {
  // Before connecting: the server's idle clock starts at its accept, which a busy event loop may run
  // well before the client's connect callback.
  const started = Date.now()
  const {server, socket, logs} = await serve((req) => echo(req), {idleMs: 150})
  try {
    await within(new Promise((r) => socket.once('close', r)), 3000, 'idle close')
    assert.ok(Date.now() - started >= 140)
    assert.ok(logs.some((l) => /idle/.test(l)))
  } finally {
    await server.close(1000)
  }
})

test('a throwing processor closes the connection and is logged as an error; the server keeps accepting', async () => {
  const {server, socket, logs} = await serve(() => {
    throw new Error('handler bug')
  })
  try {
    socket.write(frame(1))
    await within(new Promise((r) => socket.once('close', r)), 3000, 'close after a throwing processor')
    assert.ok(logs.some((l) => l.startsWith('error') && /handler bug/.test(l)))
    const again = await new Promise<net.Socket>((resolve) => {
      const s = net.connect(server.port, '127.0.0.1', () => resolve(s))
    })
    again.destroy()
  } finally {
    await server.close(1000)
  }
})

test('close() lets in-flight requests finish and delivers their responses', async () => {
  let finish: (() => void) | undefined
  const {server, socket, received} = await serve((req) => new Promise((resolve) => (finish = () => resolve(echo(req)))))
  socket.write(frame(7))
  await within(new Promise<void>((r) => {
    const t = setInterval(() => finish && (clearInterval(t), r()), 5)
  }), 3000, 'request dispatched')
  const closing = server.close(5000)
  setTimeout(() => finish!(), 100)
  await within(closing, 5000, 'close')
  await within(new Promise((r) => socket.once('close', r)), 3000, 'socket closed')
  assert.deepEqual(received, [7])
})
