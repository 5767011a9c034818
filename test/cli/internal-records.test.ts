/** Decoding of internal-topic records for `log dump`: KRaft metadata records and __consumer_offsets. */
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {Writer} from '../../src/protocol/index.js'
import {decodeInternalRecord, decodeMetadataRecord} from '../../src/cli/internal-records.js'

function bytes(write: (w: Writer) => void): Buffer {
  const w = new Writer(64)
  write(w)
  return w.toBuffer()
}

test('decodes a TopicRecord and a ConfigRecord; unknown types report their type and size', () => {
  const topic = bytes((w) => {
    w.uvarint(1) // frame version
    w.uvarint(2) // TopicRecord
    w.uvarint(0) // record version
    w.compactString('orders')
    w.uuid('0123abcd-0000-4000-8000-00000000beef')
    w.uvarint(0) // no tagged fields
  })
  assert.deepEqual(decodeMetadataRecord(topic), {record: 'Topic', version: 0, name: 'orders', topicId: '0123abcd-0000-4000-8000-00000000beef'})

  const config = bytes((w) => {
    w.uvarint(1); w.uvarint(4); w.uvarint(0)
    w.int8(2); w.compactString('orders'); w.compactString('retention.ms'); w.compactString('1000'); w.uvarint(0)
  })
  assert.deepEqual(decodeMetadataRecord(config), {record: 'Config', version: 0, resourceType: 2, resourceName: 'orders', name: 'retention.ms', value: '1000'})

  const unknown = bytes((w) => { w.uvarint(1); w.uvarint(99); w.uvarint(3); w.int32(7) })
  assert.deepEqual(decodeMetadataRecord(unknown), {record: 'Type99', version: 3, frameVersion: 1, size: unknown.length})
  assert.equal(decodeMetadataRecord(Buffer.from([0x01]))?.record, 'undecodable')
})

test('decodes __consumer_offsets offset commits (v1 and v3 values) and group keys', () => {
  const key = bytes((w) => { w.int16(1); w.string('g1'); w.string('orders'); w.int32(4) })
  const v3 = bytes((w) => { w.int16(3); w.int64(42n); w.int32(7); w.string('meta'); w.int64(1_700_000_000_000n) })
  assert.deepEqual(decodeInternalRecord('__consumer_offsets', key, v3), {
    key: {kind: 'offset', group: 'g1', topic: 'orders', partition: 4},
    value: {version: 3, offset: 42n, leaderEpoch: 7, metadata: 'meta', commitTimestamp: 1_700_000_000_000n},
  })
  const v1 = bytes((w) => { w.int16(1); w.int64(5n); w.string(''); w.int64(10n); w.int64(20n) })
  assert.deepEqual((decodeInternalRecord('__consumer_offsets', key, v1) as any).value,
    {version: 1, offset: 5n, leaderEpoch: -1, metadata: '', commitTimestamp: 10n, expireTimestamp: 20n})
  // A tombstone (null value) deletes the commit.
  assert.equal((decodeInternalRecord('__consumer_offsets', key, null) as any).value, null)

  const groupKey = bytes((w) => { w.int16(2); w.string('g1') })
  const groupValue = bytes((w) => {
    w.int16(3); w.string('consumer'); w.int32(5); w.int16(5); w.raw(Buffer.from('range')); w.int16(2); w.raw(Buffer.from('m1'))
    w.int64(99n); w.int32(0)
  })
  assert.deepEqual(decodeInternalRecord('__consumer_offsets', groupKey, groupValue), {
    key: {kind: 'group', group: 'g1'},
    value: {version: 3, protocolType: 'consumer', generation: 5, protocol: 'range', leader: 'm1', currentStateTimestamp: 99n, members: 0},
  })
  assert.equal(decodeInternalRecord('orders', key, v3), null)
})
