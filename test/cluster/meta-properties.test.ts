/** meta.properties with a given cluster id: pinned on first use, mismatches refused. */
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {isValidClusterId, loadOrCreateMetaProperties, newClusterId} from '../../src/broker/metadata/meta-properties.js'
import {tempClusterDir} from './helpers.js'

describe('loadOrCreateMetaProperties with a cluster id', () => {
  it('writes the given id, accepts it again, refuses another one and a bad one', () => {
    const dir = tempClusterDir()
    try {
      const id = newClusterId()
      assert.ok(isValidClusterId(id))
      assert.equal(loadOrCreateMetaProperties(dir, 2, id).clusterId, id)
      assert.match(readFileSync(join(dir, 'meta.properties'), 'utf8'), new RegExp(`cluster.id=${id}\\nnode.id=2`))
      assert.equal(loadOrCreateMetaProperties(dir, 2, id).clusterId, id)
      assert.equal(loadOrCreateMetaProperties(dir, 2).clusterId, id, 'without an id the stored one is used')
      const other = newClusterId()
      assert.throws(() => loadOrCreateMetaProperties(dir, 2, other), new RegExp(`belongs to cluster ${id}, not cluster ${other}`))
      assert.throws(() => loadOrCreateMetaProperties(dir, 2, 'nope'), /invalid cluster id/)
      assert.throws(() => loadOrCreateMetaProperties(dir, 3, id), /belongs to node 2/)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
