/**
 * `samsa group list|describe|reset-offsets|delete` as the built binary against samsa's broker (a
 * child process), with kafkajs 2.2.4 and kcat as the other members: offsets committed by samsa's
 * consume and by kafkajs show up in describe with their lag; a live kafkajs member shows with its
 * client id and partitions and blocks reset and delete; offsets reset with --execute are where
 * kafkajs and then kcat (-G) resume; delete removes a group; exit codes 0/1/2.
 */
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import kafkajs from 'kafkajs'
import {haveKcat, removeDataDir, startBrokerProcess, type BrokerProcess} from '../helpers/broker-process.js'
import {errorLines, samsa} from './helpers.js'

const {Kafka, logLevel} = kafkajs
let broker: BrokerProcess
let b: string[]
const kcatOk = haveKcat()

before(async () => {
  broker = await startBrokerProcess({set: {'group.initial.rebalance.delay.ms': '0'}})
  b = ['-b', broker.bootstrap]
  const r = await samsa(['topic', 'create', 'orders', '--partitions', '3', ...b])
  assert.equal(r.code, 0, r.stderr)
  await produce(10)
})

after(async () => {
  if (!broker) return
  await broker.stop()
  removeDataDir(broker.dataDir)
})

/** Appends `perPartition` records to each of the 3 partitions. */
async function produce(perPartition: number): Promise<void> {
  const lines = [0, 1, 2].flatMap((partition) => Array.from({length: perPartition}, (_, i) => JSON.stringify({partition, key: null, value: `p${partition}-${i}`})))
  const r = await samsa(['produce', 'orders', '--input', 'json', ...b], {input: lines.join('\n') + '\n'})
  assert.equal(r.code, 0, r.stderr)
}

interface Described { state: string; members: Array<{clientId: string; partitions: Array<{topic: string; partition: number}>}>; partitions: Array<{partition: number; committed: number | null; logEnd: number; lag: number | null}> }

async function describe(group: string): Promise<Described> {
  const r = await samsa(['group', 'describe', group, '--json', ...b])
  assert.equal(r.code, 0, r.stderr)
  return JSON.parse(r.stdout).groups[0]
}

const committedOf = (d: Described): Array<number | null> => d.partitions.map((p) => p.committed)

function kafkajsClient(): kafkajs.Kafka {
  return new Kafka({clientId: 'kafkajs-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING})
}

/** A kafkajs member of `group` that reads `orders` (committing after each batch) until `n` records, then leaves. */
async function kafkajsRead(group: string, n: number): Promise<Array<{partition: number; offset: number}>> {
  const consumer = kafkajsClient().consumer({groupId: group, sessionTimeout: 10_000, heartbeatInterval: 500})
  await consumer.connect()
  const got: Array<{partition: number; offset: number}> = []
  try {
    await consumer.subscribe({topics: ['orders'], fromBeginning: true})
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`kafkajs read ${got.length} of ${n} records in 30 s`)), 30_000)
      void consumer.run({
        eachMessage: async ({partition, message}) => {
          got.push({partition, offset: Number(message.offset)})
          if (got.length >= n) {
            clearTimeout(timer)
            resolve()
          }
        },
      })
    })
    // Nothing beyond the expected records arrives (a reset that was not applied would show here).
    await new Promise((r) => setTimeout(r, 500))
  } finally {
    await consumer.disconnect()
  }
  return got
}

const firstOffsets = (recs: Array<{partition: number; offset: number}>): number[] =>
  [0, 1, 2].map((p) => Math.min(...recs.filter((r) => r.partition === p).map((r) => r.offset)))

