// Shared by the consumer tests: kcat runs (async, so an in-process broker keeps serving), topic
// creation, bounded waiting, and draining a samsa Consumer.
import {spawn, type ChildProcess} from 'node:child_process'
import {AdminClient} from '../../src/client/index.js'
import type {Consumer, ConsumerRecord} from '../../src/consumer/index.js'

/** Broker settings that keep group tests quick. */
export const GROUP_PROPS = {'group.initial.rebalance.delay.ms': '100', 'offsets.topic.num.partitions': '3', 'num.partitions': '1'}

/** Runs kcat with stdin `input`; resolves with its output, rejects on a non-zero exit or after `timeoutMs`. */
export function kcat(bootstrap: string, args: string[], input?: string, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', ['-b', bootstrap, ...args], {stdio: ['pipe', 'pipe', 'pipe']})
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`kcat ${args.join(' ')} timed out; stderr: ${err}`))
    }, timeoutMs)
    child.once('exit', (code) => {
      clearTimeout(timer)
      if (code === 0 && !/ERROR|Failed to produce/.test(err)) resolve(out)
      else reject(new Error(`kcat ${args.join(' ')} exited ${code}: ${err}`))
    })
    child.stdin.end(input ?? '')
  })
}

/** A long-running kcat (e.g. a `-G` group member) with its output so far. */
export interface KcatProcess { child: ChildProcess; output(): string; stderr(): string; stop(): Promise<void> }

/** Starts kcat in the background; stop() sends SIGTERM (kcat then leaves its group) and waits, SIGKILL after 10 s. */
export function startKcat(bootstrap: string, args: string[]): KcatProcess {
  const child = spawn('kcat', ['-b', bootstrap, ...args], {stdio: ['ignore', 'pipe', 'pipe']})
  let out = ''
  let err = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (err += d))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    child, output: () => out, stderr: () => err,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** Creates a topic with `partitions` partitions through samsa's admin client. */
export async function createTopic(bootstrap: string, name: string, partitions: number, configs: Record<string, string> = {}): Promise<void> {
  const admin = new AdminClient({bootstrap})
  try {
    await admin.createTopics([{name, numPartitions: partitions, replicationFactor: 1, configs}])
  } finally {
    await admin.close()
  }
}

/** Polls `check` every 50 ms until it returns true; fails after `ms`. */
export async function waitFor(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`)
}

/** Polls until `count` records arrived (bounded by `ms`). */
export async function pollCount(consumer: Consumer, count: number, ms = 20_000): Promise<ConsumerRecord[]> {
  const out: ConsumerRecord[] = []
  const end = Date.now() + ms
  while (out.length < count && Date.now() < end) out.push(...await consumer.poll(Math.min(500, end - Date.now())))
  if (out.length < count) throw new Error(`got ${out.length} of ${count} records in ${ms} ms`)
  return out
}

/** A record as text: "partition:offset key=value headers". */
export function show(r: ConsumerRecord): string {
  const h = r.headers.map((x) => `${x.key}=${x.value?.toString() ?? 'null'}`).join(',')
  return `${r.partition}:${r.offset} ${r.key?.toString() ?? 'null'}=${r.value?.toString() ?? 'null'} ${h}`
}
