/**
 * BrokerLifecycleManager: this broker's membership in the cluster (Kafka's BrokerLifecycleManager).
 * It registers with the active controller (retrying until one exists), then heartbeats every
 * broker.heartbeat.interval.ms with its replayed metadata offset -- faster while fenced, so it is
 * unfenced soon after catching up -- and re-registers when the controller no longer knows its epoch.
 * controlledShutdown() asks the controller to move leadership away before the node stops.
 */
import {randomUUID} from 'node:crypto'
import {ErrorCode, KafkaError} from '../protocol/index.js'
import type {BrokerLogger} from './context.js'
import type {QuorumController, HeartbeatResult} from '../controller/quorum-controller.js'
import type {RaftClientApi} from '../controller/raft/types.js'
import {callController, type ControllerTransport} from '../controller/controller-transport.js'

/** Controlled shutdown stops trying once no controller has answered for this long. */
const CONTROLLED_SHUTDOWN_GIVE_UP_MS = 1000

export interface BrokerLifecycleOptions {
  nodeId: number; clusterId: string; raft: RaftClientApi; controller: QuorumController; transport: ControllerTransport
  /** Offset of the last metadata record this node replayed. */
  metadataOffset: () => bigint
  props: Record<string, string>; logger: BrokerLogger
}

/** Heartbeat period while fenced (waiting to be unfenced). */
const FENCED_HEARTBEAT_MS = 100

/** See the file comment. */
export class BrokerLifecycleManager {
  /** The epoch of the current registration; -1 while unregistered. */
  brokerEpoch = -1n
  /** Fenced brokers lead nothing and are in no ISR. */
  isFenced = true
  private readonly incarnationId = randomUUID()
  private endpoint: {host: string; port: number} | null = null
  private timer: NodeJS.Timeout | null = null
  private running = false
  private closed = false
  private wantShutDown = false
  private shutdownDone = false
  private unfencedWaiters: (() => void)[] = []

  constructor(private readonly o: BrokerLifecycleOptions) {}

  /** Starts registration and heartbeats for the endpoint clients and nodes reach this broker at. */
  start(host: string, port: number): void {
    this.endpoint = {host, port}
    this.schedule(0)
  }

  /** Resolves true once the controller has unfenced this broker, false after timeoutMs. */
  awaitUnfenced(timeoutMs: number): Promise<boolean> {
    if (!this.isFenced) return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs)
      this.unfencedWaiters.push(() => {
        clearTimeout(timer)
        resolve(true)
      })
    })
  }

  /** Heartbeats wantShutDown until the controller answers shouldShutDown (leadership moved), or timeoutMs passes. */
  async controlledShutdown(timeoutMs = 5000): Promise<void> {
    if (this.brokerEpoch < 0n || this.closed) return
    this.wantShutDown = true
    const deadline = Date.now() + timeoutMs
    let failingSince = -1
    for (let i = 0; i < 1000 && !this.shutdownDone && Date.now() < deadline; i++) {
      try {
        await this.heartbeatOnce(Math.max(1, Math.min(CONTROLLED_SHUTDOWN_GIVE_UP_MS, deadline - Date.now())))
        failingSince = -1
      } catch (err) {
        // When the whole cluster stops at once, the last nodes find no controller left: waiting the
        // full timeout would only delay the stop, since nobody remains to take over leadership.
        if (failingSince < 0) failingSince = Date.now()
        if (Date.now() - failingSince >= CONTROLLED_SHUTDOWN_GIVE_UP_MS) {
          this.o.logger('warn', `controlled shutdown: no active controller answers (${(err as Error).message}); stopping without it`)
          return
        }
        await new Promise((r) => setTimeout(r, 100))
      }
    }
    if (!this.shutdownDone) this.o.logger('warn', 'controlled shutdown did not complete in time; stopping anyway')
  }

  /** Stops heartbeating (the controller fences this broker after its session times out). */
  close(): void {
    this.closed = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  private schedule(ms: number): void {
    if (this.closed) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.tick(), ms)
    this.timer.unref?.()
  }

  private async tick(): Promise<void> {
    if (this.running || this.closed || this.wantShutDown) return
    this.running = true
    const interval = numberProp(this.o.props, 'broker.heartbeat.interval.ms', 2000)
    try {
      if (this.brokerEpoch < 0n) await this.register(interval * 5)
      await this.heartbeatOnce(interval * 5)
    } catch (err) {
      const code = err instanceof KafkaError ? err.code : -1
      if (code === ErrorCode.STALE_BROKER_EPOCH || code === ErrorCode.BROKER_ID_NOT_REGISTERED) this.brokerEpoch = -1n
      else this.o.logger('warn', `broker ${this.o.nodeId} heartbeat/registration failed: ${(err as Error).message}`)
    } finally {
      this.running = false
    }
    this.schedule(this.isFenced ? Math.min(FENCED_HEARTBEAT_MS, interval) : interval)
  }

  private async register(timeoutMs: number): Promise<void> {
    const {host, port} = this.endpoint!
    const rack = this.o.props['broker.rack'] ?? null
    this.brokerEpoch = await this.call((c) => c.registerBroker({brokerId: this.o.nodeId, clusterId: this.o.clusterId, incarnationId: this.incarnationId, host, port, rack}),
      async (t, id, ms) => {
        const resp = await t.send(id, 62, {brokerId: this.o.nodeId, clusterId: this.o.clusterId, incarnationId: this.incarnationId,
          listeners: [{name: 'PLAINTEXT', host, port, securityProtocol: 0}], features: [], rack}, ms)
        if (resp.errorCode) throw new KafkaError(resp.errorCode, `registration refused (${resp.errorCode})`)
        return resp.brokerEpoch as bigint
      }, timeoutMs)
    this.isFenced = true
    this.o.logger('info', `broker ${this.o.nodeId} registered with epoch ${this.brokerEpoch}`)
  }

  private async heartbeatOnce(timeoutMs: number): Promise<void> {
    const req = {brokerId: this.o.nodeId, brokerEpoch: this.brokerEpoch, currentMetadataOffset: this.o.metadataOffset(), wantFence: false, wantShutDown: this.wantShutDown}
    const res: HeartbeatResult = await this.call((c) => c.heartbeat(req), async (t, id, ms) => {
      const resp = await t.send(id, 63, req, ms)
      if (resp.errorCode) throw new KafkaError(resp.errorCode, `heartbeat refused (${resp.errorCode})`)
      return {isCaughtUp: resp.isCaughtUp, isFenced: resp.isFenced, shouldShutDown: resp.shouldShutDown}
    }, timeoutMs)
    if (this.isFenced && !res.isFenced) this.o.logger('info', `broker ${this.o.nodeId} unfenced`)
    this.isFenced = res.isFenced
    if (res.shouldShutDown) this.shutdownDone = true
    if (!this.isFenced) for (const w of this.unfencedWaiters.splice(0)) w()
  }

  private call<T>(local: (c: QuorumController) => Promise<T>, remote: (t: ControllerTransport, id: number, ms: number) => Promise<T>, timeoutMs: number): Promise<T> {
    return callController(() => this.o.raft.leaderAndEpoch().leaderId,
      (id, ms) => id === this.o.nodeId ? local(this.o.controller) : remote(this.o.transport, id, ms), timeoutMs, () => this.closed && !this.wantShutDown)
  }
}

function numberProp(props: Record<string, string>, name: string, dflt: number): number {
  const n = Number(props[name])
  return Number.isFinite(n) && n > 0 ? n : dflt
}
