/**
 * Failover acceptance on a real 3-node cluster (`cluster start --detach`):
 *  1. kcat and `samsa produce` keep producing with acks=all while `node kill` takes down a partition
 *     leader; afterwards every acknowledged record is on every replica exactly once, at the same
 *     offsets (read from each node's segment files with `log dump`), and consumers read everything.
 *  5. kafkajs producer and group consumer (and kcat) follow leadership changes without restarting:
 *     a node kill (of the group coordinator) and a preferred leader election.
 */
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {spawn, type ChildProcess} from 'node:child_process'
import {readdirSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import kafkajs from 'kafkajs'
import {samsa} from '../cli/helpers.js'
import {haveKcat, samsaBin} from '../helpers/broker-process.js'
import {partitionForGroup} from '../../src/broker/group/offsets-topic.js'
import {freePortRange, killRecorded, tempClusterDir, waitFor} from './helpers.js'

const {Kafka, logLevel} = kafkajs
const env = {SAMSA_CLUSTER_STOP_TIMEOUT_MS: '8000'}
const OFFSETS_PARTITIONS = 10
/** Short timeouts so a killed node is fenced and replaced within a few seconds. */
const FAST = [
  'broker.session.timeout.ms=2000', 'broker.heartbeat.interval.ms=300', 'replica.lag.time.max.ms=2000',
  'controller.quorum.fetch.timeout.ms=1000', 'controller.quorum.election.timeout.ms=500',
  'group.initial.rebalance.delay.ms=0', `offsets.topic.num.partitions=${OFFSETS_PARTITIONS}`,
]
const kcatMissing = !haveKcat()
if (kcatMissing) console.log('NOTICE: kcat not installed: the kcat parts of the failover tests are skipped')

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Awaits `p` for at most `ms` (cleanup that must not hang the test), ignoring its failure. */
async function bounded(p: Promise<unknown> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([p?.catch(() => {}), new Promise((r) => (timer = setTimeout(r, ms)))])
  clearTimeout(timer)
}

interface Cluster { dir: string; base: number; boot: string }
interface Part { partition: number; leader: number; leaderEpoch: number; replicas: number[]; isr: number[] }

async function startCluster(): Promise<Cluster> {
  const dir = tempClusterDir()
  const base = await freePortRange(3)
  const args = ['cluster', 'start', '--nodes', '3', '--data-dir', dir, '--base-port', String(base), '--detach']
  for (const s of FAST) args.push('--set', s)
  const r = await samsa(args, {env})
  if (r.code !== 0) {
    killRecorded(dir)
    rmSync(dir, {recursive: true, force: true})
    assert.fail(`cluster start failed (${r.code}): ${r.stderr}`)
  }
  return {dir, base, boot: [0, 1, 2].map((i) => `127.0.0.1:${base + i}`).join(',')}
}

async function stopCluster(c: Cluster | undefined): Promise<void> {
  if (!c) return
  try {
    await samsa(['cluster', 'stop', '--data-dir', c.dir], {env})
  } finally {
    killRecorded(c.dir)
    // FAILOVER_KEEP_DIRS=1 keeps the data dirs (node logs) for a post-mortem.
    if (process.env.FAILOVER_KEEP_DIRS) console.log(`kept ${c.dir}`)
    else rmSync(c.dir, {recursive: true, force: true})
  }
}

async function ok(args: string[]): Promise<string> {
  const r = await samsa(args, {env})
  assert.equal(r.code, 0, `samsa ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
  return r.stdout
}

async function partitions(c: Cluster, topic: string): Promise<Part[]> {
  const r = await samsa(['topic', 'describe', topic, '-b', c.boot, '--json'], {env})
  if (r.code !== 0) return []
  return JSON.parse(r.stdout).topics[0].partitions
}

/** Polls `topic describe` (bounded) until `pred` holds; returns the last partitions seen. */
async function waitPartitions(c: Cluster, topic: string, pred: (ps: Part[]) => boolean, timeoutMs: number, what: string): Promise<Part[]> {
  const deadline = Date.now() + timeoutMs
  let ps: Part[] = []
  for (;;) {
    ps = await partitions(c, topic)
    if (ps.length > 0 && pred(ps)) return ps
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(ps)}`)
    await sleep(200)
  }
}

