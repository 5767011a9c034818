import {test} from 'node:test'
import assert from 'node:assert/strict'
import CRC32C from 'crc-32/crc32c.js'
import {crc32c} from '../../src/records/index.js'
import {CRC32C_IMPLEMENTATION, crc32cImplementations, crc32cJs} from '../../src/records/crc32c.js'

test('crc32c matches published CRC-32C check values', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283)
  assert.equal(crc32c(Buffer.alloc(0)), 0)
  // RFC 3720 (iSCSI) appendix B.4 vectors.
  assert.equal(crc32c(Buffer.alloc(32, 0x00)), 0x8a9136aa)
  assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43)
  assert.equal(crc32c(Buffer.from(Array.from({length: 32}, (_, i) => i))), 0x46dd794e)
  assert.equal(crc32c(Buffer.from(Array.from({length: 32}, (_, i) => 31 - i))), 0x113fdb5c)
})

test('crc32c agrees with the crc-32 package over lengths, alignments and sub-ranges', () => {
  let seed = 12345
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24
  const backing = Buffer.alloc(5000)
  for (let i = 0; i < backing.length; i++) backing[i] = rand()
  for (const len of [1, 3, 15, 16, 17, 63, 64, 65, 100, 257, 1024, 4093]) {
    for (const shift of [0, 1, 2, 3, 5]) {
      const view = backing.subarray(shift, shift + len)
      assert.equal(crc32c(view), CRC32C.buf(view) >>> 0, `len ${len} shift ${shift}`)
      // start/end form over the whole backing buffer must equal the view's CRC (no copy needed).
      assert.equal(crc32c(backing, shift, shift + len), CRC32C.buf(view) >>> 0)
      // The portable fallback must agree too, since it is what runs where no native binary exists.
      assert.equal(crc32cJs(backing, shift, shift + len), CRC32C.buf(view) >>> 0)
    }
  }
})

test('crc32c rejects ranges outside the buffer', () => {
  assert.throws(() => crc32c(Buffer.alloc(4), 0, 5), RangeError)
  assert.throws(() => crc32c(Buffer.alloc(4), 3, 2), RangeError)
  assert.throws(() => crc32cJs(Buffer.alloc(4), 0, 5), RangeError)
})

test('every CRC-32C implementation that loaded agrees with the crc-32 package, past the 3-way block sizes', () => {
  let seed = 777
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24
  const backing = Buffer.alloc(100_000)
  for (let i = 0; i < backing.length; i++) backing[i] = rand()
  // The addon runs three streams of 8192 and of 256 bytes: lengths around 3x each, at odd alignments.
  const lengths = [0, 1, 7, 8, 9, 767, 768, 769, 1000, 8191, 24575, 24576, 24577, 25344, 50000, 99_000]
  for (const [name, fn] of Object.entries(crc32cImplementations())) {
    for (const len of lengths) {
      for (const shift of [0, 1, 3, 7]) {
        const want = CRC32C.buf(backing.subarray(shift, shift + len)) >>> 0
        assert.equal(fn(backing, shift, shift + len), want, `${name}: len ${len} shift ${shift}`)
      }
    }
  }
})

const addonMissing = process.arch === 'x64' && !('addon' in crc32cImplementations())
  ? `NOTICE: samsa's native addon is not built (node-gyp at npm install failed?); CRC-32C through ${CRC32C_IMPLEMENTATION}`
  : process.arch !== 'x64' ? 'the addon\'s CRC-32C is x86-64 only' : false
if (addonMissing) console.log(`# ${addonMissing}`)

test('the SSE4.2 CRC-32C addon is built and in use on x86-64', {skip: addonMissing}, () => {
  assert.equal(CRC32C_IMPLEMENTATION, 'addon')
})
