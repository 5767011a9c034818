// SocketServer framing on its own: frames split across socket chunks at every position (inside the
// size prefix, inside the api key, inside the body) are reassembled intact; frames of transient APIs
// reuse the pooled assembly buffer only while processing is synchronous, and a processor that goes
// asynchronous keeps its frame's bytes unchanged while later frames arrive.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import {SocketServer, type RequestProcessor} from '../../src/broker/socket-server.js'

const TRANSIENT_API = 0
const OTHER_API = 3

/** A frame: size prefix, int16 api key, then `bodyLength` bytes derived from `seed`. */
function frame(apiKey: number, seed: number, bodyLength: number): Buffer {
  const b = Buffer.alloc(4 + 2 + bodyLength)
  b.writeInt32BE(2 + bodyLength, 0)
  b.writeInt16BE(apiKey, 4)
  for (let i = 0; i < bodyLength; i++) b[6 + i] = (seed * 31 + i * 7) & 0xff
  return b
}

/** Response frame: size prefix + the request's seed-bearing first body byte and its length. */
function answer(req: Buffer): Buffer {
  const b = Buffer.alloc(12)
  b.writeInt32BE(8, 0)
  b.writeInt32BE(req.length, 4)
  b.writeInt32BE(req.length > 2 ? req[2] : -1, 8)
  return b
}

async function serve(processor: RequestProcessor) {
  const logs: string[] = []
  const server = new SocketServer({host: '127.0.0.1', port: 0, maxRequestBytes: 1 << 20, idleMs: 60_000,
    logger: (l, m) => logs.push(`${l} ${m}`), processor, transientFrame: (apiKey) => apiKey === TRANSIENT_API})
  const port = await server.listen()
  const socket = await new Promise<net.Socket>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s))
  })
  socket.setNoDelay(true)
  const responses: Buffer[] = []
  let buf = Buffer.alloc(0)
  socket.on('data', (d) => {
    buf = Buffer.concat([buf, d])
    while (buf.length >= 12) {
      responses.push(buf.subarray(0, 12))
      buf = buf.subarray(12)
    }
  })
  socket.on('error', () => {})
  return {server, socket, responses, logs}
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** Writes `bytes` as separate TCP sends cut at `cuts`, waiting for each to be read so they arrive as separate chunks. */
async function writeCut(socket: net.Socket, bytes: Buffer, cuts: number[]): Promise<void> {
  let from = 0
  for (const to of [...cuts, bytes.length]) {
    if (to > from) {
      socket.write(bytes.subarray(from, to))
      await new Promise((r) => setTimeout(r, 3))
    }
    from = to
  }
}

test('frames cut at every position of prefix, api key and body are reassembled byte for byte', async () => {
  const seen: string[] = []
  const {server, socket, responses} = await serve((req) => {
    seen.push(req.toString('hex'))
    return answer(req)
  })
  try {
    const frames = [frame(TRANSIENT_API, 1, 40), frame(OTHER_API, 2, 40), frame(TRANSIENT_API, 3, 0)]
    const expected: string[] = []
    // Each frame cut once at every offset, followed by the next frame in the same write.
    for (const f of frames) {
      for (let cut = 1; cut < f.length; cut++) {
        const next = frame(TRANSIENT_API, cut, 5)
        await writeCut(socket, Buffer.concat([f, next]), [cut])
        expected.push(f.subarray(4).toString('hex'), next.subarray(4).toString('hex'))
      }
    }
    await until(() => responses.length === expected.length)
    assert.deepEqual(seen, expected)
  } finally {
    socket.destroy()
    await server.close(1000)
  }
})