const fullIsr = (ps: Part[]) => ps.every((p) => p.leader >= 0 && p.isr.length === 3)

/** A child process with stdin open so that input can be paced, output collected. */
interface Proc { child: ChildProcess; out: () => string; err: () => string; exited: Promise<number | null> }

function startProc(cmd: string, args: string[]): Proc {
  const child = spawn(cmd, args, {stdio: ['pipe', 'pipe', 'pipe'], env: {...process.env, FORCE_COLOR: '0'}})
  let out = ''
  let err = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (err += d))
  child.stdin!.on('error', () => {}) // a producer that died is reported by its exit code, not an EPIPE crash
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
  return {child, out: () => out, err: () => err, exited}
}

/** Waits (bounded) for a process to exit; kills it and fails when it does not. */
async function exitOf(p: Proc, timeoutMs: number, name: string): Promise<number | null> {
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs)
  const code = await p.exited
  clearTimeout(timer)
  assert.notEqual(code, null, `${name} did not exit within ${timeoutMs} ms; stderr: ${p.err().slice(-2000)}`)
  return code
}

/** Records of every partition of `topic` as one node stored them in its segment files. */
async function replicaRecords(c: Cluster, node: number, topic: string, nParts: number): Promise<Map<number, Array<[number, string]>>> {
  const files: string[] = []
  for (let p = 0; p < nParts; p++) {
    const d = join(c.dir, `node-${node}`, `${topic}-${p}`)
    for (const f of readdirSync(d).filter((f) => f.endsWith('.log')).sort()) files.push(join(d, f))
  }
  const r = await samsa(['log', 'dump', ...files, '--print-data', '--json'], {env})
  assert.equal(r.code, 0, `log dump on node ${node}: ${r.stderr}`)
  const out = new Map<number, Array<[number, string]>>()
  for (let p = 0; p < nParts; p++) out.set(p, [])
  let current = -1
  let control = false
  for (const line of r.stdout.split('\n')) {
    if (!line.trim()) continue
    const e = JSON.parse(line)
    if (e.type === 'file') {
      const m = /-(\d+)$/.exec(join(e.file, '..'))
      current = Number(m![1])
    } else if (e.type === 'batch') {
      control = e.isControl
    } else if (e.type === 'record' && !control) {
      out.get(current)!.push([Number(e.offset), e.value])
    }
  }
  return out
}

/** Writes `lines` to a process's stdin in chunks every `everyMs` until `stop()` or `maxMs`. */
async function feed(procs: Array<{proc: Proc; prefix: string; sent: number}>, chunk: number, everyMs: number, stop: () => boolean, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs
  while (!stop() && Date.now() < deadline) {
    for (const f of procs) {
      let s = ''
      for (let i = 0; i < chunk; i++) s += `${f.prefix}-${f.sent++}\n`
      f.proc.child.stdin!.write(s)
    }
    await sleep(everyMs)
  }
  for (const f of procs) f.proc.child.stdin!.end()
}

const FAILED_DELIVERY = /Delivery failed|Failed to produce|FATAL/i

