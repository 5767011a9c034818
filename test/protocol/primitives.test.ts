import {test} from 'node:test'
import assert from 'node:assert/strict'
import {Reader, Writer, ProtocolError, uvarintSize} from '../../src/protocol/index.js'

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex')
const written = (fn: (w: Writer) => void) => {
  const w = new Writer(16)
  fn(w)
  return w.toBuffer().toString('hex')
}

test('unsigned varint: boundary values encode to the LEB128 bytes', () => {
  const cases: Array<[number, string]> = [
    [0, '00'], [1, '01'], [127, '7f'], [128, '8001'], [300, 'ac02'], [16383, 'ff7f'], [16384, '808001'],
    [2 ** 28 - 1, 'ffffff7f'], [2 ** 28, '8080808001'], [2 ** 32 - 1, 'ffffffff0f'],
  ]
  for (const [v, bytes] of cases) {
    assert.equal(written((w) => w.uvarint(v)), bytes, `encode ${v}`)
    assert.equal(uvarintSize(v), bytes.length / 2, `size ${v}`)
    const r = new Reader(hex(bytes))
    assert.equal(r.uvarint(), v, `decode ${bytes}`)
    assert.equal(r.remaining(), 0)
  }
})

test('zigzag varint: sign folding and int32 extremes', () => {
  const cases: Array<[number, string]> = [
    [0, '00'], [-1, '01'], [1, '02'], [-2, '03'], [63, '7e'], [-64, '7f'], [64, '8001'],
    [2147483647, 'feffffff0f'], [-2147483648, 'ffffffff0f'],
  ]
  for (const [v, bytes] of cases) {
    assert.equal(written((w) => w.varint(v)), bytes, `encode ${v}`)
    assert.equal(new Reader(hex(bytes)).varint(), v, `decode ${bytes}`)
  }
})

test('zigzag varlong: int64 extremes', () => {
  const cases: Array<[bigint, string]> = [
    [0n, '00'], [-1n, '01'], [1n, '02'], [300n, 'd804'],
    [9223372036854775807n, 'feffffffffffffffff01'], [-9223372036854775808n, 'ffffffffffffffffff01'],
  ]
  for (const [v, bytes] of cases) {
    assert.equal(written((w) => w.varlong(v)), bytes, `encode ${v}`)
    assert.equal(new Reader(hex(bytes)).varlong(), v, `decode ${bytes}`)
  }
})

test('varints that are too long or truncated throw ProtocolError', () => {
  assert.throws(() => new Reader(hex('ffffffff1f')).uvarint(), ProtocolError) // 33rd bit set
  assert.throws(() => new Reader(hex('ffffffffff01')).uvarint(), ProtocolError) // 6 bytes
  assert.throws(() => new Reader(hex('8080')).uvarint(), ProtocolError) // continuation, then end
  assert.throws(() => new Reader(hex('ffffffffffffffffffff01')).varlong(), ProtocolError) // 11 bytes
  assert.throws(() => new Reader(Buffer.alloc(0)).varint(), ProtocolError)
})

test('fixed-width integers, floats and booleans round-trip big-endian', () => {
  const w = new Writer(16)
  w.int8(-128).int16(-2).uint16(65535).int32(-2147483648).uint32(4294967295)
  w.int64(-9223372036854775808n).int64(42).float64(-2.5).bool(true).bool(false)
  assert.equal(w.toBuffer().toString('hex'),
    '80' + 'fffe' + 'ffff' + '80000000' + 'ffffffff' + '8000000000000000' + '000000000000002a' +
    'c004000000000000' + '01' + '00')
  const r = new Reader(w.toBuffer())
  assert.equal(r.int8(), -128)
  assert.equal(r.int16(), -2)
  assert.equal(r.uint16(), 65535)
  assert.equal(r.int32(), -2147483648)
  assert.equal(r.uint32(), 4294967295)
  assert.equal(r.int64(), -9223372036854775808n)
  assert.equal(r.int64(), 42n)
  assert.equal(r.float64(), -2.5)
  assert.equal(r.bool(), true)
  assert.equal(r.bool(), false)
  assert.equal(r.remaining(), 0)
})

test('strings: INT16 length, -1 null, compact N+1 with 0 = null, UTF-8 byte lengths', () => {
  assert.equal(written((w) => w.string('hé')), '0003' + '68c3a9')
  assert.equal(written((w) => w.nullableString(null)), 'ffff')
  assert.equal(written((w) => w.compactString('hé')), '04' + '68c3a9')
  assert.equal(written((w) => w.compactNullableString(null)), '00')
  assert.equal(written((w) => w.compactString('')), '01')
  assert.equal(new Reader(hex('ffff')).nullableString(), null)
  assert.equal(new Reader(hex('00')).compactNullableString(), null)
  assert.equal(new Reader(hex('01')).compactNullableString(), '')
  assert.equal(new Reader(hex('0003 68c3a9')).string(), 'hé')
  assert.equal(new Reader(hex('04 68c3a9')).compactString(), 'hé')
  // A 200-byte compact string needs a two-byte length (201 = c9 01).
  const long = 'x'.repeat(200)
  assert.equal(written((w) => w.compactString(long)).slice(0, 4), 'c901')
  assert.equal(new Reader(hex(written((w) => w.compactString(long)))).compactString(), long)
})

