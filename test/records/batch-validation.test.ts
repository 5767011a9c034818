import {test} from 'node:test'
import assert from 'node:assert/strict'
import {
  CRC, CompressionType, HEADER_SIZE, MAGIC, RECORDS_COUNT, LAST_OFFSET_DELTA, computeBatchCrc, encodeRecordBatch,
  validateBatch, RecordErrorCode,
} from '../../src/records/index.js'
import {RECORD_WALKS} from '../../src/records/record-walk.js'

const records = Array.from({length: 5}, (_, i) => ({key: `k${i}`, value: `value ${i}`, headers: [{key: 'h', value: null}]}))

function fixCrc(b: Buffer): void {
  b.writeUInt32BE(computeBatchCrc(b, 0), CRC)
}

function expectError(b: Buffer, code: number, pattern: RegExp, size = b.length): void {
  const r = validateBatch(b, 0, size)
  assert.equal(r.ok, false)
  if (!r.ok) {
    assert.equal(r.errorCode, code, r.reason)
    assert.match(r.reason, pattern)
  }
}

test('validateBatch accepts well-formed batches of every codec', () => {
  for (const compression of [0, 1, 2, 3, 4] as CompressionType[]) {
    const b = encodeRecordBatch({records, compression})
    const r = validateBatch(b, 0, b.length, {deep: true})
    assert.ok(r.ok, r.ok ? '' : r.reason)
    if (r.ok) assert.equal(r.header.recordsCount, 5)
  }
  // A batch in the middle of a larger buffer.
  const b = encodeRecordBatch({records})
  const framed = Buffer.concat([Buffer.alloc(7), b, Buffer.alloc(3)])
  assert.ok(validateBatch(framed, 7, b.length).ok)
})

test('validateBatch rejects a flipped CRC byte and a flipped payload byte', () => {
  const b = encodeRecordBatch({records})
  b[CRC + 2] ^= 0x10
  expectError(b, RecordErrorCode.CORRUPT_MESSAGE, /CRC/)
  const c = encodeRecordBatch({records})
  c[c.length - 3] ^= 0x01
  expectError(c, RecordErrorCode.CORRUPT_MESSAGE, /CRC/)
})

test('validateBatch rejects wrong magic', () => {
  const b = encodeRecordBatch({records})
  b[MAGIC] = 1
  expectError(b, RecordErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, /v1/)
  b[MAGIC] = 7
  expectError(b, RecordErrorCode.CORRUPT_MESSAGE, /magic/)
})

test('validateBatch rejects truncated batches and sizes that disagree with batchLength', () => {
  const b = encodeRecordBatch({records})
  expectError(b.subarray(0, b.length - 1), RecordErrorCode.CORRUPT_MESSAGE, /batchLength/)
  expectError(b.subarray(0, 40), RecordErrorCode.CORRUPT_MESSAGE, /shorter than/)
  expectError(b, RecordErrorCode.CORRUPT_MESSAGE, /outside/, b.length + 1)
  assert.equal(validateBatch(b, -1, 10).ok, false)
  assert.equal(validateBatch(b, 0.5, 10).ok, false)
})

test('validateBatch rejects a record count that does not match the records', () => {
  const b = encodeRecordBatch({records})
  b.writeInt32BE(6, RECORDS_COUNT)
  b.writeInt32BE(5, LAST_OFFSET_DELTA)
  fixCrc(b)
  expectError(b, RecordErrorCode.INVALID_RECORD, /header says 6 records, found 5/)

  const c = encodeRecordBatch({records})
  c.writeInt32BE(4, RECORDS_COUNT)
  c.writeInt32BE(3, LAST_OFFSET_DELTA)
  fixCrc(c)
  expectError(c, RecordErrorCode.INVALID_RECORD, /bytes after the last/)

  const d = encodeRecordBatch({records})
  d.writeInt32BE(9, LAST_OFFSET_DELTA) // count 5 but offsets for 10
  fixCrc(d)
  expectError(d, RecordErrorCode.INVALID_RECORD, /lastOffsetDelta/)
  // A compacted log may legitimately have offset gaps.
  assert.ok(validateBatch(d, 0, d.length, {fromLog: true}).ok)
})

test('validateBatch rejects a record whose length overruns the batch', () => {
  const b = encodeRecordBatch({records: [{value: 'abc'}]})
  b[HEADER_SIZE] = 0x7e // record length 63, far past the end
  fixCrc(b)
  expectError(b, RecordErrorCode.INVALID_RECORD, /overruns/)
})

test('validateBatch rejects control batches from clients and empty batches', () => {
  const ctl = encodeRecordBatch({records: [{key: Buffer.alloc(4), value: Buffer.alloc(6)}], isControl: true})
  expectError(ctl, RecordErrorCode.INVALID_RECORD, /control/)
  assert.ok(validateBatch(ctl, 0, ctl.length, {allowControl: true}).ok)
  const empty = encodeRecordBatch({records: []})
  expectError(empty, RecordErrorCode.INVALID_RECORD, /no records/)
})

