/**
 * Node-to-controller requests: a NodeChannel per voter (addresses from controller.quorum.voters),
 * and `callController`, which sends a request to whoever is the active controller now and retries
 * with the next one on NOT_CONTROLLER or a network failure, within one deadline.
 */
import {ErrorCode, KafkaError} from '../protocol/index.js'
import {NodeChannel, type NodeAddress} from './network/node-channel.js'

/** Sends a request to a node; injectable for tests. */
export interface ControllerTransport {
  send(nodeId: number, apiKey: number, body: object, timeoutMs: number): Promise<any>
  close(): void
}

/** clientId prefix of node-to-controller requests; the controller side recognises forwarded requests by it. */
export const FORWARD_CLIENT_PREFIX = 'samsa-node-'

/** NodeChannels to the voters, opened lazily. */
export class VoterChannels implements ControllerTransport {
  private readonly channels = new Map<number, NodeChannel>()

  constructor(private readonly voters: Map<number, NodeAddress>, private readonly nodeId: number) {}

  send(nodeId: number, apiKey: number, body: object, timeoutMs: number): Promise<any> {
    let ch = this.channels.get(nodeId)
    if (!ch) {
      const addr = this.voters.get(nodeId)
      if (!addr) return Promise.reject(new KafkaError(ErrorCode.NOT_CONTROLLER, `no address for controller ${nodeId}`))
      this.channels.set(nodeId, (ch = new NodeChannel(addr, `${FORWARD_CLIENT_PREFIX}${this.nodeId}`)))
    }
    return ch.send(apiKey, body, {timeoutMs})
  }

  close(): void {
    for (const ch of this.channels.values()) ch.close()
    this.channels.clear()
  }
}

/** Errors after which another attempt (maybe at another controller) can succeed. */
export function isRetriable(err: unknown): boolean {
  if (!(err instanceof KafkaError)) return false
  return err.code === ErrorCode.NOT_CONTROLLER || err.code === ErrorCode.NETWORK_EXCEPTION ||
    err.code === ErrorCode.REQUEST_TIMED_OUT || err.code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS
}

/**
 * Runs `attempt(controllerId)` against the current controller until it succeeds, fails for good,
 * or `timeoutMs` passes; -1 (no controller known) waits and looks again.
 */
export async function callController<T>(currentController: () => number, attempt: (controllerId: number, remainingMs: number) => Promise<T>,
  timeoutMs: number, isClosed: () => boolean = () => false): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastErr: unknown = new KafkaError(ErrorCode.NOT_CONTROLLER, 'no active controller')
  for (let tries = 0; tries < 10000 && !isClosed(); tries++) {
    const remaining = deadline - Date.now()
    if (remaining <= 0) break
    const id = currentController()
    if (id >= 0) {
      try {
        return await attempt(id, remaining)
      } catch (err) {
        if (!isRetriable(err)) throw err
        lastErr = err
      }
    }
    await new Promise((r) => setTimeout(r, Math.min(100, Math.max(1, deadline - Date.now()))))
  }
  throw lastErr instanceof KafkaError ? lastErr : new KafkaError(ErrorCode.REQUEST_TIMED_OUT, String(lastErr))
}