test('samsa consume in group mode commits; describe shows committed offsets, log end and lag (empty group)', {timeout: 60_000}, async () => {
  const r = await samsa(['consume', 'orders', '-g', 'g-samsa', '-o', 'beginning', '-c', '12', ...b])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout.split('\n').length - 1, 12)
  const d = await describe('g-samsa')
  assert.equal(d.state, 'Empty')
  assert.deepEqual(d.members, [])
  assert.equal(d.partitions.reduce((s, p) => s + (p.committed ?? 0), 0), 12)
  assert.deepEqual(d.partitions.map((p) => p.logEnd), [10, 10, 10])
  assert.equal(d.partitions.reduce((s, p) => s + (p.lag ?? 0), 0), 18)
  for (const p of d.partitions) assert.equal(p.lag, p.logEnd - (p.committed ?? 0))
  // Piped text: Kafka's columns, one tab-separated row per partition.
  const text = await samsa(['group', 'describe', 'g-samsa', ...b])
  assert.equal(text.code, 0, text.stderr)
  const rows = text.stdout.trim().split('\n')
  assert.equal(rows[0], 'GROUP\tTOPIC\tPARTITION\tCURRENT-OFFSET\tLOG-END-OFFSET\tLAG\tCONSUMER-ID\tHOST\tCLIENT-ID')
  assert.equal(rows.length, 4)
  const list = await samsa(['group', 'list', '--json', ...b])
  assert.equal(list.code, 0, list.stderr)
  assert.ok(JSON.parse(list.stdout).groups.some((g: any) => g.groupId === 'g-samsa' && g.protocolType === 'consumer'))
})

test('a live kafkajs member: shown with client id and partitions; reset and delete refuse', {timeout: 60_000}, async () => {
  const consumer = kafkajsClient().consumer({groupId: 'g-live', sessionTimeout: 10_000, heartbeatInterval: 500})
  await consumer.connect()
  try {
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()))
    await consumer.subscribe({topics: ['orders'], fromBeginning: true})
    await consumer.run({eachMessage: async () => {}})
    await joined
    const d = await describe('g-live')
    assert.equal(d.state, 'Stable')
    assert.equal(d.members.length, 1)
    assert.equal(d.members[0].clientId, 'kafkajs-test')
    assert.deepEqual(d.members[0].partitions.map((tp) => `${tp.topic}-${tp.partition}`).sort(), ['orders-0', 'orders-1', 'orders-2'])
    const reset = await samsa(['group', 'reset-offsets', 'g-live', '--topic', 'orders', '--to-earliest', '--execute', ...b])
    assert.equal(reset.code, 1)
    assert.match(errorLines(reset.stderr)[0], /^samsa: offsets of group "g-live" can only be reset while it is inactive, but it is Stable with 1 member \(NON_EMPTY_GROUP\)$/)
    const del = await samsa(['group', 'delete', 'g-live', '--yes', ...b])
    assert.equal(del.code, 1)
    assert.match(errorLines(del.stderr)[0], /^samsa: cannot delete group "g-live": it has active members \(NON_EMPTY_GROUP\)$/)
  } finally {
    await consumer.disconnect()
  }
})

test('offsets committed by kafkajs are shown; reset-offsets --execute moves them to where kafkajs and kcat resume', {timeout: 90_000}, async (t) => {
  const first = await kafkajsRead('g-kjs', 30)
  assert.equal(first.length, 30)
  let d = await describe('g-kjs')
  assert.deepEqual(committedOf(d), [10, 10, 10])
  assert.deepEqual(d.partitions.map((p) => p.lag), [0, 0, 0])

  // A dry run prints before/after and changes nothing.
  const dry = await samsa(['group', 'reset-offsets', 'g-kjs', '--topic', 'orders', '--to-offset', '4', ...b])
  assert.equal(dry.code, 0, dry.stderr)
  assert.deepEqual(dry.stdout.trim().split('\n'), ['TOPIC\tPARTITION\tBEFORE\tAFTER', 'orders\t0\t10\t4', 'orders\t1\t10\t4', 'orders\t2\t10\t4'])
  assert.deepEqual(committedOf(await describe('g-kjs')), [10, 10, 10])

  const exec = await samsa(['group', 'reset-offsets', 'g-kjs', '--topic', 'orders', '--to-offset', '4', '--execute', '--json', ...b])
  assert.equal(exec.code, 0, exec.stderr)
  assert.deepEqual(JSON.parse(exec.stdout).partitions.map((p: any) => [p.partition, p.before, p.after]), [[0, 10, 4], [1, 10, 4], [2, 10, 4]])
  d = await describe('g-kjs')
  assert.deepEqual(committedOf(d), [4, 4, 4])
  assert.deepEqual(d.partitions.map((p) => p.lag), [6, 6, 6])

  // kafkajs resumes exactly there: offsets 4..9 of each partition, nothing before.
  const resumed = await kafkajsRead('g-kjs', 18)
  assert.equal(resumed.length, 18)
  assert.deepEqual(firstOffsets(resumed), [4, 4, 4])
  assert.deepEqual(committedOf(await describe('g-kjs')), [10, 10, 10])

  // Then a partial reset (partitions 0 and 2, shifted back by 3) and kcat -G resumes there.
  const shift = await samsa(['group', 'reset-offsets', 'g-kjs', '--topic', 'orders:0,2', '--shift-by', '-3', '--execute', ...b])
  assert.equal(shift.code, 0, shift.stderr)
  assert.deepEqual(committedOf(await describe('g-kjs')), [7, 10, 7])
  if (!kcatOk) return t.skip('kcat not installed')
  const kc = spawnSync('kcat', ['-b', broker.bootstrap, '-G', 'g-kjs', 'orders', '-e', '-q', '-f', '%p:%o\\n', '-X', 'enable.auto.commit=true', '-X', 'auto.commit.interval.ms=100'],
    {encoding: 'utf8', timeout: 60_000})
  assert.equal(kc.status, 0, kc.stderr)
  assert.deepEqual(kc.stdout.trim().split('\n').sort(), ['0:7', '0:8', '0:9', '2:7', '2:8', '2:9'])
})