describe('failover with producers running (must-show 1)', () => {
  it('kcat and samsa produce with acks=all across a leader kill; every acked record is on every replica exactly once', {timeout: 85_000}, async (t) => {
    const topic = 'fo'
    const started = Date.now()
    const marks: string[] = []
    const mark = (what: string) => marks.push(`${what} +${Date.now() - started}ms`)
    let c: Cluster | undefined
    const procs: Proc[] = []
    let stopFeeding = false
    try {
      c = await startCluster()
      mark('cluster up')
      await ok(['topic', 'create', topic, '-p', '6', '-r', '3', '-b', c.boot])
      const before = await waitPartitions(c, topic, fullIsr, 15_000, 'the new topic to have full ISRs')
      assert.equal(before.length, 6)
      // The victim leads some partitions; prefer one that is not the active controller (that is must-show 2).
      const status = JSON.parse(await ok(['cluster', 'status', '--data-dir', c.dir, '--json']))
      const leaders = [...new Set(before.map((p) => p.leader))]
      const victim = leaders.find((l) => l !== status.controllerId) ?? leaders[0]
      const victimLed = before.filter((p) => p.leader === victim).map((p) => p.partition)
      assert.ok(victimLed.length > 0)

      const feeders: Array<{proc: Proc; prefix: string; sent: number}> = []
      const sync = startProc(process.execPath, [samsaBin, 'produce', topic, '-b', c.boot, '-a', 'all', '--sync', '--json'])
      const async = startProc(process.execPath, [samsaBin, 'produce', topic, '-b', c.boot, '-a', 'all', '--json'])
      procs.push(sync, async)
      feeders.push({proc: sync, prefix: 'samsa-s', sent: 0}, {proc: async, prefix: 'samsa-a', sent: 0})
      let kcat: Proc | undefined
      if (!kcatMissing) {
        kcat = startProc('kcat', ['-b', c.boot, '-P', '-t', topic, '-X', 'acks=all', '-X', 'enable.idempotence=true', '-X', 'linger.ms=5'])
        procs.push(kcat)
        feeders.push({proc: kcat, prefix: 'kcat', sent: 0})
      }
      const feeding = feed(feeders, 8, 100, () => stopFeeding, 30_000)

      // Let the producers get going, then kill the leader.
      assert.ok(await waitFor(() => sync.out().split('\n').length > 20, 15_000), `sync producer acks nothing: ${sync.err()}`)
      await sleep(500)
      mark('producing')
      await ok(['node', 'kill', String(victim), '--data-dir', c.dir])
      mark('killed')
      const killedAt = Date.now()
      const after = await waitPartitions(c, topic, (ps) => ps.every((p) => p.leader >= 0 && p.leader !== victim && !p.isr.includes(victim)),
        20_000, `node ${victim} to be fenced and its partitions to get new leaders`)
      const failoverMs = Date.now() - killedAt
      mark('failed over')
      for (const p of victimLed) assert.ok(after[p].leaderEpoch > before[p].leaderEpoch, `partition ${p} leader epoch bumped`)
      // Producers keep going on the new leaders for a while, then their input ends.
      const ackedAtFailover = sync.out().split('\n').length
      await sleep(2000)
      stopFeeding = true
      await feeding
      assert.ok(sync.out().split('\n').length > ackedAtFailover, 'the sync producer got acks after the failover')

      // Producers exit 0 and report no failed delivery.
      const syncCode = await exitOf(sync, 40_000, 'samsa produce --sync')
      assert.equal(syncCode, 0, `samsa produce --sync: ${sync.err()}`)
      const asyncCode = await exitOf(async, 40_000, 'samsa produce')
      assert.equal(asyncCode, 0, `samsa produce: ${async.err()}`)
      const summary = JSON.parse(async.out())
      assert.equal(summary.failed, 0, `async producer failures: ${async.err()}`)
      assert.equal(summary.records, feeders[1].sent)
      const syncAcks = sync.out().trim().split('\n').map((l) => JSON.parse(l))
      assert.equal(syncAcks.length, feeders[0].sent, 'one ack per record fed to samsa produce --sync')
      if (kcat) {
        const code = await exitOf(kcat, 40_000, 'kcat -P')
        assert.equal(code, 0, `kcat -P: ${kcat.err()}`)
        assert.doesNotMatch(kcat.err(), FAILED_DELIVERY, `kcat reported failed deliveries: ${kcat.err()}`)
      }

      mark('producers done')
      // The killed node comes back, truncates/catches up and rejoins every ISR.
      await ok(['node', 'restart', String(victim), '--data-dir', c.dir])
      mark('restarted')
      await waitPartitions(c, topic, fullIsr, 30_000, `node ${victim} to rejoin every ISR`)
      mark('full ISR')

      const expected: string[] = []
      for (const f of feeders) for (let i = 0; i < f.sent; i++) expected.push(`${f.prefix}-${i}`)
      expected.sort()

      // Every replica holds the same records at the same offsets (bounded wait: followers may
      // still be fetching the last batches when they are listed in the ISR).
      let replicas: Array<Map<number, Array<[number, string]>>> = []
      const deadline = Date.now() + 15_000
      for (;;) {
        replicas = [await replicaRecords(c, 0, topic, 6), await replicaRecords(c, 1, topic, 6), await replicaRecords(c, 2, topic, 6)]
        const same = [0, 1, 2, 3, 4, 5].every((p) => JSON.stringify(replicas[1].get(p)) === JSON.stringify(replicas[0].get(p)) &&
          JSON.stringify(replicas[2].get(p)) === JSON.stringify(replicas[0].get(p)))
        if (same || Date.now() > deadline) break
        await sleep(500)
      }
      for (let p = 0; p < 6; p++) {
        const lead = replicas[0].get(p)!
        assert.deepEqual(replicas[1].get(p), lead, `partition ${p}: node 1's log differs from node 0's`)
        assert.deepEqual(replicas[2].get(p), lead, `partition ${p}: node 2's log differs from node 0's`)
        assert.deepEqual(lead.map(([o]) => o), lead.map((_, i) => i), `partition ${p}: offsets are contiguous from 0`)
      }
      for (const [n, rep] of replicas.entries()) {
        const values = [...rep.values()].flat().map(([, v]) => v).sort()
        const counts = new Map<string, number>()
        for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
        const dups = [...counts].filter(([, k]) => k > 1).map(([v]) => v)
        assert.deepEqual(dups, [], `node ${n}: values stored more than once`)
        const missing = expected.filter((v) => !counts.has(v))
        assert.deepEqual(missing, [], `node ${n}: acknowledged values missing`)
        assert.deepEqual(values, expected, `node ${n}: exactly the produced values`)
      }
      // Each --sync acknowledgement names the partition and offset where the record now is.
      for (const [i, ack] of syncAcks.entries()) {
        const at = replicas[0].get(ack.partition)!.find(([o]) => o === ack.offset)
        assert.deepEqual(at, [ack.offset, `samsa-s-${i}`], `ack ${i} (${ack.partition}@${ack.offset})`)
      }

      mark('replicas compared')
      // Consumers read everything.
      const consumed = await samsa(['consume', topic, '-b', c.boot, '-e', '-o', 'beginning'], {env})
      assert.equal(consumed.code, 0, consumed.stderr)
      assert.deepEqual(consumed.stdout.trim().split('\n').sort(), expected, 'samsa consume reads every record once')
      if (kcatMissing) {
        t.skip('kcat not installed')
      } else {
        const k = startProc('kcat', ['-b', c.boot, '-C', '-t', topic, '-o', 'beginning', '-e', '-f', '%s\n'])
        k.child.stdin!.end()
        assert.equal(await exitOf(k, 30_000, 'kcat -C'), 0, k.err())
        assert.deepEqual(k.out().trim().split('\n').sort(), expected, 'kcat reads every record once')
      }
      t.diagnostic(`victim node ${victim} led partitions ${victimLed.join(',')}; new leaders in ${failoverMs} ms; ` +
        `records: ${feeders.map((f) => `${f.prefix}=${f.sent}`).join(' ')}; ${Date.now() - started} ms in all`)
    } finally {
      stopFeeding = true
      t.diagnostic(`timeline: ${marks.join(', ')}`)
      for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL')
      await stopCluster(c)
    }
  })
})

