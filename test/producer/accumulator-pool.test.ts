/**
 * RecordAccumulator, ProducerBatch and BufferPool without a network: records encoded in place
 * decode back exactly (every codec, headers, nulls, non-ASCII), readiness follows linger.ms on an
 * explicit clock, and the pool blocks, times out and serves waiters in arrival order.
 */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {BufferExhaustedError, BufferPool, ProducerBatch, RecordAccumulator} from '../../src/producer/index.js'
import {CompressionType, HEADER_SIZE, decodeRecordBatch} from '../../src/records/index.js'

const noop = () => {}

test('a batch encoded in place decodes back to the same records with every codec', () => {
  const codecs = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]
  for (const codec of codecs) {
    const b = new ProducerBatch('t', 0, Buffer.alloc(16384), 1000)
    const inputs: Array<[number, Buffer | string | null, Buffer | string | null, Array<{key: string; value: Buffer | string | null}> | undefined]> = [
      [1000, 'k0', 'plain ascii value', undefined],
      [1003, null, 'null key', undefined],
      [1001, 'k2', null, undefined],
      [999, Buffer.from([0, 1, 2]), Buffer.alloc(0), [{key: 'h1', value: 'v1'}, {key: 'ü-key', value: null}]],
      [1010, 'ключ', 'значение ✓ 𝄞', undefined],
      [1011, 'k5', 'x'.repeat(300), undefined],
    ]
    for (const [ts, k, v, h] of inputs) assert.equal(b.append(ts, k, v, h, noop), 0)
    const wire = b.close(codec, 42n, 3, 7)
    const batch = decodeRecordBatch(wire, 0)
    assert.equal(batch.compression, codec)
    assert.equal(batch.producerId, 42n)
    assert.equal(batch.producerEpoch, 3)
    assert.equal(batch.baseSequence, 7)
    assert.equal(batch.recordsCount, inputs.length)
    assert.equal(batch.maxTimestamp, 1011n)
    inputs.forEach(([ts, k, v, h], i) => {
      const r = batch.records[i]
      assert.equal(r.offset, BigInt(i))
      assert.equal(r.timestamp, BigInt(ts))
      assert.deepEqual(r.key, k === null ? null : Buffer.from(k as string))
      assert.deepEqual(r.value, v === null ? null : Buffer.from(v as string))
      assert.deepEqual(r.headers, (h ?? []).map((x) => ({key: x.key, value: x.value === null ? null : Buffer.from(x.value as string)})))
    })
    // Restamping a retry's sequence keeps the CRC valid.
    b.stampProducer(42n, 3, 99)
    assert.equal(decodeRecordBatch(b.wire!, 0).baseSequence, 99)
  }
})

test('a batch refuses a record that does not fit and then takes no more', () => {
  const b = new ProducerBatch('t', 0, Buffer.alloc(HEADER_SIZE + 100), 0)
  assert.equal(b.append(0, null, 'a'.repeat(50), undefined, noop), 0)
  assert.equal(b.append(0, null, 'b'.repeat(50), undefined, noop), 1)
  assert.equal(b.closed, true)
  assert.equal(b.append(0, null, 'c', undefined, noop), 1)
  assert.equal(b.recordCount, 1)
})

test('accumulator: batches fill to batch.size, oversized records get their own batch, linger decides readiness', () => {
  const pool = new BufferPool(1 << 20, 1024)
  const acc = new RecordAccumulator(pool, 1024)
  let fullSignals = 0
  acc.onBatchFull = () => fullSignals++
  const q = acc.queue('t', 0)
  const now = 10_000
  const first = acc.append(q, now, now, null, 'v'.repeat(100), undefined, noop)
  assert.ok(typeof first !== 'number')
  assert.equal(acc.readyAt(q, 5, false), now + 5, 'an open batch waits linger.ms')
  assert.equal(acc.readyAt(q, 5, true), 0, 'a flush makes it ready at once')
  for (let i = 0; i < 20; i++) acc.append(q, now + 1, now + 1, null, 'v'.repeat(100), undefined, noop)
  assert.ok(q.deque.length >= 2, 'records spilled into a second batch')
  assert.ok(q.deque[0].sizeInBytes <= 1024)
  assert.ok(fullSignals > 0)
  assert.equal(acc.readyAt(q, 5, false), 0, 'a batch with a successor is ready')
  const big = acc.append(acc.queue('t', 1), now, now, null, Buffer.alloc(5000), undefined, noop)
  assert.ok(typeof big !== 'number')
  assert.ok(big.buf.length >= 5000 && big.recordCount === 1)
  assert.equal(pool.availableMemory, (1 << 20) - 1024 * q.deque.length - big.buf.length)
  // Completed batches give their memory back.
  for (const b of [...acc.incomplete]) acc.deallocate(b)
  assert.equal(pool.availableMemory, 1 << 20)
})

test('accumulator reports the memory it needs when the pool is exhausted', () => {
  const pool = new BufferPool(2048, 1024)
  const acc = new RecordAccumulator(pool, 1024)
  const a = acc.append(acc.queue('t', 0), 0, 0, null, 'x', undefined, noop)
  const b = acc.append(acc.queue('t', 1), 0, 0, null, 'x', undefined, noop)
  assert.ok(typeof a !== 'number' && typeof b !== 'number')
  assert.equal(acc.append(acc.queue('t', 2), 0, 0, null, 'x', undefined, noop), 1024)
})

test('BufferPool reuses batch.size buffers and stays within buffer.memory', () => {
  const pool = new BufferPool(4096, 1024)
  const a = pool.tryAllocate(1024)!
  const b = pool.tryAllocate(3072)!
  assert.equal(pool.tryAllocate(1), null)
  pool.deallocate(a)
  assert.equal(pool.tryAllocate(1024), a, 'the freed batch.size buffer is reused')
  pool.deallocate(b)
  assert.equal(pool.availableMemory, 3072)
  assert.throws(() => pool.tryAllocate(5000), RangeError)
})

test('BufferPool blocks, then fails with the max.block.ms error when nothing is freed', async () => {
  const pool = new BufferPool(2048, 1024)
  pool.tryAllocate(2048)
  const started = Date.now()
  await assert.rejects(pool.allocate(1024, 150), (e: Error) => {
    assert.ok(e instanceof BufferExhaustedError)
    assert.equal(e.name, 'BUFFER_EXHAUSTED')
    assert.match(e.message, /could not allocate 1024 bytes within max\.block\.ms \(150 ms\): buffer\.memory \(2048 bytes\) is full/)
    return true
  })
  assert.ok(Date.now() - started >= 140, 'it waited')
  assert.equal(pool.queued, 0)
})

test('BufferPool serves waiters first come first served, and newcomers do not overtake them', async () => {
  const pool = new BufferPool(3072, 1024)
  const held = [pool.tryAllocate(1024)!, pool.tryAllocate(1024)!, pool.tryAllocate(1024)!]
  const order: string[] = []
  const big = pool.allocate(2048, 2000).then((b) => (order.push('big'), b))
  const small = pool.allocate(1024, 2000).then((b) => (order.push('small'), b))
  assert.equal(pool.tryAllocate(1024), null, 'a newcomer waits behind the queue')
  pool.deallocate(held[0])
  await new Promise((r) => setImmediate(r))
  assert.deepEqual(order, [], 'the small request does not overtake the big one at the head')
  pool.deallocate(held[1])
  const bigBuf = await big
  assert.equal(bigBuf.length, 2048)
  pool.deallocate(held[2])
  assert.equal((await small).length, 1024)
  assert.deepEqual(order, ['big', 'small'])
})
