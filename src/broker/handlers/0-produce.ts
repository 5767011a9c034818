/**
 * Produce (0): advertised v0-9, implemented v3-9. Each partition carries exactly one v2 record
 * batch, which is validated (size, magic, CRC-32C, record framing) and appended as is: the log
 * stamps offsets (and LogAppendTime when the topic asks for it) into the header in place.
 * v0-2 (old message formats) get UNSUPPORTED_VERSION for every partition, as Kafka 4 answers.
 * acks=0 gets no response; a failure then closes the connection, the only signal such a producer sees.
 * Idempotent batches (producerId >= 0) are checked by the log's producer state: a retry of one of the
 * producer's last five batches answers NONE with the original base offset (and, as Kafka, the original
 * batch's timestamp as log_append_time) without appending; a sequence gap or a stale epoch fails the
 * partition with OUT_OF_ORDER_SEQUENCE_NUMBER or INVALID_PRODUCER_EPOCH. Transactions are not supported,
 * so transactional batches fail with INVALID_TXN_STATE.
 * Only the partition's leader appends (else NOT_LEADER_OR_FOLLOWER, or LEADER_NOT_AVAILABLE while it is
 * offline), stamping its leader epoch into the batch. acks=all first needs min.insync.replicas in the
 * ISR (NOT_ENOUGH_REPLICAS), then waits in the purgatory until the high watermark passes the batch
 * (REQUEST_TIMED_OUT after timeoutMs, NOT_LEADER_OR_FOLLOWER when leadership moved meanwhile,
 * NOT_ENOUGH_REPLICAS_AFTER_APPEND when it got there because the ISR shrank below min.insync.replicas).
 * The handler must not keep a reference to the request's record bytes after it returns synchronously:
 * the socket server reuses the buffer of produce frames (see transientFrame in broker.ts).
 */
import {ErrorCode, KafkaError} from '../../protocol/index.js'
import {validateBatch, iterateBatches} from '../../records/index.js'
import {compactedBatchProblem, isCompacted} from '../../storage/index.js'
import type {BrokerContext, CoreBrokerContext} from '../context.js'
import type {Partition} from '../partition.js'
import {CloseConnectionError} from '../socket-server.js'
import {NO_RESPONSE, type Handler, type RequestContext} from './types.js'

/** First version that carries record batch v2. */
const FIRST_IMPLEMENTED = 3

interface PartitionResult {
  index: number; errorCode: number; baseOffset: bigint; logAppendTimeMs: bigint; logStartOffset: bigint
  recordErrors: never[]; errorMessage: string | null
}

/** An acks=all append waiting for the high watermark to reach `offset` under leader epoch `epoch`. */
interface Pending { result: PartitionResult; partition: Partition; offset: bigint; epoch: number; minIsr: number }

function failed(index: number, errorCode: number, errorMessage: string | null = null): PartitionResult {
  return {index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: [], errorMessage}
}

/** Validates and appends one partition's records; an acks=all append that must wait is added to `pending`. */
function appendPartition(broker: CoreBrokerContext, topic: string, index: number, records: Buffer | null, acks: number,
  pending: Pending[]): PartitionResult {
  const config = broker.replicaManager.logConfig(topic)
  const partition = config && broker.replicaManager.partition(topic, index)
  if (!config || !partition) {
    const known = broker.metadata.topic(topic)?.partitions[index] !== undefined
    return known ? failed(index, ErrorCode.NOT_LEADER_OR_FOLLOWER, `This server does not host ${topic}-${index}.`)
      : failed(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `This server does not host ${topic}-${index}.`)
  }
  const notLeader = partition.leaderCheck(-1)
  if (notLeader !== ErrorCode.NONE) return failed(index, notLeader, `This server is not the leader of ${topic}-${index}.`)
  const log = partition.log
  if (records === null || records.length === 0) return failed(index, ErrorCode.INVALID_RECORD, 'Produce requests must carry one record batch.')
  if (records.length > config.maxMessageBytes) {
    return failed(index, ErrorCode.MESSAGE_TOO_LARGE,
      `The batch of ${records.length} bytes is larger than max.message.bytes (${config.maxMessageBytes}).`)
  }
  const v = validateBatch(records, 0, records.length)
  if (!v.ok) {
    // Several whole, valid batches are not corrupt, just not allowed since v3: say so precisely.
    if (v.errorCode === ErrorCode.CORRUPT_MESSAGE && countBatches(records) > 1) {
      return failed(index, ErrorCode.INVALID_RECORD, 'Produce requests v3+ must carry exactly one record batch per partition.')
    }
    return failed(index, v.errorCode, v.reason)
  }
  if (v.header.isTransactional) {
    return failed(index, ErrorCode.INVALID_TXN_STATE, 'This broker does not support transactions; transactional batches are refused.')
  }
  if (isCompacted(config)) {
    // Compaction keeps the last record per key, so a record without one has no place there (Kafka's rule).
    const problem = compactedBatchProblem(records, 0, records.length)
    if (problem !== null) return failed(index, ErrorCode.INVALID_RECORD, problem)
  }
  const minIsr = acks === -1 ? broker.replicaManager.minInsyncReplicas(topic) : 0
  if (acks === -1) {
    const live = partition.liveIsr(broker.replicaManager.lagTimeMs)
    if (live.length < minIsr) {
      const stale = partition.isr.length > live.length ? ` (of ISR [${partition.isr.join(',')}], only these are caught up)` : ''
      return failed(index, ErrorCode.NOT_ENOUGH_REPLICAS,
        `The size of the current ISR [${live.join(',')}]${stale} is insufficient to satisfy the min.isr requirement of ${minIsr} for partition ${topic}-${index}.`)
    }
  }
  const leaderEpoch = partition.leaderEpoch
  const appendTime = config.messageTimestampType === 'LogAppendTime' ? BigInt(Date.now()) : null
  try {
    const r = log.append(records, {logAppendTime: appendTime, leaderEpoch})
    const result: PartitionResult = {
      index, errorCode: ErrorCode.NONE, baseOffset: r.firstOffset,
      logAppendTimeMs: r.duplicate ? r.logAppendTime : appendTime === null ? -1n : r.logAppendTime,
      logStartOffset: log.logStartOffset, recordErrors: [], errorMessage: null,
    }
    if (acks === -1 && log.highWatermark <= r.lastOffset) pending.push({result, partition, offset: r.lastOffset + 1n, epoch: leaderEpoch, minIsr})
    return result
  } catch (err) {
    if (err instanceof KafkaError) return failed(index, err.code, err.message)
    broker.logger('error', `append to ${topic}-${index} failed: ${(err as Error).message}`)
    return failed(index, ErrorCode.KAFKA_STORAGE_ERROR, 'The append failed on disk.')
  }
}

