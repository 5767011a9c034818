/**
 * Acceptance tests of issue 5, must-show points 2, 3 and 4, against a real detached 3-node cluster
 * driven only through the binary (cluster/node/topic/produce/consume/leader elect) and kcat:
 *  2. killing the active controller elects a new one quickly, the cluster keeps creating and serving
 *     topics, and the old node comes back as a follower whose metadata log catches up;
 *  3. after the killed node caught up, `leader elect --type preferred --all` moves leadership back and
 *     `topic describe` shows every partition led by its preferred replica;
 *  4. min.insync.replicas=2 with two of three nodes down: acks=all fails with NOT_ENOUGH_REPLICAS,
 *     acks=1 still works; an out-of-sync replica becomes leader only with
 *     unclean.leader.election.enable or `leader elect --type unclean`.
 * The tests share one cluster and run in order; short timeouts (--set) keep the whole file fast.
 */
import {after, before, describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {samsa, type CliResult} from '../cli/helpers.js'
import {haveKcat} from '../helpers/broker-process.js'
import {runKcat} from '../helpers/kcat.js'
import {Connection} from '../../src/client/index.js'
import {ErrorCode} from '../../src/protocol/index.js'
import {alive, freePortRange, killRecorded, tempClusterDir, waitFor} from './helpers.js'

const env = {SAMSA_CLUSTER_STOP_TIMEOUT_MS: '8000'}
const LAG_MS = 2000
const SETTINGS = {
  'broker.session.timeout.ms': '2000',
  'broker.heartbeat.interval.ms': '300',
  'replica.lag.time.max.ms': String(LAG_MS),
  'controller.quorum.fetch.timeout.ms': '1000',
  'controller.quorum.election.timeout.ms': '500',
  // Point 3 is about the on-demand election: keep the periodic rebalancer out of the way.
  'auto.leader.rebalance.enable': 'false',
}
const ACTIVE = 'leader (active controller)'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

let dir: string
let base: number
const listener = (id: number) => `127.0.0.1:${base + id}`
const boot = (ids: number[]) => ['-b', ids.map(listener).join(',')]

async function run(args: string[], input?: string): Promise<CliResult> {
  return samsa(args, {env, input})
}

async function ok(args: string[], input?: string): Promise<CliResult> {
  const r = await run(args, input)
  assert.equal(r.code, 0, `samsa ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
  return r
}

async function status(): Promise<any> {
  return JSON.parse((await ok(['cluster', 'status', '--data-dir', dir, '--json'])).stdout)
}

interface PartitionInfo {
  partition: number; leader: number; leaderEpoch: number; replicas: number[]; isr: number[]; offline: number[]
  marks: string[]; underReplicated: boolean; preferredLeader: boolean
}

async function partitions(topic: string, ids: number[]): Promise<PartitionInfo[]> {
  const doc = JSON.parse((await ok(['topic', 'describe', topic, '--json', ...boot(ids)])).stdout)
  assert.equal(doc.topics.length, 1, JSON.stringify(doc))
  return doc.topics[0].partitions
}

async function partition(topic: string, ids: number[], n: number): Promise<PartitionInfo> {
  const p = (await partitions(topic, ids)).find((x) => x.partition === n)
  assert.ok(p, `${topic}-${n} described`)
  return p
}

/** Polls `probe` (async) until it returns a non-undefined value; fails with `what` and the last observation on timeout. */
async function until<T>(what: string, timeoutMs: number, probe: () => Promise<{done: T | undefined; seen: unknown}>): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let seen: unknown
  for (;;) {
    const r = await probe()
    seen = r.seen
    if (r.done !== undefined) return r.done
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(seen)}`)
    await sleep(200)
  }
}

/** Waits until every partition of `topic` has all its replicas in the ISR, as seen through `ids`. */
async function fullIsr(topic: string, ids: number[], timeoutMs = 20_000): Promise<PartitionInfo[]> {
  return until(`full ISR on ${topic}`, timeoutMs, async () => {
    const ps = await partitions(topic, ids)
    return {done: ps.every((p) => p.isr.length === p.replicas.length && p.leader >= 0) ? ps : undefined, seen: ps}
  })
}