test('a large transient frame in many chunks, then asynchronous ones of another api: those keep their bytes', async () => {
  const held: {req: Buffer; copy: Buffer; resolve: () => void}[] = []
  let syncFrames = 0
  const {server, socket, responses} = await serve((req) => {
    if (req.length > 2 && req[2] === ((9 * 31) & 0xff)) {
      // Seed 9: answer later, as a parked request would.
      return new Promise<Buffer>((resolve) => held.push({req, copy: Buffer.from(req), resolve: () => resolve(answer(req))}))
    }
    syncFrames++
    return answer(req)
  })
  try {
    const big = frame(TRANSIENT_API, 5, 300_000)
    await writeCut(socket, big, [3, 5, 70_000, 140_000, 299_000])
    // Only transient frames may be read in place; one the processor keeps must survive later reads,
    // whether it was assembled from several chunks or arrived whole in one.
    const asyncFrame = frame(OTHER_API, 9, 200_000)
    await writeCut(socket, asyncFrame, [100_000])
    await until(() => held.length === 1)
    await writeCut(socket, frame(OTHER_API, 9, 100), [])
    await until(() => held.length === 2)
    // More transient frames split across chunks: they must not land in the buffer the held request reads.
    for (let i = 0; i < 3; i++) await writeCut(socket, frame(TRANSIENT_API, 20 + i, 150_000), [50_000, 100_000])
    await until(() => syncFrames === 4)
    assert.ok(held[0].req.equals(held[0].copy), 'the held assembled frame was overwritten')
    assert.ok(held[1].req.equals(held[1].copy), 'the held whole frame was overwritten')
    held[0].resolve()
    held[1].resolve()
    await until(() => responses.length === 6)
    // Responses keep request order: the held ones (200,002 and 102 bytes) come second and third.
    assert.deepEqual(responses.map((r) => r.readInt32BE(4)), [300_002, 200_002, 102, 150_002, 150_002, 150_002])
  } finally {
    socket.destroy()
    for (const h of held) h.resolve()
    await server.close(1000)
  }
})

test('a throwing processor on a pooled frame closes the connection; the next connection still assembles frames', async () => {
  let calls = 0
  const {server, socket, logs} = await serve((req) => {
    calls++
    if (calls === 1) throw new Error('handler bug')
    return answer(req)
  })
  try {
    await writeCut(socket, frame(TRANSIENT_API, 1, 100_000), [10, 50_000])
    await until(() => socket.destroyed || socket.readableEnded)
    assert.ok(logs.some((l) => /handler bug/.test(l)))
    const port = server.port
    const s2 = await new Promise<net.Socket>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(s))
    })
    const got: Buffer[] = []
    s2.on('data', (d) => got.push(d))
    await writeCut(s2, frame(TRANSIENT_API, 2, 100_000), [10, 50_000])
    await until(() => Buffer.concat(got).length >= 12)
    assert.equal(Buffer.concat(got).readInt32BE(4), 100_002)
    s2.destroy()
  } finally {
    socket.destroy()
    await server.close(1000)
  }
})

test('responses given as parts, now or later, are written whole and in request order', async () => {
  const later: (() => void)[] = []
  const {server, socket, responses} = await serve((req) => {
    const whole = answer(req)
    // Seed 2 answers later in three parts, seed 3 at once in two parts, the rest as one buffer.
    if (req[2] === ((2 * 31) & 0xff)) {
      return new Promise<Buffer[]>((resolve) => later.push(() => resolve([whole.subarray(0, 3), whole.subarray(3, 9), whole.subarray(9)])))
    }
    if (req[2] === ((3 * 31) & 0xff)) return [whole.subarray(0, 5), whole.subarray(5)]
    return whole
  })
  try {
    const sizes = [10, 20, 30, 40]
    await writeCut(socket, Buffer.concat([frame(OTHER_API, 1, 10), frame(OTHER_API, 2, 20), frame(OTHER_API, 3, 30), frame(OTHER_API, 4, 40)]), [])
    await until(() => later.length === 1)
    await new Promise((r) => setTimeout(r, 20))
    assert.equal(responses.length, 1, 'the answers after the pending one wait for it')
    later[0]()
    await until(() => responses.length === 4)
    assert.deepEqual(responses.map((r) => r.readInt32BE(4)), sizes.map((n) => n + 2))
    assert.ok(responses.every((r) => r.readInt32BE(0) === 8), 'every frame arrives intact')
  } finally {
    socket.destroy()
    for (const l of later) l()
    await server.close(1000)
  }
})

test('large frames whose rest is read straight into their buffers arrive byte for byte, with the frames around them', async () => {
  const seen: Buffer[] = []
  const {server, socket, responses} = await serve((req) => {
    seen.push(Buffer.from(req))
    return answer(req)
  })
  try {
    const frames = [frame(TRANSIENT_API, 11, 900_000), frame(OTHER_API, 12, 700_000), frame(TRANSIENT_API, 13, 10), frame(OTHER_API, 14, 400_000)]
    // One write with everything, then the same frames cut so that a read ends inside each of them.
    await writeCut(socket, Buffer.concat(frames), [])
    await writeCut(socket, Buffer.concat(frames), [5, 450_000, 900_010, 1_300_000, 1_600_020, 1_800_000])
    await until(() => responses.length === 8)
    assert.equal(seen.length, 8)
    seen.forEach((req, i) => assert.ok(req.equals(frames[i % 4].subarray(4)), `frame ${i} differs`))
  } finally {
    socket.destroy()
    await server.close(1000)
  }
})
