/** ResponseFramer: frames out of reads of any size, large ones read straight into their own buffer. */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {ResponseFramer} from '../../src/protocol/response-framer.js'

function framed(bodies: Buffer[]): Buffer {
  return Buffer.concat(bodies.flatMap((b) => {
    const size = Buffer.alloc(4)
    size.writeInt32BE(b.length)
    return [size, b]
  }))
}

function body(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = (seed * 13 + i * 7) & 0xff
  return b
}

/** Feeds `stream` the way a socket with onread does: each read fills at most `readSize` bytes of the buffer nextBuffer gives. */
function feed(framer: ResponseFramer, stream: Buffer, readSize: (i: number) => number): void {
  let pos = 0
  for (let i = 0; pos < stream.length; i++) {
    const target = framer.nextBuffer()
    const n = Math.min(target.length, readSize(i), stream.length - pos)
    stream.copy(target, 0, pos, pos + n)
    framer.onRead(n, target)
    pos += n
  }
}

test('frames come out whole and in order whatever the read sizes', () => {
  const bodies = [body(4, 1), body(100, 2), body(200_000, 3), body(5, 4), body(70_000, 5), body(4, 6), body(1 << 20, 7)]
  const stream = framed(bodies)
  for (const sizes of [() => 1, () => 3, () => 4096, () => 65_536, (i: number) => [1, 2, 5, 7, 100_000][i % 5]]) {
    const got: Buffer[] = []
    feed(new ResponseFramer(16 << 20, (f) => got.push(f) > 0, () => assert.fail('size is fine')), stream, sizes)
    assert.equal(got.length, bodies.length)
    got.forEach((f, i) => assert.ok(f.equals(bodies[i]), `frame ${i}`))
  }
})

test('frames handed out stay intact after later reads (no shared memory)', () => {
  const bodies = [body(10, 1), body(300_000, 2), body(10, 3), body(20, 4)]
  const got: Buffer[] = []
  feed(new ResponseFramer(16 << 20, (f) => got.push(f) > 0, () => {}), framed(bodies), () => 50_000)
  got.forEach((f, i) => assert.ok(f.equals(bodies[i]), `frame ${i}`))
})

test('a large frame is read into its own buffer: reads never go past its end', () => {
  const framer = new ResponseFramer(16 << 20, () => true, () => {})
  const stream = framed([body(100_000, 1), body(8, 2)])
  let target = framer.nextBuffer()
  stream.copy(target, 0, 0, 1000)
  framer.onRead(1000, target)
  target = framer.nextBuffer()
  assert.equal(target.length, 100_000 - 996, 'exactly the missing rest of the frame')
})

test('a size outside 4..max is reported and stops framing; onFrame returning false stops too', () => {
  const bad: number[] = []
  const got: Buffer[] = []
  const framer = new ResponseFramer(1000, (f) => got.push(f) > 0, (s) => bad.push(s))
  feed(framer, Buffer.concat([framed([body(8, 1)]), framed([body(2000, 2)])]), () => 65_536)
  assert.deepEqual(bad, [2000])
  assert.equal(got.length, 1)
  const seen: Buffer[] = []
  const stopper = new ResponseFramer(1000, (f) => (seen.push(f), false), () => {})
  feed(stopper, framed([body(8, 1), body(8, 2)]), () => 65_536)
  assert.equal(seen.length, 1)
})
