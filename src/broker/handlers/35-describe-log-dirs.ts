/**
 * DescribeLogDirs (35) v0-4: samsa keeps every partition in one log dir (the node's data dir);
 * reports each hosted partition's size (offsetLag 0: there are no future replicas) and, v4+,
 * the file system's total and usable bytes.
 */
import {statfsSync} from 'node:fs'
import {resolve} from 'node:path'
import {ErrorCode} from '../../protocol/index.js'
import type {BrokerContext, TopicImage} from '../context.js'
import type {Handler, RequestContext} from './types.js'

/** Total and usable bytes of the file system holding `dir`; -1 when it cannot be asked. */
function diskSpace(dir: string): {totalBytes: bigint; usableBytes: bigint} {
  try {
    const s = statfsSync(dir, {bigint: true})
    return {totalBytes: s.blocks * s.bsize, usableBytes: s.bavail * s.bsize}
  } catch {
    return {totalBytes: -1n, usableBytes: -1n}
  }
}

/** The hosted partitions of one topic (all, or those listed), with their sizes. */
function topicEntry(broker: BrokerContext, image: TopicImage, only: number[] | null): object | null {
  const partitions: object[] = []
  for (const p of image.partitions) {
    if (only && !only.includes(p.partition)) continue
    const log = broker.replicaManager.getLog(image.name, p.partition)
    if (!log) continue
    partitions.push({partitionIndex: p.partition, partitionSize: BigInt(log.size), offsetLag: 0n, isFutureKey: false})
  }
  return partitions.length > 0 ? {name: image.name, partitions} : null
}

/** DescribeLogDirs handler. */
export const describeLogDirsHandler: Handler = {
  apiKey: 35,
  minVersion: 0,
  maxVersion: 4,
  handle(broker: BrokerContext, request: any, _ctx: RequestContext) {
    const topics: object[] = []
    if (request.topics === null) {
      for (const image of broker.metadata.topics()) {
        const e = topicEntry(broker, image, null)
        if (e) topics.push(e)
      }
    } else {
      // A topic listed twice is described once, with the union of its partitions.
      const wanted = new Map<string, number[]>()
      for (const t of request.topics as {topic: string; partitions: number[]}[]) {
        wanted.set(t.topic, [...(wanted.get(t.topic) ?? []), ...t.partitions])
      }
      for (const [name, partitions] of wanted) {
        const image = broker.metadata.topic(name)
        const e = image ? topicEntry(broker, image, partitions) : null
        if (e) topics.push(e)
      }
    }
    const {totalBytes, usableBytes} = diskSpace(broker.dataDir)
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: [{errorCode: ErrorCode.NONE, logDir: resolve(broker.dataDir), topics, totalBytes, usableBytes}],
    }
  },
}