describe('clients follow leadership changes (must-show 5)', () => {
  it('one kafkajs producer and group consumer (and kcat) keep working across a node kill and a preferred election', {timeout: 85_000}, async (t) => {
    const topic = 'kj'
    const groupId = 'kj-group'
    const started = Date.now()
    const marks: string[] = []
    const mark = (what: string) => marks.push(`${what} +${Date.now() - started}ms`)
    let c: Cluster | undefined
    const procs: Proc[] = []
    let producer: ReturnType<InstanceType<typeof Kafka>['producer']> | undefined
    let consumer: ReturnType<InstanceType<typeof Kafka>['consumer']> | undefined
    let stopKcat = false
    try {
      c = await startCluster()
      await ok(['topic', 'create', topic, '-p', '3', '-r', '3', '-b', c.boot])
      const initial = await waitPartitions(c, topic, fullIsr, 15_000, 'the new topic to have full ISRs')
      mark('topic ready')

      const kafka = new Kafka({
        clientId: 'failover-kafkajs', brokers: c.boot.split(','),
        // FAILOVER_KAFKAJS_LOG=1 prints kafkajs's own log (INFO) for a post-mortem.
        logLevel: process.env.FAILOVER_KAFKAJS_LOG ? logLevel.INFO : logLevel.NOTHING,
        retry: {initialRetryTime: 200, maxRetryTime: 2000, retries: 15},
      })
      producer = kafka.producer({allowAutoTopicCreation: false})
      // kafkajs keeps the group coordinator it found at join time and retries it until its retry budget is
      // spent, then restarts itself (restartOnFailure) and looks the coordinator up again: a small budget
      // makes that self-restart come after ~3 s instead of ~30 s. The test never restarts the consumer.
      consumer = kafka.consumer({groupId, sessionTimeout: 6000, heartbeatInterval: 500, rebalanceTimeout: 6000,
        retry: {initialRetryTime: 200, maxRetryTime: 1000, retries: 4}})
      let crashes = 0
      consumer.on(consumer.events.CRASH, () => crashes++)
      const seen = new Map<string, number>()
      await producer.connect()
      await consumer.connect()
      await consumer.subscribe({topic, fromBeginning: true})
      await consumer.run({eachMessage: async ({message}) => {
        const v = message.value!.toString()
        seen.set(v, (seen.get(v) ?? 0) + 1)
      }})

      // kcat: a paced producer and a group consumer that run through every change below.
      let kcatP: Proc | undefined
      let kcatC: Proc | undefined
      let kcatSent = 0
      let kcatFeeding: Promise<void> = Promise.resolve()
      if (!kcatMissing) {
        kcatP = startProc('kcat', ['-b', c.boot, '-P', '-t', topic, '-X', 'acks=all', '-X', 'enable.idempotence=true', '-X', 'linger.ms=5'])
        kcatC = startProc('kcat', ['-b', c.boot, '-u', '-G', 'kcat-group', '-X', 'auto.offset.reset=earliest', '-f', '%s\n', topic])
        kcatC.child.stdin!.end()
        procs.push(kcatP, kcatC)
        const f = {proc: kcatP, prefix: 'kcat', sent: 0}
        kcatFeeding = feed([f], 2, 100, () => stopKcat, 60_000).then(() => { kcatSent = f.sent })
      }

      let sent = 0
      const produced: string[] = []
      /** Sends `n` values one small batch at a time with the same producer (acks -1). */
      const produce = async (n: number, phase: string) => {
        for (let i = 0; i < n; i += 5) {
          const messages = Array.from({length: Math.min(5, n - i)}, () => ({key: `k${sent % 7}`, value: `kafkajs-${sent++}`}))
          const res = await producer!.send({topic, acks: -1, messages})
          for (const r of res) assert.equal(r.errorCode, 0, `${phase}: ${JSON.stringify(r)}`)
          produced.push(...messages.map((m) => m.value))
          await sleep(50)
        }
      }
      const allRead = async (phase: string) => {
        const ok = await waitFor(() => produced.every((v) => seen.has(v)), 30_000)
        assert.ok(ok, `${phase}: the kafkajs consumer did not read ${produced.filter((v) => !seen.has(v)).slice(0, 10).join(',')}...`)
      }

      await produce(30, 'before')
      mark('produced 1')
      await allRead('before any change')
      mark('read 1')

      // 1) Kill the node that is the group coordinator (it also leads a partition of the topic).
      const offsets = await waitPartitions(c, '__consumer_offsets', (ps) => ps.length === OFFSETS_PARTITIONS && ps.every((p) => p.leader >= 0),
        10_000, '__consumer_offsets')
      const coordinator = offsets[partitionForGroup(groupId, OFFSETS_PARTITIONS)].leader
      const victim = initial.some((p) => p.leader === coordinator) ? coordinator : initial[0].leader
      const victimLed = initial.filter((p) => p.leader === victim).map((p) => p.partition)
      await ok(['node', 'kill', String(victim), '--data-dir', c.dir])
      mark(`killed ${victim}`)
      // Keep producing right away: the producer's sends to the dead leader retry until the new leader is known.
      await produce(30, 'during failover')
      mark('produced 2')
      const moved = await waitPartitions(c, topic, (ps) => ps.every((p) => p.leader >= 0 && p.leader !== victim), 20_000,
        `partitions of node ${victim} to get new leaders`)
      for (const p of victimLed) assert.notEqual(moved[p].leader, victim)
      mark('moved')
      await produce(30, 'after failover')
      mark('produced 3')
      await allRead('after the node kill')
      mark('read 3')

      // 2) Bring the node back and move leadership back to it with a preferred election (no failure this time).
      await ok(['node', 'restart', String(victim), '--data-dir', c.dir])
      mark('restarted')
      await waitPartitions(c, topic, fullIsr, 30_000, `node ${victim} to rejoin every ISR`)
      mark('full ISR')
      const elect = await samsa(['leader', 'elect', '--all', '--type', 'preferred', '-b', c.boot, '--json'], {env})
      assert.equal(elect.code, 0, `leader elect: ${elect.stdout} ${elect.stderr}`)
      const back = await waitPartitions(c, topic, (ps) => ps.every((p) => p.leader === p.replicas[0]), 15_000, 'preferred leaders')
      for (const p of victimLed) assert.equal(back[p].leader, victim, `partition ${p} led by node ${victim} again`)
      mark('elected')
      await produce(30, 'after preferred election')
      mark('produced 4')
      await allRead('after the preferred election')
      mark('read 4')
      const fromKafkajs = [...seen.keys()].filter((v) => v.startsWith('kafkajs-'))
      assert.deepEqual(fromKafkajs.sort(), [...produced].sort(), 'the kafkajs consumer read exactly the kafkajs values')

      if (kcatMissing) {
        t.skip('kcat not installed')
      } else {
        stopKcat = true
        await kcatFeeding
        const code = await exitOf(kcatP!, 40_000, 'kcat -P')
        assert.equal(code, 0, `kcat -P: ${kcatP!.err()}`)
        assert.doesNotMatch(kcatP!.err(), FAILED_DELIVERY, `kcat reported failed deliveries: ${kcatP!.err()}`)
        const want = [...produced, ...Array.from({length: kcatSent}, (_, i) => `kcat-${i}`)]
        const read = () => new Set(kcatC!.out().split('\n'))
        const gotAll = await waitFor(() => { const r = read(); return want.every((v) => r.has(v)) }, 30_000)
        assert.ok(gotAll, `kcat -G did not read ${want.filter((v) => !read().has(v)).slice(0, 10).join(',')}...; stderr: ${kcatC!.err().slice(-2000)}`)
        // The kafkajs consumer saw kcat's records too.
        assert.ok(await waitFor(() => want.every((v) => seen.has(v)), 30_000), 'kafkajs consumer read the kcat records')
      }
      t.diagnostic(`victim node ${victim} (coordinator ${coordinator}) led ${victimLed.join(',')}; kafkajs sent ${sent}; ` +
        `consumer crashes (internally restarted by kafkajs) ${crashes}; ${Date.now() - started} ms in all`)
    } finally {
      stopKcat = true
      t.diagnostic(`timeline: ${marks.join(', ')}`)
      await bounded(consumer?.disconnect(), 10_000)
      await bounded(producer?.disconnect(), 10_000)
      for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL')
      await stopCluster(c)
    }
  })
})
