// The idempotent producer's per-partition state machine (ProducerStateManager) and Kafka's producer
// snapshot file format: duplicates, gaps, epochs, sequence wrap, byte-exact snapshot, corruption.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync, writeFileSync} from 'node:fs'
import CRC32C from 'crc-32/crc32c.js'
import {ErrorCode, KafkaError} from '../../src/protocol/errors.js'
import {
  ProducerStateManager, encodeProducerSnapshot, decodeProducerSnapshot, CorruptSnapshotError, snapshotPath,
  incrementSequence, BATCHES_TO_RETAIN, type SnapshotEntry,
} from '../../src/storage/index.js'
import {decrementSequence, firstOffsetOf, inSequence} from '../../src/storage/producer-state-entry.js'
import {tempDir} from './helpers.js'

const INT32_MAX = 0x7fffffff
const PID = 42n

function kafkaCode(fn: () => unknown): number {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof KafkaError, `expected a KafkaError, got ${err}`)
    return err.code
  }
  assert.fail('expected an error')
}

/** Appends `count` records of the producer at `offset` through the manager; returns the batch's last sequence. */
function append(m: ProducerStateManager, epoch: number, firstSeq: number, count: number, offset: bigint, ts = 1000n): number {
  const lastSeq = incrementSequence(firstSeq, count - 1)
  assert.equal(m.checkAppend(PID, epoch, firstSeq, lastSeq, offset), null, `batch ${firstSeq}..${lastSeq} is accepted`)
  m.onAppend(PID, epoch, lastSeq, offset + BigInt(count - 1), count - 1, ts)
  return lastSeq
}

test('sequence arithmetic wraps at int32 max to 0, as producers number records', () => {
  assert.equal(incrementSequence(5, 3), 8)
  assert.equal(incrementSequence(INT32_MAX, 1), 0)
  assert.equal(incrementSequence(INT32_MAX - 1, 3), 1)
  assert.equal(decrementSequence(1, 3), INT32_MAX - 1)
  assert.equal(decrementSequence(10, 4), 6)
  assert.ok(inSequence(INT32_MAX, 0))
  assert.ok(inSequence(6, 7))
  assert.ok(!inSequence(6, 8))
  assert.ok(!inSequence(INT32_MAX, 1))
})

