// Restart and crash: what the broker acknowledged with acks=all before a SIGTERM or a SIGKILL is
// there after a restart, in order and without duplicates; a torn tail is truncated and reported.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {appendFileSync, existsSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import kafkajs from 'kafkajs'
import {startBrokerProcess, removeDataDir, type BrokerProcess, kcatMissing} from '../helpers/broker-process.js'

const {Kafka, logLevel} = kafkajs
const skip = kcatMissing('durability read-back skipped')

const TOPIC = 'durable'

/** Reads every value of partition 0 with kcat, in offset order. */
function readAll(broker: BrokerProcess): string[] {
  const res = spawnSync('kcat', ['-b', broker.bootstrap, '-C', '-t', TOPIC, '-p', '0', '-e', '-o', 'beginning', '-f', '%s\n'],
    {encoding: 'utf8', timeout: 60_000, maxBuffer: 1 << 26})
  assert.equal(res.status, 0, res.stderr)
  return res.stdout.split('\n').filter((l) => l.length > 0)
}

/** Produces numbered records with acks=all until `stopAfterMs`, then runs `interrupt` mid-load; returns the acknowledged numbers. */
async function loadAndInterrupt(broker: BrokerProcess, interrupt: () => Promise<unknown>, stopAfterMs = 1500): Promise<number[]> {
  const kafka = new Kafka({clientId: 'durability', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: {retries: 0}})
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({topics: [{topic: TOPIC, numPartitions: 1}]})
  await admin.disconnect()
  const producer = kafka.producer({allowAutoTopicCreation: false, retry: {retries: 0}, maxInFlightRequests: 5})
  await producer.connect()
  const acked: number[] = []
  let next = 0
  let running = true
  const workers = Array.from({length: 4}, async () => {
    while (running && next < 2_000_000) {
      const first = next
      next += 25
      const messages = Array.from({length: 25}, (_, i) => ({value: `m-${first + i}`}))
      try {
        await producer.send({topic: TOPIC, acks: -1, messages})
        for (let i = 0; i < 25; i++) acked.push(first + i)
      } catch {
        running = false
      }
    }
  })
  await new Promise((r) => setTimeout(r, stopAfterMs))
  await interrupt()
  running = false
  await Promise.all(workers)
  await producer.disconnect().catch(() => {})
  return acked.sort((a, b) => a - b)
}

/** Checks that the log holds every acknowledged record once, in production order per producer request. */
function assertDurable(values: string[], acked: number[]): void {
  const numbers = values.map((v) => Number(v.slice(2)))
  assert.equal(new Set(numbers).size, numbers.length, 'no duplicates')
  const present = new Set(numbers)
  const lost = acked.filter((n) => !present.has(n))
  assert.deepEqual(lost.slice(0, 10), [], `${lost.length} acknowledged records lost`)
  assert.ok(acked.length > 1000, `load was real (${acked.length} acknowledged)`)
  // Records of one request are contiguous and ordered in the log.
  for (let i = 1; i < numbers.length; i++) {
    if (numbers[i] % 25 !== 0) assert.equal(numbers[i], numbers[i - 1] + 1, `batch order at log position ${i}`)
  }
}

test('SIGTERM during an acks=all load loses nothing acknowledged', {skip, timeout: 120_000}, async () => {
  let broker = await startBrokerProcess()
  const dataDir = broker.dataDir
  const acked = await loadAndInterrupt(broker, async () => assert.equal(await broker.stop(), 0))
  broker = await startBrokerProcess({dataDir})
  try {
    assertDurable(readAll(broker), acked)
    assert.doesNotMatch(broker.log(), /truncat/i, 'a clean shutdown needs no truncation')
  } finally {
    await broker.stop()
    removeDataDir(dataDir)
  }
})

test('kill -9 during an acks=all load loses nothing acknowledged', {skip, timeout: 120_000}, async () => {
  let broker = await startBrokerProcess()
  const dataDir = broker.dataDir
  const acked = await loadAndInterrupt(broker, () => broker.kill())
  assert.equal(existsSync(join(dataDir, '.kafka_cleanshutdown')), false, 'no clean-shutdown marker after kill -9')
  broker = await startBrokerProcess({dataDir})
  try {
    assertDurable(readAll(broker), acked)
  } finally {
    await broker.stop()
    removeDataDir(dataDir)
  }
})

test('a torn tail written by hand is truncated at the last valid batch and reported', {skip, timeout: 120_000}, async () => {
  let broker = await startBrokerProcess()
  const dataDir = broker.dataDir
  try {
    const lines = Array.from({length: 500}, (_, i) => `rec-${i}`).join('\n') + '\n'
    const res = spawnSync('kcat', ['-b', broker.bootstrap, '-P', '-t', TOPIC, '-p', '0', '-X', 'acks=all'], {input: lines, timeout: 30_000})
    assert.equal(res.status, 0, String(res.stderr))
    assert.equal(await broker.stop(), 0)

    const segment = join(dataDir, `${TOPIC}-0`, '00000000000000000000.log')
    const before = readFileSync(segment)
    // A torn write: the first 40 bytes of a copy of the first batch, as if the process died mid-append.
    appendFileSync(segment, before.subarray(0, 40))
    rmSync(join(dataDir, '.kafka_cleanshutdown'), {force: true})

    broker = await startBrokerProcess({dataDir})
    assert.match(broker.log(), /truncat/i, 'the broker log reports the truncation')
    assert.match(broker.log(), new RegExp(`${TOPIC}-0`), 'and names the partition')
    assert.equal(readFileSync(segment).length, before.length, 'the segment is cut back at the last valid batch')
    const values = readAll(broker)
    assert.deepEqual(values, Array.from({length: 500}, (_, i) => `rec-${i}`))
    const more = spawnSync('kcat', ['-b', broker.bootstrap, '-P', '-t', TOPIC, '-p', '0'], {input: 'after\n', timeout: 30_000})
    assert.equal(more.status, 0)
    assert.deepEqual(readAll(broker).slice(-2), ['rec-499', 'after'], 'appends continue after the truncation point')
  } finally {
    await broker.stop()
    removeDataDir(dataDir)
  }
})
