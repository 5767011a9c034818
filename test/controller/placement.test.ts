// Replica placement of new partitions (Kafka's rack-unaware assignment).
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {placeReplicas} from '../../src/controller/partition-change.js'
import {ErrorCode} from '../../src/protocol/index.js'

test('leaders rotate over the brokers and followers shift after each round, covering every ordered pair', () => {
  const placed = placeReplicas([2, 0, 1], 0, 6, 3, 0)
  assert.deepEqual(placed, [[0, 1, 2], [1, 2, 0], [2, 0, 1], [0, 2, 1], [1, 0, 2], [2, 1, 0]])
  const pairs = new Set(placeReplicas([0, 1, 2], 0, 6, 2, 1).map((r) => r.join(',')))
  assert.equal(pairs.size, 6)
  // New partitions of an existing topic continue the pattern from their index.
  assert.deepEqual(placeReplicas([0, 1, 2], 3, 3, 3, 0), placed.slice(3))
  for (const r of placeReplicas([0, 1, 2, 3, 4], 0, 20, 3, 2)) assert.equal(new Set(r).size, 3, 'no broker twice in one partition')
})

test('a replication factor above the usable brokers is refused', () => {
  assert.throws(() => placeReplicas([0, 1], 0, 1, 3, 0), (e: any) => e.code === ErrorCode.INVALID_REPLICATION_FACTOR)
  assert.deepEqual(placeReplicas([7], 0, 2, 1, 5), [[7], [7]])
})