test('validateBatch never throws on random garbage (seeded)', () => {
  let seed = 42
  const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0)
  const good = encodeRecordBatch({records})
  let accepted = 0
  for (let i = 0; i < 4000; i++) {
    let b: Buffer
    if (i % 2 === 0) {
      // Pure noise of random length, sometimes with a plausible header.
      b = Buffer.alloc(rand() % 200)
      for (let j = 0; j < b.length; j++) b[j] = rand() & 0xff
      if (b.length > HEADER_SIZE && i % 4 === 0) {
        b.writeInt32BE(b.length - 12, 8)
        b[MAGIC] = 2
        fixCrc(b) // valid CRC so the deeper checks run on noise
      }
    } else {
      // A valid batch with a few bytes mutated after the CRC, then the CRC fixed so the record walk sees them.
      b = Buffer.from(good)
      for (let k = 0; k < 1 + (rand() % 4); k++) b[HEADER_SIZE + (rand() % (b.length - HEADER_SIZE))] = rand() & 0xff
      fixCrc(b)
    }
    const size = rand() % 3 === 0 ? rand() % (b.length + 5) : b.length
    const r = validateBatch(b, 0, size, {deep: rand() % 2 === 0})
    assert.equal(typeof r.ok, 'boolean')
    if (r.ok) accepted++
    else assert.ok([2, 43, 87].includes(r.errorCode), r.reason)
  }
  // Mutations of the value bytes keep a batch valid, so some must pass: the walk is not rejecting everything.
  assert.ok(accepted > 0)
})

/** A record's bytes (attributes first, no length prefix) as the v2 format lays them out, fields given raw. */
function zigzag(n: number): number[] {
  let z = ((n << 1) ^ (n >> 31)) >>> 0
  const out: number[] = []
  while (z >= 0x80) {
    out.push((z & 0x7f) | 0x80)
    z >>>= 7
  }
  out.push(z)
  return out
}

test('the native and the JS record walks give the same verdict and reason, on valid, edge and mutated records (seeded)', (t) => {
  const walks = Object.entries(RECORD_WALKS)
  if (walks.length < 2) return t.skip('the native addon is not built: only the JS walk exists here')
  let seed = 7
  const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0)
  const samples: Array<{buf: Buffer; count: number}> = []
  // Real batches: null and long keys/values (2- and 3-byte lengths), headers with null values, many records.
  for (let n = 0; n < 40; n++) {
    const recs = Array.from({length: 1 + (rand() % 300)}, (_, i) => ({
      key: rand() % 5 === 0 ? null : Buffer.alloc(rand() % 200, 'k'),
      value: rand() % 7 === 0 ? null : Buffer.alloc(rand() % (rand() % 3 === 0 ? 20_000 : 150), 'v'),
      headers: Array.from({length: rand() % 3}, (_, h) => ({key: `h${h}`, value: rand() % 2 ? null : Buffer.from(`x${i}`)})),
      timestamp: 1_700_000_000_000n + BigInt(rand() % 1_000_000),
    }))
    const b = encodeRecordBatch({records: recs})
    samples.push({buf: b.subarray(HEADER_SIZE), count: recs.length})
  }
  // Hand-made edge cases: 5-byte varints with bits past 32, a negative header count, a null header key,
  // an offsetDelta that is not the index, a 10-byte timestamp delta, a record length below the minimum.
  const record = (fields: number[]): number[] => [...zigzag(fields.length), ...fields]
  const body = (ts: number[], od: number, tail: number[]): number[] => [0, ...ts, ...zigzag(od), ...tail]
  samples.push(
    {buf: Buffer.from(record(body([0], 0, [1, 1, 0]))), count: 1},
    {buf: Buffer.from(record(body([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], 0, [1, 1, 0]))), count: 1},
    {buf: Buffer.from(record(body([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], 0, [1, 1, 0]))), count: 1},
    {buf: Buffer.from(record(body([0], 0, [1, 1, ...zigzag(-3)]))), count: 1},
    {buf: Buffer.from(record(body([0], 0, [1, 1, 2, 1, 1]))), count: 1},
    {buf: Buffer.from(record(body([0], 3, [1, 1, 0]))), count: 1},
    {buf: Buffer.from(record(body([0], 0, [0xff, 0xff, 0xff, 0xff, 0x7f, 1, 0]))), count: 1},
    {buf: Buffer.from(record(body([0], 0, [0xff, 0xff, 0xff, 0xff, 0xff, 1, 0]))), count: 1},
    {buf: Buffer.from([...zigzag(3), 0, 0, 0]), count: 1},
    {buf: Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), count: 1},
    {buf: Buffer.from([0x80]), count: 1},
    {buf: Buffer.from(record(body([0], 0, [1, 1, 0]))), count: 2},
    {buf: Buffer.from([...record(body([0], 0, [1, 1, 0])), 9, 9]), count: 1},
  )
  let compared = 0
  for (const {buf, count} of samples) {
    for (let m = 0; m < 60; m++) {
      const b = Buffer.from(buf)
      // The first round of each sample is unmutated; later ones change 1-3 bytes and sometimes cut the end.
      if (m > 0) for (let k = 0; k < 1 + (rand() % 3); k++) b[rand() % b.length] = rand() & 0xff
      const end = m > 0 && rand() % 4 === 0 ? rand() % (b.length + 1) : b.length
      for (const sequential of [true, false]) {
        const [[, first], ...rest] = walks
        const want = first(b, 0, end, count, sequential)
        for (const [name, other] of rest) assert.equal(other(b, 0, end, count, sequential), want, `${name}: count ${count}, end ${end}, bytes ${b.subarray(0, 40).toString('hex')}`)
        compared++
      }
    }
  }
  assert.ok(compared > 5000)
})