/** Waits until status shows all three nodes running with one active controller and equal metadata log ends. */
async function healthy(timeoutMs = 20_000): Promise<any> {
  return until('a healthy 3-node quorum', timeoutMs, async () => {
    const st = await status()
    const leader = st.nodes.find((n: any) => n.role === ACTIVE)
    const good = st.running === 3 && leader && st.controllerId === leader.id &&
      st.nodes.every((n: any) => n.metadataLogEndOffset === leader.metadataLogEndOffset)
    return {done: good ? st : undefined, seen: st.nodes.map((n: any) => [n.id, n.state, n.role, n.metadataLogEndOffset])}
  })
}

async function consumeAll(topic: string, ids: number[], partition?: number): Promise<string[]> {
  const p = partition === undefined ? [] : ['-p', String(partition)]
  const r = await ok(['consume', topic, '-e', '-o', 'beginning', ...p, ...boot(ids)])
  return r.stdout.split('\n').filter((l) => l !== '')
}

const lines = (prefix: string, n: number) => Array.from({length: n}, (_, i) => `${prefix}-${i}`)

describe('controller failover, preferred and unclean elections on a 3-node cluster', {timeout: 150_000}, () => {
  before(async () => {
    dir = tempClusterDir()
    base = await freePortRange(3)
    const set = Object.entries(SETTINGS).flatMap(([k, v]) => ['--set', `${k}=${v}`])
    await ok(['cluster', 'start', '--nodes', '3', '--data-dir', dir, '--base-port', String(base), '--detach', ...set])
  })

  after(async () => {
    try {
      await run(['cluster', 'stop', '--data-dir', dir])
    } finally {
      killRecorded(dir)
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('admin requests sent straight to a node that is not the controller are forwarded to it and visible there at once', async () => {
    const st = await healthy()
    const follower = st.nodes.find((n: any) => n.role !== ACTIVE).id as number
    const conn = await Connection.connect({host: '127.0.0.1', port: base + follower})
    try {
      const created = await conn.send<any>(19, {topics: [{name: 'forwarded', numPartitions: 3, replicationFactor: 3, assignments: [],
        configs: [{name: 'retention.ms', value: '123456'}]}], timeoutMs: 10_000, validateOnly: false})
      assert.deepEqual(created.topics.map((t: any) => [t.name, t.errorCode, t.numPartitions]), [['forwarded', 0, 3]])
      // The same node answers Metadata with the new topic right away (it waited for its own replay).
      const md = await conn.send<any>(3, {topics: [{name: 'forwarded'}], allowAutoTopicCreation: false})
      assert.equal(md.topics[0].errorCode, 0)
      assert.deepEqual(md.topics[0].partitions.map((p: any) => [...p.replicaNodes].sort()), [[0, 1, 2], [0, 1, 2], [0, 1, 2]])
      const altered = await conn.send<any>(44, {resources: [{resourceType: 2, resourceName: 'forwarded',
        configs: [{name: 'retention.ms', configOperation: 0, value: '999'}]}], validateOnly: false})
      assert.deepEqual(altered.responses.map((r: any) => r.errorCode), [0])
      const dup = await conn.send<any>(19, {topics: [{name: 'forwarded', numPartitions: 1, replicationFactor: 1, assignments: [], configs: []}],
        timeoutMs: 10_000, validateOnly: false})
      assert.equal(dup.topics[0].errorCode, ErrorCode.TOPIC_ALREADY_EXISTS)
    } finally {
      conn.close()
    }
    // Every node replays the change: another follower, or the controller itself, describes the new config.
    for (const n of [0, 1, 2]) {
      const d = JSON.parse((await ok(['topic', 'describe', 'forwarded', '--json', ...boot([n])])).stdout)
      assert.equal(d.topics[0].configs['retention.ms'], '999', `node ${n}`)
    }
  })

  /** The node that was the active controller and got killed in point 2 (restarted afterwards). */
  let oldController = -1

  it('point 2: killing the active controller elects a new one within 5 s; topics can still be created; the old node rejoins as a follower', async (t) => {
    const st0 = await healthy()
    const c = st0.controllerId as number
    assert.ok(c >= 0 && c <= 2)
    assert.equal(st0.quorum.leaderId, c)
    assert.deepEqual(st0.nodes.map((n: any) => n.role === ACTIVE), [0, 1, 2].map((i) => i === c))
    oldController = c
    const others = [0, 1, 2].filter((i) => i !== c)

    // A topic whose leadership is spread over all three nodes, with data, so point 3 has work to do.
    await ok(['topic', 'create', 'fo', '-p', '6', '-r', '3', ...boot([0, 1, 2])])
    const ps0 = await fullIsr('fo', [0, 1, 2])
    assert.ok(ps0.some((p) => p.leader === c), `the controller node ${c} leads some partitions: ${JSON.stringify(ps0)}`)
    await ok(['produce', 'fo', '-a', 'all', ...boot([0, 1, 2])], lines('before', 30).join('\n') + '\n')

    const pid = st0.nodes[c].pid
    await ok(['node', 'kill', String(c), '--data-dir', dir])
    // The SIGKILL went out just before `node kill` returned: time the failover from here (not from the CLI's start-up).
    const killedAt = Date.now()
    assert.ok(await waitFor(() => !alive(pid), 5000), 'the killed controller process is gone')

    // A new active controller among the survivors, in a new quorum epoch.
    const st1 = await until('a new active controller', 10_000, async () => {
      const st = await status()
      const leader = st.nodes.find((n: any) => n.role === ACTIVE)
      const done = leader && leader.id !== c && st.controllerId === leader.id && st.quorum?.leaderId === leader.id ? st : undefined
      return {done, seen: [st.controllerId, st.quorum, st.nodes.map((n: any) => n.role)]}
    })
    const failoverMs = Date.now() - killedAt
    const c2 = st1.controllerId as number
    assert.ok(others.includes(c2))
    assert.ok(st1.quorum.leaderEpoch > st0.quorum.leaderEpoch, `epoch ${st0.quorum.leaderEpoch} -> ${st1.quorum.leaderEpoch}`)
    assert.equal(st1.nodes[c].state, 'stopped')
    // When the new controller took over, from its own log (status polling adds its own latency on top).
    const log = readFileSync(join(dir, `node-${c2}`, 'server.log'), 'utf8')
    const m = log.match(new RegExp(`^(\\S+) INFO node ${c2} is the active controller \\(epoch ${st1.quorum.leaderEpoch}\\)$`, 'm'))
    assert.ok(m, `node ${c2} logged becoming the active controller in epoch ${st1.quorum.leaderEpoch}`)
    const electedMs = Date.parse(m[1]) - killedAt
    t.diagnostic(`controller ${c} killed; node ${c2} active controller after ${electedMs} ms (its log), seen in cluster status after ${failoverMs} ms`)
    assert.ok(electedMs >= 0 && electedMs < 5000, `new active controller ${electedMs} ms after the kill`)
    assert.ok(failoverMs < 10_000, `cluster status showed the new controller ${failoverMs} ms after the kill`)

    // The new controller fences the dead broker and moves its partitions to live replicas.
    const ps1 = await until(`leaders of fo moved off node ${c}`, 15_000, async () => {
      const ps = await partitions('fo', others)
      return {done: ps.every((p) => p.leader >= 0 && p.leader !== c && !p.isr.includes(c)) ? ps : undefined, seen: ps}
    })
    for (const p of ps1) {
      assert.ok(p.marks.includes('under-replicated'), JSON.stringify(p))
      if (p.replicas[0] === c) assert.ok(p.marks.includes('not-preferred-leader'), JSON.stringify(p))
    }

    // Metadata changes still work: a topic created now (only 2 live brokers, so RF2) is usable with acks=all.
    await ok(['topic', 'create', 'during', '-p', '2', '-r', '2', ...boot(others)])
    const during = await fullIsr('during', others)
    for (const p of during) assert.deepEqual([...p.replicas].sort(), others, 'placed on the live brokers only')
    await ok(['produce', 'during', '-a', 'all', ...boot(others)], lines('during', 10).join('\n') + '\n')
    assert.deepEqual((await consumeAll('during', others)).sort(), lines('during', 10).sort())
    // RF3 needs three registered brokers, as in Kafka: refused while the third is fenced.
    const rf3 = await run(['topic', 'create', 'rf3-early', '-p', '1', '-r', '3', ...boot(others)])
    assert.notEqual(rf3.code, 0)
    assert.match(rf3.stderr, /INVALID_REPLICATION_FACTOR/)
    // The partitions that lost their leader keep serving too.
    await ok(['produce', 'fo', '-a', 'all', ...boot(others)], lines('while-down', 20).join('\n') + '\n')

    // The old controller restarts and rejoins as a follower of the new one; its metadata log catches up.
    await ok(['node', 'restart', String(c), '--data-dir', dir])
    const st2 = await until(`node ${c} rejoining as a caught-up follower`, 15_000, async () => {
      const st = await status()
      const me = st.nodes[c]
      const leader = st.nodes.find((n: any) => n.role === ACTIVE)
      const done = st.running === 3 && me.role === 'follower' && leader && leader.id !== c &&
        me.metadataLogEndOffset === leader.metadataLogEndOffset && me.metadataLogEndOffset >= st1.nodes[c2].metadataLogEndOffset ? st : undefined
      return {done, seen: st.nodes.map((n: any) => [n.id, n.state, n.role, n.metadataLogEndOffset])}
    })
    assert.equal(st2.nodes[c].role, 'follower')
    assert.notEqual(st2.controllerId, c)
    assert.ok(st2.nodes[c].metadataLogEndOffset > st0.nodes[c].metadataLogEndOffset, 'the rejoined node replayed the newer metadata')

    // Now an RF3 topic can be created and used, with replicas on all three nodes including the returned one.
    await ok(['topic', 'create', 'after', '-p', '3', '-r', '3', ...boot([0, 1, 2])])
    const afterPs = await fullIsr('after', [0, 1, 2])
    for (const p of afterPs) assert.deepEqual([...p.replicas].sort(), [0, 1, 2])
    await ok(['produce', 'after', '-a', 'all', ...boot([0, 1, 2])], lines('after', 15).join('\n') + '\n')
    assert.deepEqual((await consumeAll('after', [c])).sort(), lines('after', 15).sort())
  })

  it('point 3: once the returned node is back in every ISR, leader elect --type preferred --all moves leadership back', async (t) => {
    const c = oldController
    assert.ok(c >= 0, 'point 2 ran')
    const ids = [0, 1, 2]
    // Caught up: ISR back to 3 on every partition, the returned node among them; its old partitions are still led elsewhere.
    const waitStart = Date.now()
    const before = await fullIsr('fo', ids)
    t.diagnostic(`ISR of fo back to 3 after ${Date.now() - waitStart} ms more`)
    const moved = before.filter((p) => p.replicas[0] === c)
    assert.ok(moved.length > 0)
    for (const p of moved) {
      assert.notEqual(p.leader, c, `partition ${p.partition} still led away from ${c} (no automatic rebalance)`)
      assert.ok(p.isr.includes(c))
      assert.deepEqual(p.marks, ['not-preferred-leader'])
    }

    const r = await ok(['leader', 'elect', '--type', 'preferred', '--all', ...boot(ids)])
    const rows = r.stdout.trim().split('\n').map((l) => l.split('\t'))
    assert.deepEqual(rows[0], ['TOPIC', 'PARTITION', 'REPLICAS', 'ISR', 'LEADER BEFORE', 'LEADER AFTER', 'OUTCOME'])
    const fo = rows.slice(1).filter((row) => row[0] === 'fo')
    assert.equal(fo.length, 6, r.stdout)
    for (const p of before) {
      const row = fo.find((x) => Number(x[1]) === p.partition)!
      assert.ok(row, `row for fo-${p.partition}`)
      assert.equal(row[2], p.replicas.join(','))
      assert.equal(Number(row[4]), p.leader, `fo-${p.partition} leader before`)
      assert.equal(Number(row[5]), p.replicas[0], `fo-${p.partition} leader after`)
      assert.equal(row[6], p.replicas[0] === c ? 'elected' : 'already preferred', `fo-${p.partition}: ${row.join(' ')}`)
    }
    // Every partition of every topic the election covered ends up on its preferred replica.
    for (const row of rows.slice(1)) assert.equal(row[5], row[2].split(',')[0], `preferred leader after: ${row.join(' ')}`)

    for (const topic of ['fo', 'during', 'after']) {
      const ps = await partitions(topic, ids)
      for (const p of ps) {
        assert.equal(p.leader, p.replicas[0], `${topic}-${p.partition} led by its preferred replica: ${JSON.stringify(p)}`)
        assert.equal(p.preferredLeader, true)
        assert.ok(!p.marks.includes('not-preferred-leader'), JSON.stringify(p))
      }
    }
    const plain = await ok(['topic', 'describe', 'fo', ...boot(ids)])
    assert.doesNotMatch(plain.stdout, /not-preferred-leader/)
    // Leadership changed, records did not: everything produced before, during and after the outage is there once.
    const got = await consumeAll('fo', ids)
    assert.deepEqual(got.sort(), [...lines('before', 30), ...lines('while-down', 20)].sort())
  })

  it('point 4a: min.insync.replicas=2 with two of three nodes down: acks=all gets NOT_ENOUGH_REPLICAS, acks=1 works', async (t) => {
    await healthy()
    await ok(['topic', 'create', 'misr', '-p', '3', '-r', '3', '-c', 'min.insync.replicas=2', ...boot([0, 1, 2])])
    const ps = await fullIsr('misr', [0, 1, 2])
    await ok(['produce', 'misr', '-p', '0', '-a', 'all', '--sync', ...boot([0, 1, 2])], 'healthy\n')
    const s = ps[0].leader
    const dead = [0, 1, 2].filter((i) => i !== s)
    for (const d of dead) await ok(['node', 'kill', String(d), '--data-dir', dir])
    const st = await status()
    assert.deepEqual(st.nodes.map((n: any) => n.state === 'running'), [0, 1, 2].map((i) => i === s))
    // Without a controller quorum the ISR cannot shrink in metadata; the leader stops counting followers
    // that have not caught up for replica.lag.time.max.ms. Wait that long once (bounded, 2.5 s).
    await sleep(LAG_MS + 500)

    // Bounded client: 2 retries, so the broker's answer is what the producer reports.
    const strict = ['-X', 'retries=2', '-X', 'request.timeout.ms=5000', '-X', 'delivery.timeout.ms=8000']
    const all = await run(['produce', 'misr', '-p', '0', '-a', 'all', '--sync', ...strict, ...boot([s])], 'rejected-1\n')
    assert.notEqual(all.code, 0, all.stdout)
    assert.match(all.stderr, /NOT_ENOUGH_REPLICAS/)
    assert.match(all.stderr, /min\.isr requirement of 2/)

    const one = await run(['produce', 'misr', '-p', '0', '-a', '1', '--sync', ...boot([s])], 'acks-one\n')
    assert.equal(one.code, 0, one.stderr)
    assert.match(one.stdout, /misr-0@1\b/)

    const kcatExpected: string[] = []
    if (!haveKcat()) {
      t.diagnostic('kcat not installed: kcat part skipped')
    } else {
      const k = await runKcat(listener(s), ['-P', '-t', 'misr', '-p', '0', '-X', 'acks=all', '-X', 'message.send.max.retries=0',
        '-X', 'message.timeout.ms=5000'], 'rejected-kcat\n', 20_000)
      assert.match(k.stderr, /Not enough in-sync replicas|NOT_ENOUGH_REPLICAS/i, `kcat acks=all: code ${k.code} ${k.stderr}`)
      t.diagnostic(`kcat acks=all (exit ${k.code}): ${k.stderr.trim().split('\n').filter((l) => /in-sync|REPLICAS/i.test(l))[0]}`)
      const k1 = await runKcat(listener(s), ['-P', '-t', 'misr', '-p', '0', '-X', 'acks=1', '-X', 'message.timeout.ms=5000'], 'kcat-acks-one\n', 20_000)
      assert.equal(k1.code, 0, k1.stderr)
      assert.doesNotMatch(k1.stderr, /fail|error/i)
      kcatExpected.push('kcat-acks-one')
    }

    // Bring the two nodes back: the acks=1 records survive on every replica, the rejected ones were never written.
    for (const d of dead) await ok(['node', 'restart', String(d), '--data-dir', dir])
    await healthy()
    const back = await fullIsr('misr', [0, 1, 2])
    assert.equal(back[0].leader, s)
    for (const d of dead) {
      assert.deepEqual(await consumeAll('misr', [d], 0), ['healthy', 'acks-one', ...kcatExpected], `read through node ${d}`)
    }
  })

  it('point 4b: an out-of-sync replica is elected only with unclean.leader.election.enable or leader elect --type unclean', async () => {
    await healthy()
    const ids = [0, 1, 2]
    await ok(['topic', 'create', 'uc-off', '-p', '3', '-r', '2', ...boot(ids)])
    // Six partitions of RF2 over three brokers hold every ordered pair of brokers, whatever the placement's start.
    await ok(['topic', 'create', 'uc-on', '-p', '6', '-r', '2', '-c', 'unclean.leader.election.enable=true', ...boot(ids)])
    const off = (await fullIsr('uc-off', ids))[0]
    const [a, b] = off.replicas
    const c = ids.find((i) => i !== a && i !== b)!
    assert.equal(off.leader, a)
    // The partition of uc-on with the same replicas in the same order.
    const on = (await fullIsr('uc-on', ids)).find((p) => p.replicas[0] === a && p.replicas[1] === b)
    assert.ok(on, `uc-on has a partition on [${a},${b}]`)
    assert.equal(on.leader, a)
    const offP = off.partition
    const onP = on.partition
    await ok(['produce', 'uc-off', '-p', String(offP), '-a', 'all', ...boot(ids)], 'in-sync\n')
    await ok(['produce', 'uc-on', '-p', String(onP), '-a', 'all', ...boot(ids)], 'in-sync\n')

    // b goes away; a and c keep the controller quorum, so b leaves both ISRs.
    await ok(['node', 'stop', String(b), '--data-dir', dir])
    const live = [a, c]
    await until(`node ${b} out of both ISRs`, 15_000, async () => {
      const p1 = (await partition('uc-off', live, offP))
      const p2 = (await partition('uc-on', live, onP))
      return {done: p1.isr.join() === String(a) && p2.isr.join() === String(a) ? true : undefined, seen: [p1, p2]}
    })
    // Records only a has: b is now out of sync.
    await ok(['produce', 'uc-off', '-p', String(offP), '-a', 'all', ...boot(live)], 'only-on-a-1\nonly-on-a-2\n')
    await ok(['produce', 'uc-on', '-p', String(onP), '-a', 'all', ...boot(live)], 'only-on-a-1\nonly-on-a-2\n')

    // a dies; b comes back (b and c form the quorum again) and the controller fences a.
    await ok(['node', 'kill', String(a), '--data-dir', dir])
    await ok(['node', 'restart', String(b), '--data-dir', dir])
    const survivors = [b, c]
    // With the topic setting, the controller elects the out-of-sync b by itself once a is fenced.
    const onAfter = await until(`uc-on-${onP} led by ${b} (unclean allowed)`, 20_000, async () => {
      const p = (await partition('uc-on', survivors, onP))
      return {done: p.leader === b ? p : undefined, seen: p}
    })
    assert.deepEqual(onAfter.isr, [b])
    // Without it, the partition whose only ISR member is dead stays offline.
    for (let i = 0; i < 2; i++) {
      const p = (await partition('uc-off', survivors, offP))
      assert.equal(p.leader, -1, `uc-off-${offP} must stay offline: ${JSON.stringify(p)}`)
      assert.ok(p.marks.includes('offline'), JSON.stringify(p))
      if (i === 0) await sleep(1500)
    }
    const unavailable = await ok(['topic', 'describe', 'uc-off', '--unavailable', ...boot(survivors)])
    assert.match(unavailable.stdout, new RegExp(`^uc-off\\t${offP}\\t`, 'm'))
    // A preferred election cannot help (a is dead) ...
    const pref = await run(['leader', 'elect', '--type', 'preferred', '--topic', 'uc-off', '--partition', String(offP), ...boot(survivors)])
    assert.equal(pref.code, 1, pref.stdout + pref.stderr)
    assert.equal((await partition('uc-off', survivors, offP)).leader, -1)
    // ... an unclean one does.
    const r = await ok(['leader', 'elect', '--type', 'unclean', '--topic', 'uc-off', '--partition', String(offP), '--json', ...boot(survivors)])
    const doc = JSON.parse(r.stdout)
    assert.equal(doc.type, 'unclean')
    assert.equal(doc.partitions.length, 1)
    assert.deepEqual([doc.partitions[0].topic, doc.partitions[0].partition, doc.partitions[0].leaderBefore, doc.partitions[0].leaderAfter,
      doc.partitions[0].outcome, doc.partitions[0].ok], ['uc-off', offP, -1, b, 'elected', true])
    const offAfter = (await partition('uc-off', survivors, offP))
    assert.equal(offAfter.leader, b)
    assert.deepEqual(offAfter.isr, [b])
    // The price of an unclean election: what only a had is gone from the new leader.
    assert.deepEqual(await consumeAll('uc-off', survivors, offP), ['in-sync'])
    assert.deepEqual(await consumeAll('uc-on', survivors, onP), ['in-sync'])
  })
})