test('reset-offsets strategies: earliest, latest, datetime, clamping; usage errors', {timeout: 60_000}, async () => {
  const reset = async (args: string[]): Promise<number[]> => {
    const r = await samsa(['group', 'reset-offsets', 'g-strat', '--topic', 'orders', ...args, '--execute', '--json', ...b])
    assert.equal(r.code, 0, r.stderr)
    return JSON.parse(r.stdout).partitions.map((p: any) => p.after)
  }
  assert.deepEqual(await reset(['--to-latest']), [10, 10, 10])
  assert.deepEqual(await reset(['--to-earliest']), [0, 0, 0])
  assert.deepEqual(await reset(['--to-offset', '999']), [10, 10, 10]) // clamped to the log end
  assert.deepEqual(await reset(['--shift-by', '-50']), [0, 0, 0]) // clamped to the log start
  assert.deepEqual(await reset(['--to-datetime', '2001-01-01T00:00:00Z']), [0, 0, 0])
  assert.deepEqual(await reset(['--to-datetime', new Date(Date.now() + 3_600_000).toISOString()]), [10, 10, 10])
  const usage: string[][] = [
    ['group', 'reset-offsets', 'g-strat', '--topic', 'orders'],
    ['group', 'reset-offsets', 'g-strat', '--topic', 'orders', '--to-earliest', '--to-latest'],
    ['group', 'reset-offsets', 'g-strat', '--topic', 'orders:x', '--to-earliest'],
    ['group', 'reset-offsets', 'g-strat', '--topic', 'orders', '--to-datetime', 'yesterday'],
    ['group', 'describe'],
    ['group', 'delete', 'g-strat'], // stdin is not a terminal and no --yes
  ]
  for (const args of usage) {
    const r = await samsa([...args, ...b])
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
    assert.equal(errorLines(r.stderr).length, 1, r.stderr)
  }
  const missing = await samsa(['group', 'reset-offsets', 'g-strat', '--topic', 'orders:7', '--to-earliest', ...b])
  assert.equal(missing.code, 1)
  assert.match(errorLines(missing.stderr)[0], /partition 7 of topic "orders" does not exist \(UNKNOWN_TOPIC_OR_PARTITION\)/)
})

test('group delete removes a group and its offsets; then it does not exist', {timeout: 30_000}, async () => {
  const r = await samsa(['consume', 'orders', '-g', 'g-del', '-o', 'beginning', '-c', '1', ...b])
  assert.equal(r.code, 0, r.stderr)
  const del = await samsa(['group', 'delete', 'g-del', '--yes', ...b])
  assert.equal(del.code, 0, del.stderr)
  assert.equal(del.stdout.trim(), 'Deleted group "g-del".')
  const again = await samsa(['group', 'describe', 'g-del', ...b])
  assert.equal(again.code, 1)
  assert.deepEqual(errorLines(again.stderr), ['samsa: group "g-del" does not exist (GROUP_ID_NOT_FOUND)'])
  const twice = await samsa(['group', 'delete', 'g-del', '--yes', '--json', ...b])
  assert.equal(twice.code, 1)
  assert.equal(JSON.parse(twice.stdout).error.name, 'GROUP_ID_NOT_FOUND')
})
