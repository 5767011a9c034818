import {test} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {createRequire} from 'node:module'
import {
  CompressionType, CorruptRecordError, compress, compressXerial, decompress, isXerialSnappy, parseCompressionType,
} from '../../src/records/index.js'

const require = createRequire(import.meta.url)
const CODECS = [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]

/** Compressible pseudo-random text made of a small vocabulary, like real record payloads. */
function sample(size: number, seed = 7): Buffer {
  const words = ['alpha ', 'beta ', 'gamma ', 'delta ', 'kafka ', 'broker ', 'topic ', 'offset ', 'x', 'yz ', '0123 ', '{"id":']
  const b = Buffer.alloc(size)
  let pos = 0
  while (pos < size) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    pos += b.write(words[(seed >>> 20) % words.length], pos)
  }
  return b
}

function tool(name: string): string | false {
  const found = spawnSync('sh', ['-c', `command -v ${name}`]).status === 0
  return found ? false : `${name} CLI not installed; skipping interop check`
}

function run(cmd: string, args: string[], input: Buffer): Buffer {
  const r = spawnSync(cmd, args, {input, maxBuffer: 64 << 20})
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

test('every codec round-trips empty, small and large inputs', () => {
  for (const type of CODECS) {
    for (const size of [0, 1, 100, 70_000, 1 << 20]) {
      const input = sample(size)
      const packed = compress(type, input)
      if (size >= 100) assert.ok(packed.length < input.length, `${CompressionType[type]} should shrink ${size} bytes`)
      assert.ok(decompress(type, packed).equals(input), `${CompressionType[type]} size ${size}`)
    }
  }
  const b = sample(10)
  assert.equal(compress(CompressionType.None, b), b)
  assert.equal(decompress(CompressionType.None, b), b)
})

test('compression levels are honoured for gzip and zstd', () => {
  const input = sample(200_000)
  for (const type of [CompressionType.Gzip, CompressionType.Zstd]) {
    const fast = compress(type, input, 1)
    const best = compress(type, input, 9)
    assert.ok(best.length < fast.length, `${CompressionType[type]} level 9 should beat level 1`)
    assert.ok(decompress(type, best).equals(input))
  }
})

test('gzip decompression continues across concatenated members', () => {
  const a = sample(1000, 1), b = sample(500, 2)
  const both = Buffer.concat([compress(CompressionType.Gzip, a), compress(CompressionType.Gzip, b)])
  assert.ok(decompress(CompressionType.Gzip, both).equals(Buffer.concat([a, b])))
})

test('lz4 output is the LZ4 frame format', () => {
  assert.equal(compress(CompressionType.Lz4, sample(100)).readUInt32LE(0), 0x184d2204)
})

test('xerial snappy round trip across several blocks', () => {
  const input = sample(100_000)
  const framed = compressXerial(input, 32 * 1024)
  assert.ok(isXerialSnappy(framed))
  assert.ok(!isXerialSnappy(compress(CompressionType.Snappy, input)))
  assert.ok(decompress(CompressionType.Snappy, framed).equals(input))
  assert.ok(decompress(CompressionType.Snappy, compressXerial(Buffer.alloc(0))).equals(Buffer.alloc(0)))
})

test('hand-built xerial frame and raw snappy block decompress', () => {
  // Raw snappy block: uvarint uncompressed length, then a literal tag ((len - 1) << 2) and the bytes.
  const hello = Buffer.from([0x05, 0x10, ...Buffer.from('hello')])
  const world = Buffer.from([0x06, 0x14, ...Buffer.from(' world')])
  assert.equal(decompress(CompressionType.Snappy, hello).toString(), 'hello')
  const framed = Buffer.concat([
    Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]), // magic 0x82 "SNAPPY" 0x00
    Buffer.from([0, 0, 0, 1]), //                                     version 1
    Buffer.from([0, 0, 0, 1]), //                                     minimum compatible version 1
    Buffer.from([0, 0, 0, hello.length]), hello, //                   block 1: int32 length + raw block
    Buffer.from([0, 0, 0, world.length]), world, //                   block 2
  ])
  assert.equal(decompress(CompressionType.Snappy, framed).toString(), 'hello world')
  // A block length running past the end is corrupt, not a crash.
  const bad = Buffer.from(framed)
  bad.writeInt32BE(1000, 16)
  assert.throws(() => decompress(CompressionType.Snappy, bad), CorruptRecordError)
})

