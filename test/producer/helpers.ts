/**
 * Shared by the producer tests: read a partition back with Fetch (bounded loops), and a small TCP
 * proxy that holds the broker's answers back for a while (a slow broker).
 */
import net from 'node:net'
import {Cluster} from '../../src/client/index.js'
import {decodeRecordBatches} from '../../src/records/index.js'

/** One record read back. */
export interface ReadRecord { offset: bigint; key: Buffer | null; value: Buffer | null }

/** Reads partition `partition` of `topic` from its leader until the high watermark (at most `maxRounds` fetches). */
export async function readPartition(bootstrap: string, topic: string, partition: number, maxRounds = 10_000): Promise<ReadRecord[]> {
  const cluster = new Cluster({bootstrap})
  try {
    const leader = await cluster.leaderFor(topic, partition)
    const conn = await cluster.connectionTo(leader)
    const out: ReadRecord[] = []
    let offset = 0n
    for (let round = 0; round < maxRounds; round++) {
      const body = await conn.send<any>(1, {
        replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 16 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
        topics: [{topic, partitions: [{partition, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 16 << 20}]}],
        forgottenTopicsData: [], rackId: '',
      })
      const p = body.responses[0].partitions[0]
      if (p.errorCode !== 0) throw new Error(`fetch ${topic}-${partition}@${offset} failed with error ${p.errorCode}`)
      const records: Buffer | null = p.records
      if (records && records.length > 0) {
        for (const batch of decodeRecordBatches(records)) {
          for (const r of batch.records) {
            if (r.offset >= offset) out.push({offset: r.offset, key: r.key, value: r.value})
          }
          offset = batch.baseOffset + BigInt(batch.lastOffsetDelta) + 1n
        }
      }
      if (offset >= BigInt(p.highWatermark)) return out
    }
    throw new Error(`${topic}-${partition} not read to its end in ${maxRounds} fetches`)
  } finally {
    await cluster.close()
  }
}

/** A slow TCP proxy (see startSlowProxy). */
export interface SlowProxy { port: number; target: number; delayMs: number; close(): Promise<void> }

/**
 * A TCP proxy to 127.0.0.1:`target` that delays every chunk from the broker by `delayMs`. Both can
 * be set after start, so a broker can advertise the proxy's port.
 */
export async function startSlowProxy(delayMs: number, target = 0): Promise<SlowProxy> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    const upstream = net.connect(proxy.target, '127.0.0.1')
    sockets.add(client)
    sockets.add(upstream)
    client.on('data', (d) => upstream.write(d))
    upstream.on('data', (d) => {
      setTimeout(() => {
        if (!client.destroyed) client.write(d)
      }, proxy.delayMs)
    })
    const end = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('close', end)
    upstream.on('close', end)
    client.on('error', end)
    upstream.on('error', end)
  })
  const proxy: SlowProxy = {
    port: 0, target, delayMs,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    }),
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  proxy.port = (server.address() as net.AddressInfo).port
  return proxy
}