/** Whole batches the buffer splits into (used only to word an error). */
function countBatches(buf: Buffer): number {
  let n = 0
  let covered = 0
  for (const b of iterateBatches(buf)) {
    n++
    covered = b.pos + b.size
  }
  return covered === buf.length ? n : 0
}

export const produceHandler: Handler = {
  apiKey: 0,
  minVersion: FIRST_IMPLEMENTED,
  maxVersion: 9,
  advertisedMinVersion: 0,
  handle(b: BrokerContext, req: any, ctx: RequestContext) {
    const broker = b as CoreBrokerContext
    const version = ctx.header.apiVersion
    const acks: number = req.acks
    let anyError = false
    const badAcks = acks !== 0 && acks !== 1 && acks !== -1
    const pending: Pending[] = []
    const responses = (req.topicData as {name: string; partitionData: {index: number; records: Buffer | null}[]}[]).map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => {
        let r: PartitionResult
        if (version < FIRST_IMPLEMENTED) r = failed(p.index, ErrorCode.UNSUPPORTED_VERSION, 'Produce v0-2 (message format v0/v1) is not supported.')
        else if (badAcks) r = failed(p.index, ErrorCode.INVALID_REQUIRED_ACKS)
        else r = appendPartition(broker, t.name, p.index, p.records, acks, pending)
        if (r.errorCode !== ErrorCode.NONE) anyError = true
        return r
      }),
    }))
    if (acks === 0) {
      if (anyError) throw new CloseConnectionError('a produce request with acks=0 failed')
      return NO_RESPONSE
    }
    if (pending.length === 0) return {responses, throttleTimeMs: 0}
    return broker.purgatory.park(pending.map((w) => w.partition), Math.max(0, req.timeoutMs),
      () => pending.every((w) => replicated(w) || moved(w)),
      () => {
        for (const w of pending) {
          if (replicated(w)) {
            // Kafka's checkEnoughReplicasReachOffset: the high watermark got there only because the ISR
            // shrank below min.insync.replicas meanwhile. The records stay written; the producer is told.
            if (w.partition.isr.length < w.minIsr) {
              Object.assign(w.result, failed(w.result.index, ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
                `The write is in the log, but the ISR [${w.partition.isr.join(',')}] shrank below min.isr ${w.minIsr} before it was replicated.`))
            }
            continue
          }
          Object.assign(w.result, moved(w)
            ? failed(w.result.index, ErrorCode.NOT_LEADER_OR_FOLLOWER, 'Leadership moved before the write was replicated.')
            : failed(w.result.index, ErrorCode.REQUEST_TIMED_OUT, 'The ISR did not replicate the write within timeoutMs.'))
        }
        return {responses, throttleTimeMs: 0}
      }, 'hw')
  },
}

function replicated(w: Pending): boolean {
  return w.partition.isLeader && w.partition.leaderEpoch === w.epoch && w.partition.log.highWatermark >= w.offset
}

function moved(w: Pending): boolean {
  return !w.partition.isLeader || w.partition.leaderEpoch !== w.epoch
}
