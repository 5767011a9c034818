/**
 * IdempotenceState (Kafka's TransactionManager, idempotence part only): the producer id and epoch
 * from InitProducerId, which every idempotent batch carries with its per-partition sequence number
 * so the broker can drop duplicates from retries and reject gaps. Owned by the Producer; read by
 * the Sender, which does not send until the state is ready, disabled or failed.
 */
import type {Cluster} from '../client/index.js'
import {sleep} from '../client/index.js'
import {ErrorCode, KafkaError, errorInfo} from '../protocol/index.js'

const INIT_PRODUCER_ID_KEY = 22

/** Where producer-id initialisation stands. */
export type IdempotenceStatus = 'disabled' | 'pending' | 'ready' | 'failed'

/** Producer id, epoch and whether batches use them. */
export class IdempotenceState {
  producerId = -1n
  producerEpoch = -1
  status: IdempotenceStatus
  /** Why initialisation failed (status 'failed'); every record then fails with it. */
  error: Error | undefined
  private started: Promise<void> | undefined

  constructor(
    enabled: boolean,
    /** enable.idempotence was set explicitly: a broker without InitProducerId is an error, not a fallback. */
    private readonly explicit: boolean,
  ) {
    this.status = enabled ? 'pending' : 'disabled'
  }

  /** True while batches carry producer id and sequence numbers. */
  get enabled(): boolean {
    return this.status === 'ready'
  }

  /** Runs InitProducerId once (retrying retriable errors until `deadlineMs` from now); never rejects. */
  init(cluster: Cluster, retryBackoffMs: number, deadlineMs: number): Promise<void> {
    if (this.status !== 'pending') return Promise.resolve()
    return (this.started ??= this.run(cluster, retryBackoffMs, Date.now() + deadlineMs))
  }

  private async run(cluster: Cluster, retryBackoffMs: number, deadline: number): Promise<void> {
    let lastError: Error | undefined
    while (Date.now() < deadline) {
      try {
        const conn = await cluster.anyConnection()
        if (!conn.supports(INIT_PRODUCER_ID_KEY)) {
          if (this.explicit) {
            this.fail(new KafkaError(ErrorCode.UNSUPPORTED_VERSION,
              `broker ${conn.address} does not support InitProducerId, which enable.idempotence=true needs; set enable.idempotence=false`))
          } else {
            // Idempotence was only the default: carry on without it, as clients do with old brokers.
            this.status = 'disabled'
          }
          return
        }
        const body = await conn.send<any>(INIT_PRODUCER_ID_KEY, {
          transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1,
        })
        if (body.errorCode === ErrorCode.NONE) {
          this.producerId = BigInt(body.producerId)
          this.producerEpoch = body.producerEpoch
          this.status = 'ready'
          return
        }
        lastError = new KafkaError(body.errorCode, `InitProducerId failed: ${errorInfo(body.errorCode).message}`)
        if (!errorInfo(body.errorCode).retriable) break
      } catch (err) {
        lastError = err as Error
        if (err instanceof KafkaError && !err.retriable && err.code !== ErrorCode.NETWORK_EXCEPTION) break
      }
      await sleep(retryBackoffMs)
    }
    const why = lastError ? lastError.message : 'timed out'
    this.fail(new KafkaError(lastError instanceof KafkaError ? lastError.code : ErrorCode.REQUEST_TIMED_OUT,
      `cannot initialise the idempotent producer: ${why}`))
  }

  private fail(err: Error): void {
    this.status = 'failed'
    this.error = err
  }
}
