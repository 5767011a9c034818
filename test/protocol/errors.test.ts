import {test} from 'node:test'
import assert from 'node:assert/strict'
import {ErrorCode, errorInfo, allErrors, KafkaError, ProtocolError} from '../../src/protocol/index.js'

test('error table covers every code from -1 to 129 with the enum name', () => {
  const all = allErrors()
  assert.equal(all.length, 131)
  for (let code = -1; code <= 129; code++) {
    const info = errorInfo(code)
    assert.equal(info.code, code)
    assert.equal(info.name, ErrorCode[code], `name of ${code}`)
    assert.ok(info.message.length > 0)
  }
})

test('well-known codes have Kafka names and retriability', () => {
  const expect: Array<[number, string, boolean]> = [
    [-1, 'UNKNOWN_SERVER_ERROR', false], [0, 'NONE', false], [1, 'OFFSET_OUT_OF_RANGE', false],
    [3, 'UNKNOWN_TOPIC_OR_PARTITION', true], [6, 'NOT_LEADER_OR_FOLLOWER', true], [7, 'REQUEST_TIMED_OUT', true],
    [19, 'NOT_ENOUGH_REPLICAS', true], [27, 'REBALANCE_IN_PROGRESS', false], [35, 'UNSUPPORTED_VERSION', false],
    [36, 'TOPIC_ALREADY_EXISTS', false], [74, 'FENCED_LEADER_EPOCH', true], [79, 'MEMBER_ID_REQUIRED', false],
    [100, 'UNKNOWN_TOPIC_ID', true], [120, 'TRANSACTION_ABORTABLE', false],
  ]
  for (const [code, name, retriable] of expect) {
    assert.equal(errorInfo(code).name, name)
    assert.equal(errorInfo(code).retriable, retriable, `${name} retriable`)
  }
})

test('unknown codes get a generic entry instead of throwing', () => {
  assert.deepEqual(errorInfo(9999), {code: 9999, name: 'UNKNOWN_ERROR_CODE_9999', retriable: false, message: 'Unknown error code 9999.'})
})

test('KafkaError carries code, name and retriability; ProtocolError is distinct', () => {
  const e = new KafkaError(ErrorCode.NOT_COORDINATOR)
  assert.ok(e instanceof Error)
  assert.equal(e.code, 16)
  assert.equal(e.name, 'NOT_COORDINATOR')
  assert.equal(e.retriable, true)
  assert.match(e.message, /^NOT_COORDINATOR: /)
  assert.equal(new KafkaError(3, 'custom').message, 'custom')
  assert.ok(!(new ProtocolError('x') instanceof KafkaError))
  assert.equal(new ProtocolError('x').name, 'ProtocolError')
})
