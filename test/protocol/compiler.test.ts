import {test} from 'node:test'
import assert from 'node:assert/strict'
import {compileMessage, codecSource, parseVersions, inVersions, Reader, Writer, ProtocolError, type MessageSchema} from '../../src/protocol/index.js'

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex')
function encode(msg: MessageSchema, version: number, flexible: boolean, value: object): string {
  const w = new Writer(8)
  compileMessage(msg, version, flexible).encode(w, value)
  return w.toBuffer().toString('hex')
}
const decode = (msg: MessageSchema, version: number, flexible: boolean, bytes: string) =>
  compileMessage(msg, version, flexible).decode(new Reader(hex(bytes)))

test('version ranges: N+, A-B, N, none', () => {
  assert.deepEqual(parseVersions('3+'), {min: 3, max: Infinity})
  assert.deepEqual(parseVersions('0-4'), {min: 0, max: 4})
  assert.deepEqual(parseVersions('7'), {min: 7, max: 7})
  assert.equal(parseVersions('none'), null)
  assert.throws(() => parseVersions('3..5'))
  assert.equal(inVersions('3-5', 5), true)
  assert.equal(inVersions('3-5', 6), false)
  assert.equal(inVersions('none', 0), false)
  assert.equal(inVersions(undefined, 0), false)
})

test('fields follow their version ranges; absent fields decode to defaults and are not written', () => {
  const msg: MessageSchema = {fields: [
    {name: 'a', type: 'int16', versions: '0+'},
    {name: 'b', type: 'int32', versions: '1-2', default: -1},
    {name: 'c', type: 'string', versions: '2+'},
  ]}
  assert.equal(encode(msg, 0, false, {a: 1, b: 2, c: 'x'}), '0001')
  assert.equal(encode(msg, 1, false, {a: 1, b: 2, c: 'x'}), '0001' + '00000002')
  assert.equal(encode(msg, 3, false, {a: 1, b: 2, c: 'x'}), '0001' + '000178')
  assert.deepEqual(decode(msg, 0, false, '0001'), {a: 1, b: -1, c: ''})
  // Missing properties are written as defaults.
  assert.equal(encode(msg, 1, false, {}), '0000' + 'ffffffff')
})

test('nullable versions: a field may be null only where the schema says so', () => {
  const msg: MessageSchema = {fields: [{name: 's', type: 'string', versions: '0+', nullableVersions: '1+'}]}
  assert.equal(encode(msg, 1, false, {s: null}), 'ffff')
  assert.equal(encode(msg, 0, false, {s: null}), '0000') // not nullable at v0: written as ''
  assert.equal(encode(msg, 2, true, {s: null}), '00' + '00') // compact null, then tag section
  assert.deepEqual(decode(msg, 1, false, 'ffff'), {s: null})
})

test('nullable struct fields carry an INT8 presence marker', () => {
  const msg: MessageSchema = {fields: [
    {name: 'p', type: 'struct', versions: '0+', nullableVersions: '0+', fields: [{name: 'x', type: 'int8', versions: '0+'}]},
  ]}
  assert.equal(encode(msg, 0, false, {p: null}), 'ff')
  assert.equal(encode(msg, 0, false, {p: {x: 5}}), '01' + '05')
  assert.deepEqual(decode(msg, 0, false, 'ff'), {p: null})
  assert.deepEqual(decode(msg, 0, false, '0105'), {p: {x: 5}})
})

test('a field that becomes tagged in flexible versions moves into the tag section', () => {
  const msg: MessageSchema = {fields: [
    {name: 'id', type: 'int32', versions: '0+'},
    {name: 'rack', type: 'string', versions: '0+', nullableVersions: '0+', default: null, taggedVersions: '2+', tag: 0},
  ]}
  assert.equal(encode(msg, 1, false, {id: 1, rack: 'r'}), '00000001' + '0001' + '72')
  assert.equal(encode(msg, 2, true, {id: 1, rack: 'r'}), '00000001' + '01' + '00' + '02' + '0272')
  assert.equal(encode(msg, 2, true, {id: 1, rack: null}), '00000001' + '00') // default: not sent
  assert.deepEqual(decode(msg, 2, true, '00000001 01 00 02 0272'), {id: 1, rack: 'r'})
  assert.deepEqual(decode(msg, 2, true, '00000001 00'), {id: 1, rack: null})
})

test('tagged fields are written in ascending tag order whatever the schema order', () => {
  const msg: MessageSchema = {fields: [
    {name: 'late', type: 'int8', versions: '0+', taggedVersions: '0+', tag: 5},
    {name: 'early', type: 'int8', versions: '0+', taggedVersions: '0+', tag: 1},
  ]}
  assert.equal(encode(msg, 0, true, {late: 9, early: 8}), '02' + '010108' + '050109') // count, then tag 1, then tag 5
})

test('schema mistakes fail at compile time', () => {
  const dup: MessageSchema = {fields: [
    {name: 'a', type: 'int8', versions: '0+', taggedVersions: '0+', tag: 1},
    {name: 'b', type: 'int8', versions: '0+', taggedVersions: '0+', tag: 1},
  ]}
  assert.throws(() => compileMessage(dup, 0, true), /duplicate tag/)
  assert.throws(() => compileMessage({fields: [{name: 'a', type: 'int7', versions: '0+'}]}, 0, false), /unknown type/)
  assert.throws(() => compileMessage({fields: [{name: 'a', type: 'int8', versions: '0+', taggedVersions: '0+'}]}, 0, true), /without tag/)
})

test('non-nullable arrays sent as null decode leniently to []; negative lengths below -1 fail', () => {
  const msg: MessageSchema = {fields: [{name: 'xs', type: '[]int32', versions: '0+'}]}
  assert.deepEqual(decode(msg, 0, false, 'ffffffff'), {xs: []})
  assert.deepEqual(decode(msg, 0, true, '00 00'), {xs: []})
  assert.throws(() => decode(msg, 0, false, 'fffffffd'), ProtocolError)
})

test('generated code is straight-line Reader/Writer calls, with no version checks left', () => {
  const src = codecSource({fields: [
    {name: 'a', type: 'int16', versions: '0+'},
    {name: 'b', type: 'int32', versions: '3+'},
  ]}, 1, false)
  assert.match(src, /"a": r\.int16\(\)/)
  assert.match(src, /"b": 0/) // absent at v1: a constant default, not a runtime range check
  assert.doesNotMatch(src, /versions|inVersions/)
})
