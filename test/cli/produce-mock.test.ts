/**
 * `samsa produce` against librdkafka's mock cluster (3 brokers, a broker implementation nobody
 * here wrote): sync keyed and async keyless records with every codec, read back with kcat.
 * Skipped with a visible notice when the mock cluster or kcat is missing.
 */
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {haveKcat} from '../helpers/broker-process.js'
import {startMockCluster, type MockCluster} from '../client/helpers.js'
import {samsa} from './helpers.js'

let mock: MockCluster | undefined
let skip: string | false = false

before(async () => {
  if (!haveKcat()) skip = 'SKIPPED: kcat not installed'
  else {
    const started = await startMockCluster(3)
    if ('skip' in started) skip = `SKIPPED: ${started.skip}`
    else mock = started
  }
  if (skip) process.stderr.write(`\n*** produce mock-cluster tests ${skip} ***\n\n`)
})

after(async () => {
  await mock?.stop()
})

/** "partition key value" of every record of a topic, read by kcat. */
function kcatRead(topic: string): Array<[number, string, string]> {
  const res = spawnSync('kcat', ['-C', '-b', mock!.bootstrap, '-t', topic, '-e', '-q', '-f', '%p %k %s\\n'], {encoding: 'utf8', timeout: 30_000})
  assert.equal(res.status, 0, res.stderr)
  return res.stdout.split('\n').filter((l) => l !== '').map((l) => {
    const [p, k, s] = l.split(' ')
    return [Number(p), k, s]
  })
}

for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
  test(`sync keyed and async keyless records with ${codec} are read back by kcat`, async (t) => {
    if (skip) return t.skip(skip)
    const topic = `produce-${codec}`
    const b = ['-b', mock!.bootstrap]
    const keyed = Array.from({length: 20}, (_, i) => `k${i % 5}:sync-${i}`).join('\n') + '\n'
    const sync = await samsa(['produce', topic, '--sync', '-K', ':', '-z', codec, ...b], {input: keyed})
    assert.equal(sync.code, 0, sync.stderr)
    const acks = sync.stdout.trim().split('\n')
    assert.equal(acks.length, 20)
    for (const a of acks) assert.match(a, new RegExp(`^${topic}-\\d+@\\d+$`))

    const keyless = Array.from({length: 500}, (_, i) => `async-${i}`).join('\n') + '\n'
    const async = await samsa(['produce', topic, '-z', codec, '--linger-ms', '20', ...b], {input: keyless})
    assert.equal(async.code, 0, async.stderr)
    assert.match(async.stdout, /^500 records \(\d+ bytes\) produced to .* 0 failed\.\n$/)

    const got = kcatRead(topic)
    assert.equal(got.length, 520)
    const syncGot = got.filter(([, , v]) => v.startsWith('sync-'))
    // What --sync printed is where kcat finds each record.
    assert.deepEqual(syncGot.map(([p]) => p).sort(), acks.map((a) => Number(a.split('@')[0].split('-').at(-1))).sort())
    const partitionOf = new Map<string, number>()
    for (const [p, k, v] of syncGot) {
      assert.equal(k, `k${Number(v.slice(5)) % 5}`)
      if (partitionOf.has(k)) assert.equal(partitionOf.get(k), p, `key ${k} stays on one partition`)
      partitionOf.set(k, p)
    }
    const asyncGot = got.filter(([, , v]) => v.startsWith('async-'))
    assert.deepEqual(asyncGot.map(([, , v]) => Number(v.slice(6))).sort((x, y) => x - y), Array.from({length: 500}, (_, i) => i))
    // Order within each partition is the order sent.
    for (const p of new Set(asyncGot.map(([q]) => q))) {
      const seq = asyncGot.filter(([q]) => q === p).map(([, , v]) => Number(v.slice(6)))
      assert.deepEqual(seq, [...seq].sort((x, y) => x - y))
    }
  })
}
