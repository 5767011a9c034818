// The Fetcher's choice of what to send, against a stand-in cluster that records each Fetch: a fetch
// that could only long-poll waits while the leader's other partitions have records buffered (sent,
// it would hold the node's one fetch slot for fetch.max.wait.ms), and goes out once they drain or
// when they are paused.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import type {Cluster} from '../../src/client/index.js'
import {resolveConsumerConfig} from '../../src/consumer/config.js'
import {Fetcher} from '../../src/consumer/fetcher.js'
import {SubscriptionState} from '../../src/consumer/subscription-state.js'

/** A cluster with one leader for partitions 0 and 1 of `t`, whose fetches never answer; `sent` lists each request's partitions. */
function standIn(): {cluster: Cluster; sent: number[][]} {
  const sent: number[][] = []
  const metadata = {topics: new Map([['t', {partitions: [{partition: 0, leader: 0}, {partition: 1, leader: 0}]}]])}
  const connection = {
    send: (_api: number, body: any) => {
      sent.push(body.topics.flatMap((t: any) => t.partitions.map((p: any) => p.partition)).sort())
      return new Promise(() => {})
    },
  }
  return {cluster: {metadata, connectionTo: async () => connection} as unknown as Cluster, sent}
}

function setUp(): {fetcher: Fetcher; subs: SubscriptionState; sent: number[][]} {
  const {cluster, sent} = standIn()
  const subs = new SubscriptionState('earliest')
  subs.setAssignment([{topic: 't', partition: 0}, {topic: 't', partition: 1}])
  for (const s of subs.states()) s.seek(0n)
  const busy = subs.stateByKey('t-0')!
  busy.fetchOffset = 500n
  busy.highWatermark = 900n
  busy.buffered = 2
  subs.stateByKey('t-1')!.highWatermark = 0n // read to its end
  const fetcher = new Fetcher(cluster, subs, resolveConsumerConfig({bootstrap: ['127.0.0.1:1'], fetchMaxWaitMs: 30_000}))
  return {fetcher, subs, sent}
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

test('a long poll of caught-up partitions waits while another partition of the leader has records buffered', async () => {
  const {fetcher, subs, sent} = setUp()
  fetcher.sendFetches()
  await tick()
  assert.deepEqual(sent, [], 'nothing sent while t-0 is buffered and t-1 has nothing new')
  subs.stateByKey('t-0')!.buffered = 1
  fetcher.sendFetches()
  await tick()
  assert.deepEqual(sent, [[0, 1]], 'both go out together once t-0 can fetch again')
})

test('the long poll goes out when the buffered partition is paused, or when a partition may have data', async () => {
  const paused = setUp()
  paused.subs.stateByKey('t-0')!.paused = true
  paused.fetcher.sendFetches()
  await tick()
  assert.deepEqual(paused.sent, [[1]])

  const behind = setUp()
  behind.subs.stateByKey('t-1')!.highWatermark = 10n
  behind.fetcher.sendFetches()
  await tick()
  assert.deepEqual(behind.sent, [[1]], 't-1 is behind its high watermark, so its fetch may return at once')
})
