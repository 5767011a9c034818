/**
 * AdminDriver: the request plumbing every admin operation shares (bounded retry with a metadata
 * refresh in between, the server-side timeout to put in requests, NOT_CONTROLLER detection). It is
 * separate so the per-area admin modules (topics, configs, offsets, brokers) depend on it, not on
 * AdminClient, and so the retry policy lives in exactly one place.
 */
import {Cluster, sleep} from './cluster.js'
import {ErrorCode, KafkaError} from '../protocol/index.js'

// Errors after which a metadata refresh and another attempt may succeed.
const REFRESH_ERRORS = new Set<number>([
  ErrorCode.NOT_CONTROLLER, ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NETWORK_EXCEPTION, ErrorCode.REQUEST_TIMED_OUT, ErrorCode.BROKER_NOT_AVAILABLE,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
])

/** Owns the retry policy and request timeouts of one AdminClient; only the admin modules call it. */
export class AdminDriver {
  constructor(readonly cluster: Cluster, private readonly requestTimeoutMs: number) {}

  /** The timeoutMs to send in a request that waits on the broker side (CreateTopics, ElectLeaders...). */
  serverTimeoutMs(): number {
    // Leave the broker time to answer before our own request timeout fires.
    return Math.max(1000, this.requestTimeoutMs - 5000)
  }

  /** Runs `fn`, refreshing metadata and retrying (bounded) on errors that a refresh may cure. */
  async withRetry<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn()
      } catch (err) {
        const code = err instanceof KafkaError ? err.code : undefined
        if (code === undefined || !REFRESH_ERRORS.has(code) || attempt >= this.cluster.retries) throw err
        await sleep(this.cluster.retryBackoffMs * (attempt + 1))
        await this.cluster.refreshMetadata([]).catch(() => undefined)
      }
    }
  }
}

/** Throws the first NOT_CONTROLLER-like error of a per-topic answer so withRetry can retry the request. */
export function throwIfRefreshNeeded(entries: any[] | undefined): void {
  for (const e of entries ?? []) {
    if (e.errorCode === ErrorCode.NOT_CONTROLLER) throw new KafkaError(e.errorCode, `broker is not the controller`)
  }
}
