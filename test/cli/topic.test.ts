/**
 * The topic, cluster and log-dirs commands, run as the built binary against a broker child process
 * on an ephemeral port: output, --json shapes, exit codes and one-line errors.
 */
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {removeDataDir, startBrokerProcess, type BrokerProcess} from '../helpers/broker-process.js'
import {errorLines, samsa} from './helpers.js'

let broker: BrokerProcess
let b: string[]

before(async () => {
  broker = await startBrokerProcess()
  b = ['-b', broker.bootstrap]
})

after(async () => {
  if (!broker) return
  const code = await broker.stop()
  removeDataDir(broker.dataDir)
  // `broker start` must exit 0 on SIGTERM after a clean shutdown.
  assert.equal(code, 0)
})

test('topic create, list, describe --json, alter, delete', async () => {
  const created = await samsa(['topic', 'create', 'orders', '--partitions', '2', '-c', 'retention.ms=3600000', ...b])
  assert.equal(created.code, 0, created.stderr)
  assert.equal(created.stdout.trim(), 'Created topic "orders" with 2 partitions (replication factor 1).')

  const list = await samsa(['topic', 'list', ...b])
  assert.equal(list.code, 0, list.stderr)
  assert.ok(list.stdout.split('\n').includes('orders'), list.stdout)

  const described = await samsa(['topic', 'describe', 'orders', '--json', ...b])
  assert.equal(described.code, 0, described.stderr)
  const doc = JSON.parse(described.stdout)
  assert.equal(doc.topics.length, 1)
  const t = doc.topics[0]
  assert.equal(t.name, 'orders')
  assert.equal(t.replicationFactor, 1)
  assert.deepEqual(t.configs, {'retention.ms': '3600000'})
  assert.deepEqual(t.partitions.map((p: any) => [p.partition, p.leader, p.replicas, p.isr, p.logStartOffset, p.logEndOffset]),
    [[0, 0, [0], [0], 0, 0], [1, 0, [0], [0], 0, 0]])

  // Piped (not a TTY): tab-separated rows under a header.
  const plain = await samsa(['topic', 'describe', 'orders', ...b])
  const rows = plain.stdout.trim().split('\n').map((l) => l.split('\t'))
  assert.deepEqual(rows[0], ['TOPIC', 'PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'LOG START', 'LOG END', 'OFFLINE', 'STATUS'])
  assert.deepEqual(rows.slice(1), [['orders', '0', '0', '0', '0', '0', '0', '-', 'ok'], ['orders', '1', '0', '0', '0', '0', '0', '-', 'ok']])

  const altered = await samsa(['topic', 'alter', 'orders', '--partitions', '3', '--set', 'segment.bytes=1048576', '--delete-config', 'retention.ms', ...b])
  assert.equal(altered.code, 0, altered.stderr)
  const after = JSON.parse((await samsa(['topic', 'describe', '--topic', 'orders', '--json', ...b])).stdout)
  assert.equal(after.topics[0].partitions.length, 3)
  assert.deepEqual(after.topics[0].configs, {'segment.bytes': '1048576'})

  const refused = await samsa(['topic', 'delete', 'orders', ...b])
  assert.equal(refused.code, 2)
  assert.deepEqual(errorLines(refused.stderr), ['samsa: refusing to delete without confirmation: stdin is not a terminal; pass --yes'])

  const deleted = await samsa(['topic', 'delete', 'orders', '--yes', '--json', ...b])
  assert.equal(deleted.code, 0, deleted.stderr)
  assert.deepEqual(JSON.parse(deleted.stdout), {deleted: ['orders']})
  const listJson = JSON.parse((await samsa(['topic', 'list', '--json', ...b])).stdout)
  assert.ok(!listJson.topics.some((x: any) => x.name === 'orders'))
})

test('an unknown topic fails with exit 1 and one line naming the Kafka error', async () => {
  const r = await samsa(['topic', 'describe', 'no-such-topic', ...b])
  assert.equal(r.code, 1)
  assert.equal(r.stdout, '')
  assert.deepEqual(errorLines(r.stderr), ['samsa: topic "no-such-topic" does not exist (UNKNOWN_TOPIC_OR_PARTITION)'])
})

test('creating an existing topic fails with TOPIC_ALREADY_EXISTS unless --if-not-exists', async () => {
  assert.equal((await samsa(['topic', 'create', 'twice', ...b])).code, 0)
  const again = await samsa(['topic', 'create', 'twice', ...b])
  assert.equal(again.code, 1)
  assert.deepEqual(errorLines(again.stderr), ['samsa: topic "twice" already exists (TOPIC_ALREADY_EXISTS)'])
  const ok = await samsa(['topic', 'create', 'twice', '--if-not-exists', '--json', ...b])
  assert.equal(ok.code, 0, ok.stderr)
  assert.deepEqual(JSON.parse(ok.stdout), {name: 'twice', created: false})
})

test('usage errors exit 2 with exactly one line', async () => {
  for (const args of [
    ['topic', 'create', 'x', '--partitions', 'many'],
    ['topic', 'create', 'x', '--no-such-flag'],
    ['topic', 'create'],
    ['topic', 'alter', 'x'],
    ['topic', 'list', '-X', 'not-a-pair'],
  ]) {
    const r = await samsa([...args, ...b])
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
    const lines = errorLines(r.stderr)
    assert.equal(lines.length, 1, `${args.join(' ')}: ${r.stderr}`)
    assert.match(lines[0], /^samsa: /)
  }
})

test('the bootstrap list comes from -b, then --command-config, then $SAMSA_BROKERS', async () => {
  const viaEnv = await samsa(['cluster', 'info', '--json'], {env: {SAMSA_BROKERS: broker.bootstrap}})
  assert.equal(viaEnv.code, 0, viaEnv.stderr)
  const info = JSON.parse(viaEnv.stdout)
  assert.equal(info.source, 'DescribeCluster')
  assert.deepEqual(info.brokers.map((x: any) => [x.nodeId, x.port]), [[0, broker.port]])

  const dir = mkdtempSync(join(tmpdir(), 'samsa-cli-'))
  try {
    const file = join(dir, 'client.properties')
    writeFileSync(file, `# client settings\nbootstrap.servers=${broker.bootstrap}\nclient.id=cli-test\n`)
    const viaFile = await samsa(['topic', 'list', '--command-config', file], {env: {SAMSA_BROKERS: '127.0.0.1:1'}})
    assert.equal(viaFile.code, 0, viaFile.stderr)
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }

  const unreachable = await samsa(['topic', 'list', '-b', '127.0.0.1:1'])
  assert.equal(unreachable.code, 1)
  assert.deepEqual(errorLines(unreachable.stderr), ['samsa: cannot connect to 127.0.0.1:1: ECONNREFUSED (NETWORK_EXCEPTION)'])
})

test('log dirs lists each partition with its size and offsets', async () => {
  assert.equal((await samsa(['topic', 'create', 'dirs-topic', '-p', '2', ...b])).code, 0)
  const r = await samsa(['log', 'dirs', '--topic', 'dirs-topic', '--json', ...b])
  assert.equal(r.code, 0, r.stderr)
  const doc = JSON.parse(r.stdout)
  assert.equal(doc.logDirs.length, 1)
  assert.deepEqual(doc.logDirs[0].partitions.map((p: any) => [p.topic, p.partition, p.size, p.logStartOffset, p.logEndOffset]),
    [['dirs-topic', 0, 0, 0, 0], ['dirs-topic', 1, 0, 0, 0]])
})

test('every command has --help with examples', async () => {
  for (const cmd of [['broker', 'start'], ['topic', 'create'], ['topic', 'list'], ['topic', 'describe'], ['topic', 'alter'],
    ['topic', 'delete'], ['cluster', 'info'], ['log', 'dump'], ['log', 'dirs']]) {
    const r = await samsa([...cmd, '--help'])
    assert.equal(r.code, 0, `${cmd.join(' ')}: ${r.stderr}`)
    assert.match(r.stdout, /EXAMPLES/, cmd.join(' '))
  }
})

test('log dump decodes the broker\'s __cluster_metadata records', async () => {
  assert.equal((await samsa(['topic', 'create', 'meta-visible', ...b])).code, 0)
  const r = await samsa(['log', 'dump', join(broker.dataDir, '__cluster_metadata-0', '00000000000000000000.log'), '--deep', '--json'])
  assert.equal(r.code, 0, r.stderr)
  const decoded = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((i) => i.type === 'record').map((i) => i.decoded)
  const topic = decoded.find((d) => d?.record === 'Topic' && d.name === 'meta-visible')
  assert.ok(topic, r.stdout)
  assert.ok(decoded.some((d) => d?.record === 'Partition' && d.topicId === topic.topicId && d.leader === 0))
})
