import {test} from 'node:test'
import assert from 'node:assert/strict'
import CRC32C from 'crc-32/crc32c.js'
import {crc32c} from '../../src/records/index.js'
import {crc32cJs} from '../../src/records/crc32c.js'

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