test('bytes: lengths, nulls and views (no copies)', () => {
  assert.equal(written((w) => w.bytes(Buffer.from([1, 2]))), '00000002' + '0102')
  assert.equal(written((w) => w.nullableBytes(null)), 'ffffffff')
  assert.equal(written((w) => w.compactBytes(Buffer.from([1, 2]))), '03' + '0102')
  assert.equal(written((w) => w.compactNullableBytes(null)), '00')
  const frame = hex('00000003 aabbcc 04 010203')
  const r = new Reader(frame)
  const a = r.bytes()
  const b = r.compactBytes()
  assert.deepEqual([...a], [0xaa, 0xbb, 0xcc])
  assert.deepEqual([...b], [1, 2, 3])
  frame[4] = 0x11 // the view sees writes to the frame: it shares memory
  assert.equal(a[0], 0x11)
  assert.equal(a.buffer, frame.buffer)
  assert.equal(new Reader(hex('ffffffff')).nullableBytes(), null)
  assert.equal(new Reader(hex('00')).compactNullableBytes(), null)
})

test('records: one buffer or a list of slices written as one length-prefixed run', () => {
  const parts = [Buffer.from('ab'), Buffer.from('cde')]
  assert.equal(written((w) => w.records(parts)), '00000005' + Buffer.from('abcde').toString('hex'))
  assert.equal(written((w) => w.compactRecords(parts)), '06' + Buffer.from('abcde').toString('hex'))
  assert.equal(written((w) => w.records(null)), 'ffffffff')
  assert.equal(written((w) => w.compactRecords(null)), '00')
  assert.equal(new Reader(hex('ffffffff')).records(), null)
  assert.deepEqual(new Reader(hex('03 6162')).compactRecords(), Buffer.from('ab'))
})

test('uuid: 16 raw bytes <-> dashed lowercase hex', () => {
  const id = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0'
  assert.equal(written((w) => w.uuid(id)), id.replace(/-/g, ''))
  assert.equal(new Reader(hex(id.replace(/-/g, ''))).uuid(), id)
  assert.equal(new Reader(Buffer.alloc(16)).uuid(), '00000000-0000-0000-0000-000000000000')
  assert.throws(() => new Writer().uuid('not-a-uuid'))
})

test('tagged fields: skipped, or collected as raw views', () => {
  // 2 fields: tag 0 with 2 bytes, tag 5 with 1 byte; then a trailing int8.
  const buf = hex('02 00 02 aaaa 05 01 bb 7f')
  const r1 = new Reader(buf)
  r1.skipTaggedFields()
  assert.equal(r1.int8(), 0x7f)
  const tags = new Reader(buf).taggedFields()
  assert.deepEqual([...tags.keys()], [0, 5])
  assert.deepEqual([...tags.get(5)!], [0xbb])
  assert.throws(() => new Reader(hex('01 00 05 aa')).skipTaggedFields(), ProtocolError)
})

test('every read past the end throws ProtocolError, never RangeError', () => {
  const short = Buffer.from([1, 2, 3])
  for (const read of [
    (r: Reader) => r.int32(), (r: Reader) => r.int64(), (r: Reader) => r.float64(), (r: Reader) => r.uuid(),
    (r: Reader) => r.uint32(), (r: Reader) => { r.int16(); r.int16() },
  ]) {
    assert.throws(() => read(new Reader(short)), ProtocolError)
  }
  assert.throws(() => new Reader(hex('0005 6162')).string(), ProtocolError) // length beyond the frame
  assert.throws(() => new Reader(hex('fffe')).nullableString(), ProtocolError) // -2 is not null
  assert.throws(() => new Reader(hex('7fffffff 00')).bytes(), ProtocolError)
  assert.throws(() => new Reader(hex('ffffffff0f')).compactBytes(), ProtocolError)
  assert.throws(() => new Reader(short).skip(4), ProtocolError)
  assert.throws(() => new Reader(Buffer.alloc(0)).bool(), ProtocolError)
})

test('writer grows geometrically from a tiny buffer and back-fills the size', () => {
  const w = new Writer(16)
  w.int32(0)
  const payload = Buffer.alloc(10000, 7)
  for (let i = 0; i < 10; i++) w.raw(payload.subarray(i * 1000, (i + 1) * 1000))
  w.patchInt32(0, w.offset - 4)
  const out = w.toBuffer()
  assert.equal(out.length, 10004)
  assert.equal(out.readInt32BE(0), 10000)
  assert.ok(out.subarray(4).equals(payload))
  // Doubling, not growing to the exact need each time.
  assert.ok(w.buf.length >= 10004 && w.buf.length <= 2 * 16384)
})

test('chunked writer: large records by reference, growth after a chunk keeps every byte', () => {
  const big = Buffer.alloc(100, 9)
  const write = (w: Writer) => {
    w.int32(7)
    w.records(big) // 100 bytes >= 50: referenced in chunked mode
    for (let i = 0; i < 40; i++) w.int64(BigInt(i)) // forces growth of the 16-byte buffer
    w.compactRecords([big.subarray(0, 60), big.subarray(60)])
    w.string('end')
  }
  const plain = new Writer(16)
  write(plain)
  const chunked = new Writer(16, 50)
  write(chunked)
  const chunks = chunked.toChunks()
  assert.ok(chunks.includes(big))
  assert.ok(Buffer.concat(chunks).equals(plain.toBuffer()))
  assert.ok(chunked.toBuffer().equals(plain.toBuffer()))
  assert.deepEqual(new Writer(16).int8(1).toChunks(), [Buffer.from([1])])
})
