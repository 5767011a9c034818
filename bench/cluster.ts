/**
 * Replication benchmark: produce throughput into a local 3-node cluster (`samsa cluster start --nodes 3`,
 * a topic of 6 partitions with replication factor 3, acks=all: every record is on three disks before it
 * is acknowledged) next to a single node (`samsa broker start`, 6 partitions, acks=1), in one run, with
 * the same clients: `samsa perf produce` and kcat, 1,000,000 records of 100 bytes, R rounds alternating.
 * Reports both rates per client and the ratio cluster/single; every run is checked (the partitions'
 * high watermarks add up). Figures go to bench/results/cluster.json.
 *
 * Usage: node dist/bench/cluster.js [--records N] [--size BYTES] [--rounds R]
 */
import {spawnSync} from 'node:child_process'
import {rmSync} from 'node:fs'
import {join} from 'node:path'
import {portFree} from '../src/cluster/node-process.js'
import {arg, countRecords, dropNodeStartupExtras, median, runClient, samsaBin, startSamsaBroker, stopProcess, writeResult, prepareBench, runBench} from './common.js'

const records = arg('records', 1_000_000)
const size = arg('size', 100)
const rounds = arg('rounds', 3)
const partitions = 6
const NODES = 3

/** Runs the samsa binary to completion; throws with its stderr on failure. */
function samsa(args: string[], timeoutMs = 60_000): string {
  const res = spawnSync(process.execPath, [samsaBin, ...args], {encoding: 'utf8', timeout: timeoutMs})
  if (res.status !== 0) throw new Error(`samsa ${args.join(' ')} failed (${res.status}): ${res.stderr}`)
  return res.stdout
}

/** A base port with NODES free ports after it. */
async function freeBasePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 20000)
    let ok = true
    for (let i = 0; i < NODES && ok; i++) ok = await portFree('127.0.0.1', base + i)
    if (ok) return base
  }
  throw new Error('no free port range found')
}

/** One client run of `records` into `topic`; returns the wall-clock rate. */
async function produce(client: 'samsa' | 'kcat', bootstrap: string, topic: string, acks: string, input: string): Promise<number> {
  const run = client === 'samsa'
    ? await runClient(process.execPath, [samsaBin, 'perf', 'produce', '-b', bootstrap, '--topic', topic, '--num-records', String(records),
      '--record-size', String(size), '--acks', acks, '--batch-size', '1000000', '--linger-ms', '5', '--json'])
    : await runClient('kcat', ['-P', '-b', bootstrap, '-t', topic, '-X', `acks=${acks}`], {stdinFile: input})
  const stored = countRecords(bootstrap, topic, partitions)
  if (stored !== records) throw new Error(`${client} into ${topic}: ${stored} records stored, expected ${records}`)
  return Math.round(records / run.wallMs * 1000)
}

async function main(): Promise<void> {
  dropNodeStartupExtras()
  const {work, input} = await prepareBench('cluster', records, size)
  const single = await startSamsaBroker(join(work, 'single'), [])
  const clusterDir = join(work, 'cluster')
  const base = await freeBasePort()
  samsa(['cluster', 'start', '--nodes', String(NODES), '--data-dir', clusterDir, '--base-port', String(base), '--detach'])
  const clusterBootstrap = Array.from({length: NODES}, (_, i) => `127.0.0.1:${base + i}`).join(',')
  const rates: Record<string, number[]> = {'samsa-single': [], 'samsa-cluster': [], 'kcat-single': [], 'kcat-cluster': []}
  try {
    for (let r = 0; r < rounds; r++) {
      for (const client of ['samsa', 'kcat'] as const) {
        const topic = `bench-${client}-${r}`
        samsa(['topic', 'create', topic, '-b', single.bootstrap, '-p', String(partitions), '-r', '1'])
        samsa(['topic', 'create', topic, '-b', clusterBootstrap, '-p', String(partitions), '-r', String(NODES)])
        const one = await produce(client, single.bootstrap, topic, '1', input)
        const three = await produce(client, clusterBootstrap, topic, 'all', input)
        rates[`${client}-single`].push(one)
        rates[`${client}-cluster`].push(three)
        console.log(`round ${r + 1} ${client}: single node acks=1 ${one} records/s, 3 nodes RF3 acks=all ${three} records/s, ratio ${(three / one).toFixed(3)}`)
      }
    }
  } finally {
    await stopProcess(single.child)
    spawnSync(process.execPath, [samsaBin, 'cluster', 'stop', '--data-dir', clusterDir], {timeout: 60_000})
  }
  const m = (k: string): number => median(rates[k])
  const result = {
    benchmark: 'cluster', date: new Date().toISOString(), records, recordBytes: size, partitions, rounds, nodes: NODES,
    singleNode: {acks: 1, replicationFactor: 1}, cluster: {acks: 'all', replicationFactor: NODES},
    recordsPerSec: {samsaSingle: m('samsa-single'), samsaCluster: m('samsa-cluster'), kcatSingle: m('kcat-single'), kcatCluster: m('kcat-cluster')},
    ratioClusterToSingle: {samsa: Number((m('samsa-cluster') / m('samsa-single')).toFixed(3)), kcat: Number((m('kcat-cluster') / m('kcat-single')).toFixed(3))},
    perRound: rates,
  }
  console.log(`median, samsa perf produce: single ${result.recordsPerSec.samsaSingle}/s, cluster ${result.recordsPerSec.samsaCluster}/s, ratio ${result.ratioClusterToSingle.samsa}`)
  console.log(`median, kcat: single ${result.recordsPerSec.kcatSingle}/s, cluster ${result.recordsPerSec.kcatCluster}/s, ratio ${result.ratioClusterToSingle.kcat}`)
  writeResult('cluster', result)
  rmSync(work, {recursive: true, force: true})
}

runBench(main)
