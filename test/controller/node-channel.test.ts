import {test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createServer} from 'node:net'
import {startBroker} from '../../src/broker/broker.js'
import {NodeChannel} from '../../src/controller/network/node-channel.js'
import {ErrorCode, decodeRequestHeader, encodeResponse} from '../../src/protocol/index.js'

test('NodeChannel pipelines requests to a broker and reconnects after the connection drops', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-channel-'))
  const broker = await startBroker({nodeId: 0, dataDir: dir, host: '127.0.0.1', port: 0, props: {}, logger: () => {}})
  const channel = new NodeChannel({host: '127.0.0.1', port: broker.port}, 'test')
  try {
    const answers = await Promise.all([1, 2, 3].map(() => channel.send(3, {topics: [], allowAutoTopicCreation: false}, {timeoutMs: 5000})))
    for (const a of answers) assert.deepEqual(a.brokers.map((b: any) => b.nodeId), [0])
    ;(channel as any).socket.destroy()
    await new Promise((r) => setTimeout(r, 20))
    const again = await channel.send(3, {topics: [], allowAutoTopicCreation: false}, {timeoutMs: 5000})
    assert.equal(again.brokers[0].port, broker.port)
  } finally {
    channel.close()
    await broker.close()
    rmSync(dir, {recursive: true, force: true})
  }
})

test('NodeChannel fails a request with REQUEST_TIMED_OUT when the node never answers, and NETWORK_EXCEPTION when nobody listens', async () => {
  const accepted: import('node:net').Socket[] = []
  const silent = createServer((s) => accepted.push(s))
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
  const port = (silent.address() as any).port
  const channel = new NodeChannel({host: '127.0.0.1', port}, 'test')
  await assert.rejects(channel.send(3, {topics: []}, {timeoutMs: 100}), (e: any) => e.code === ErrorCode.REQUEST_TIMED_OUT)
  channel.close()
  for (const s of accepted) s.destroy()
  await new Promise<void>((r) => silent.close(() => r()))
  const dead = new NodeChannel({host: '127.0.0.1', port}, 'test')
  await assert.rejects(dead.send(3, {topics: []}, {timeoutMs: 1000}), (e: any) => e.code === ErrorCode.NETWORK_EXCEPTION)
  dead.close()
})

/** A fake node: answers each Metadata request with one broker, written in 3-byte pieces; `bad` connections send a bogus size instead. */
function fakeNode(bad: () => boolean) {
  return createServer((s) => {
    const badConn = bad()
    let pending = Buffer.alloc(0)
    s.on('data', async (chunk) => {
      pending = Buffer.concat([pending, chunk])
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const frame = pending.subarray(4, 4 + pending.readInt32BE(0))
        pending = pending.subarray(4 + frame.length)
        if (badConn) {
          s.write(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1]))
          continue
        }
        const {header} = decodeRequestHeader(frame)
        const out = encodeResponse(3, header.apiVersion, header.correlationId, {
          throttleTimeMs: 0, brokers: [{nodeId: 7, host: 'fake', port: 1, rack: null}], clusterId: null, controllerId: 7,
          topics: [], clusterAuthorizedOperations: -2147483648,
        })
        // Pieces that cut the size prefix and the body anywhere: the framer must reassemble them.
        for (let i = 0; i < out.length; i += 3) {
          s.write(out.subarray(i, i + 3))
          await new Promise((r) => setImmediate(r))
        }
      }
    })
  })
}

test('NodeChannel reassembles answers from small pieces, and drops a connection that sends an impossible frame size', async () => {
  let connections = 0
  const server = fakeNode(() => ++connections === 2)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const channel = new NodeChannel({host: '127.0.0.1', port: (server.address() as any).port}, 'test')
  try {
    const answers = await Promise.all([1, 2].map(() => channel.send(3, {topics: [], allowAutoTopicCreation: false}, {timeoutMs: 5000})))
    for (const a of answers) assert.deepEqual(a.brokers.map((b: any) => [b.nodeId, b.host]), [[7, 'fake']])
    ;(channel as any).socket.destroy()
    await new Promise((r) => setTimeout(r, 20))
    await assert.rejects(channel.send(3, {topics: []}, {timeoutMs: 5000}),
      (e: any) => e.code === ErrorCode.NETWORK_EXCEPTION && /bad response size/.test(e.message))
    const again = await channel.send(3, {topics: [], allowAutoTopicCreation: false}, {timeoutMs: 5000})
    assert.equal(again.controllerId, 7)
    assert.equal(connections, 3)
  } finally {
    channel.close()
    await new Promise<void>((r) => server.close(() => r()))
  }
})