test('garbage and truncated input throw CorruptRecordError for every codec', () => {
  const garbage = Buffer.from('this is certainly not compressed data at all')
  for (const type of CODECS) {
    assert.throws(() => decompress(type, garbage), CorruptRecordError, CompressionType[type])
    const packed = compress(type, sample(5000))
    assert.throws(() => decompress(type, packed.subarray(0, packed.length >> 1)), CorruptRecordError, `truncated ${CompressionType[type]}`)
  }
  assert.throws(() => decompress(9 as CompressionType, garbage), CorruptRecordError)
})

test('zstd frames without a content size (streaming writer) decompress, and truncation is detected', async () => {
  const {CompressStream} = require('zstd-napi') as typeof import('zstd-napi')
  const input = sample(300_000)
  const stream = new CompressStream()
  const chunks: Buffer[] = []
  stream.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise((resolve, reject) => {
    stream.on('end', resolve)
    stream.on('error', reject)
  })
  // Written in pieces so the encoder cannot know the total size up front.
  for (let i = 0; i < input.length; i += 50_000) stream.write(input.subarray(i, i + 50_000))
  stream.end()
  await done
  const framed = Buffer.concat(chunks)
  const binding = require('zstd-napi/binding.js') as typeof import('zstd-napi/binding.js')
  assert.equal(binding.getFrameContentSize(framed), null, 'streamed frame should have no content size')
  assert.ok(decompress(CompressionType.Zstd, framed).equals(input))
  assert.throws(() => decompress(CompressionType.Zstd, framed.subarray(0, framed.length - 100)), CorruptRecordError)
  // Two concatenated frames decode as one stream.
  const two = Buffer.concat([framed, compress(CompressionType.Zstd, Buffer.from('tail'))])
  assert.ok(decompress(CompressionType.Zstd, two).equals(Buffer.concat([input, Buffer.from('tail')])))
})

test('parseCompressionType maps Kafka config names', () => {
  assert.equal(parseCompressionType('zstd'), CompressionType.Zstd)
  assert.equal(parseCompressionType(' GZIP '), CompressionType.Gzip)
  assert.equal(parseCompressionType('none'), CompressionType.None)
  assert.equal(parseCompressionType('producer'), undefined)
})

test('gzip interop with python3', {skip: tool('python3')}, () => {
  const input = sample(50_000)
  const theirs = run('python3', ['-c', 'import gzip,sys; sys.stdout.buffer.write(gzip.compress(sys.stdin.buffer.read()))'], input)
  assert.ok(decompress(CompressionType.Gzip, theirs).equals(input))
  const back = run('python3', ['-c', 'import gzip,sys; sys.stdout.buffer.write(gzip.decompress(sys.stdin.buffer.read()))'], compress(CompressionType.Gzip, input))
  assert.ok(back.equals(input))
})

test('lz4 interop with the lz4 CLI (linked blocks, block checksums, content size)', {skip: tool('lz4')}, () => {
  const input = sample(300_000)
  for (const flags of [[], ['-BD'], ['-BX'], ['--content-size'], ['-B4', '-BD', '--no-frame-crc']]) {
    const theirs = run('lz4', ['-c', '-q', ...flags], input)
    assert.ok(decompress(CompressionType.Lz4, theirs).equals(input), `lz4 ${flags.join(' ')}`)
  }
  assert.ok(run('lz4', ['-d', '-c', '-q'], compress(CompressionType.Lz4, input)).equals(input))
})

test('zstd interop with the zstd CLI (with and without content size)', {skip: tool('zstd')}, () => {
  const input = sample(300_000)
  for (const flags of [[], ['--no-content-size'], ['--no-check', '-19']]) {
    const theirs = run('zstd', ['-c', '-q', ...flags], input)
    assert.ok(decompress(CompressionType.Zstd, theirs).equals(input), `zstd ${flags.join(' ')}`)
  }
  assert.ok(run('zstd', ['-d', '-c', '-q'], compress(CompressionType.Zstd, input)).equals(input))
})

test('snappy interop with python3 snappy module when present', {skip: spawnSync('python3', ['-c', 'import snappy']).status === 0 ? false : 'python3 snappy module not installed; skipping'}, () => {
  const input = sample(50_000)
  const theirs = run('python3', ['-c', 'import snappy,sys; sys.stdout.buffer.write(snappy.compress(sys.stdin.buffer.read()))'], input)
  assert.ok(decompress(CompressionType.Snappy, theirs).equals(input))
})