test('a retry of one of the last five batches is a duplicate carrying its original offsets; older ones are out of order', () => {
  const {dir, cleanup} = tempDir()
  try {
    const m = new ProducerStateManager(dir, {name: 't-0'})
    // An unknown producer may start anywhere (its earlier records may have been deleted by retention).
    assert.equal(m.checkAppend(PID, 0, 17, 19, 0n), null)
    let seq = 0
    const offsets: bigint[] = []
    for (let b = 0; b < 6; b++) {
      offsets.push(BigInt(b * 10))
      seq = append(m, 0, b * 3, 3, BigInt(b * 10), BigInt(1000 + b)) + 1
    }
    assert.equal(seq, 18)
    // Batches 1..5 are remembered: each retry answers its own first offset and timestamp.
    for (let b = 1; b < 6; b++) {
      const dup = m.checkAppend(PID, 0, b * 3, b * 3 + 2, 99n)
      assert.ok(dup, `batch ${b} is recognised`)
      assert.equal(firstOffsetOf(dup), offsets[b])
      assert.equal(dup.lastOffset, offsets[b] + 2n)
      assert.equal(dup.timestamp, BigInt(1000 + b))
    }
    assert.equal(m.producers.get(PID)!.batches.length, BATCHES_TO_RETAIN)
    // Batch 0 fell out of the window: its retry is a sequence error, not a silent duplicate.
    assert.equal(kafkaCode(() => m.checkAppend(PID, 0, 0, 2, 99n)), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    // A partial overlap is not a duplicate either.
    assert.equal(kafkaCode(() => m.checkAppend(PID, 0, 15, 18, 99n)), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    // A gap.
    assert.equal(kafkaCode(() => m.checkAppend(PID, 0, 19, 20, 99n)), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    // The next sequence is fine.
    assert.equal(m.checkAppend(PID, 0, 18, 20, 99n), null)
  } finally {
    cleanup()
  }
})

test('epochs: an older one is INVALID_PRODUCER_EPOCH, a newer one must restart at sequence 0 and forgets old batches', () => {
  const {dir, cleanup} = tempDir()
  try {
    const m = new ProducerStateManager(dir, {name: 't-0'})
    append(m, 3, 0, 5, 0n)
    assert.equal(kafkaCode(() => m.checkAppend(PID, 2, 5, 5, 5n)), ErrorCode.INVALID_PRODUCER_EPOCH)
    // A duplicate must match the epoch too.
    assert.equal(kafkaCode(() => m.checkAppend(PID, 2, 0, 4, 5n)), ErrorCode.INVALID_PRODUCER_EPOCH)
    assert.equal(kafkaCode(() => m.checkAppend(PID, 4, 5, 5, 5n)), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    append(m, 4, 0, 2, 5n)
    assert.equal(m.producers.get(PID)!.producerEpoch, 4)
    assert.equal(m.producers.get(PID)!.batches.length, 1, 'the old epoch\'s batches are forgotten')
    assert.equal(kafkaCode(() => m.checkAppend(PID, 3, 0, 4, 7n)), ErrorCode.INVALID_PRODUCER_EPOCH)
  } finally {
    cleanup()
  }
})

test('sequences continue across the int32 wrap', () => {
  const {dir, cleanup} = tempDir()
  try {
    const m = new ProducerStateManager(dir, {name: 't-0'})
    const last = append(m, 0, INT32_MAX - 2, 5, 0n)
    assert.equal(last, 1, 'a batch may itself wrap')
    const dup = m.checkAppend(PID, 0, INT32_MAX - 2, 1, 9n)
    assert.ok(dup)
    assert.equal(firstOffsetOf(dup), 0n)
    append(m, 0, 2, 1, 5n)
    const m2 = new ProducerStateManager(dir, {name: 't-0'})
    append(m2, 0, INT32_MAX, 1, 0n)
    assert.equal(m2.checkAppend(PID, 0, 0, 0, 1n), null, 'int32 max is followed by 0')
  } finally {
    cleanup()
  }
})

test('snapshot bytes are exactly Kafka\'s layout: version, CRC-32C of the rest, count, 46-byte entries', () => {
  const entry: SnapshotEntry = {
    producerId: 0x0102030405060708n, producerEpoch: 9, lastSequence: 0x0a0b0c0d, lastOffset: 0x1112131415161718n,
    offsetDelta: 0x191a1b1c, timestamp: 0x2122232425262728n, coordinatorEpoch: -1, currentTxnFirstOffset: -1n,
  }
  const bytes = encodeProducerSnapshot([entry])
  const body = Buffer.from(
    '00000001' + // entry count
    '0102030405060708' + '0009' + '0a0b0c0d' + '1112131415161718' + '191a1b1c' + '2122232425262728' + 'ffffffff' + 'ffffffffffffffff', 'hex')
  const crc = Buffer.alloc(4)
  // The crc-32 package's CRC-32C is an independent oracle for our checksum.
  crc.writeInt32BE(CRC32C.buf(body))
  assert.deepEqual(bytes, Buffer.concat([Buffer.from('0001', 'hex'), crc, body]))
  assert.equal(bytes.length, 10 + 46)
  assert.deepEqual(decodeProducerSnapshot(bytes), [entry])
  assert.deepEqual(decodeProducerSnapshot(encodeProducerSnapshot([])), [])
})

test('a corrupt, truncated or unknown-version snapshot is refused', () => {
  const good = encodeProducerSnapshot([{producerId: 1n, producerEpoch: 0, lastSequence: 4, lastOffset: 4n, offsetDelta: 4, timestamp: 5n,
    coordinatorEpoch: -1, currentTxnFirstOffset: -1n}])
  const flipped = Buffer.from(good)
  flipped[20] ^= 1
  assert.throws(() => decodeProducerSnapshot(flipped), CorruptSnapshotError)
  assert.throws(() => decodeProducerSnapshot(good.subarray(0, good.length - 1)), CorruptSnapshotError)
  const v2 = Buffer.from(good)
  v2.writeInt16BE(2, 0)
  assert.throws(() => decodeProducerSnapshot(v2), /version 2/)
})

test('takeSnapshot and loadLatestSnapshot round-trip the table; a corrupt newest snapshot falls back to the previous one', () => {
  const {dir, cleanup} = tempDir()
  try {
    const now = 1_000_000
    const m = new ProducerStateManager(dir, {name: 't-0'})
    append(m, 0, 0, 3, 0n, BigInt(now))
    m.onAppend(7n, 2, 10, 20n, 4, BigInt(now))
    assert.ok(m.takeSnapshot(21n, true))
    assert.ok(!m.takeSnapshot(21n, true), 'same offset: not rewritten')
    append(m, 0, 3, 2, 21n, BigInt(now))
    assert.ok(m.takeSnapshot(30n, true))
    assert.deepEqual(m.snapshotOffsets, [21n, 30n])

    const r = new ProducerStateManager(dir, {name: 't-0'})
    assert.equal(r.loadLatestSnapshot(now), 30n)
    assert.deepEqual(r.snapshotEntries(), m.snapshotEntries())
    // Only the last batch survives a snapshot (as in Kafka): its retry is still recognised.
    assert.ok(r.checkAppend(PID, 0, 3, 4, 40n))
    assert.equal(r.checkAppend(PID, 0, 5, 5, 40n), null)

    const path = snapshotPath(dir, 30n)
    const bytes = readFileSync(path)
    bytes[bytes.length - 1] ^= 0xff
    writeFileSync(path, bytes)
    const lines: string[] = []
    const f = new ProducerStateManager(dir, {name: 't-0', logger: (l, msg) => lines.push(`${l} ${msg}`)})
    assert.equal(f.loadLatestSnapshot(now), 21n)
    assert.match(lines.join('\n'), /warn t-0: deleting unusable producer snapshot at offset 30: .*CRC/)
    assert.deepEqual(f.snapshotOffsets, [21n])
    assert.equal(f.producers.get(PID)!.lastSeq, 2)

    // Producers silent for producer.id.expiration.ms are not loaded and are expired from memory.
    const e = new ProducerStateManager(dir, {name: 't-0', producerIdExpirationMs: 1000})
    assert.equal(e.loadLatestSnapshot(now + 1000), 21n)
    assert.equal(e.producers.size, 0)
    assert.equal(f.removeExpiredProducers(now + 86_400_000 - 1), 0)
    assert.equal(f.removeExpiredProducers(now + 86_400_000), 2)
  } finally {
    cleanup()
  }
})

test('snapshot housekeeping: above the log end, below the log start, strays', () => {
  const {dir, cleanup} = tempDir()
  try {
    const m = new ProducerStateManager(dir, {name: 't-0'})
    for (const o of [10n, 20n, 25n, 30n, 40n]) m.takeSnapshot(o, false)
    m.deleteSnapshotsAbove(35n)
    assert.deepEqual(m.snapshotOffsets, [10n, 20n, 25n, 30n])
    m.deleteSnapshotsBefore(20n)
    assert.deepEqual(m.snapshotOffsets, [20n, 25n, 30n])
    // 25 belongs to no segment; 30 is the newest and above every segment base (a clean stop's snapshot).
    m.removeStraySnapshots([0n, 20n])
    assert.deepEqual(m.snapshotOffsets, [20n, 30n])
    m.truncateFully()
    assert.deepEqual(m.snapshotOffsets, [])
    assert.deepEqual(new ProducerStateManager(dir, {name: 't-0'}).snapshotOffsets, [], 'the files are gone')
  } finally {
    cleanup()
  }
})
