/**
 * MemberMetadata: one member of a classic group -- its identity, timeouts, the protocols it
 * supports (with their metadata), its current assignment, and the pending JoinGroup/SyncGroup
 * answers that the coordinator completes when the rebalance gets that far.
 */
import type {GroupTimer} from './clock.js'

/** A protocol a member supports: name and opaque metadata (for consumers, the subscription). */
export interface MemberProtocol { name: string; metadata: Buffer }

/** What a JoinGroup request waits for. */
export interface JoinResult {
  errorCode: number
  generationId: number
  protocolType: string | null
  protocolName: string | null
  leader: string
  memberId: string
  /** Only the leader gets the members with their metadata. */
  members: {memberId: string; groupInstanceId: string | null; metadata: Buffer}[]
}

/** What a SyncGroup request waits for. */
export interface SyncResult {
  errorCode: number
  protocolType: string | null
  protocolName: string | null
  assignment: Buffer
}

export const EMPTY = Buffer.alloc(0)

/** One group member; see the file comment. */
export class MemberMetadata {
  assignment: Buffer = EMPTY
  awaitingJoin: ((r: JoinResult) => void) | null = null
  awaitingSync: ((r: SyncResult) => void) | null = null
  /** A member that joined and has not yet received a join response (KIP-394: longer expiry). */
  isNew = false
  /** Session expiry; every heartbeat (or commit) schedules it anew. */
  heartbeatTimer: GroupTimer | null = null

  constructor(
    readonly memberId: string,
    readonly groupInstanceId: string | null,
    public clientId: string,
    public clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    public protocolType: string,
    public protocols: MemberProtocol[],
  ) {}

  get isAwaitingJoin(): boolean {
    return this.awaitingJoin !== null
  }

  get isAwaitingSync(): boolean {
    return this.awaitingSync !== null
  }

  /** The metadata this member sent for `protocol` (empty when it does not support it). */
  metadataFor(protocol: string | null): Buffer {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? EMPTY
  }

  /** True when a rejoin carries exactly the same protocols and metadata (no rebalance needed). */
  matches(protocols: MemberProtocol[]): boolean {
    return protocols.length === this.protocols.length &&
      protocols.every((p, i) => p.name === this.protocols[i].name && p.metadata.equals(this.protocols[i].metadata))
  }

  /** Answers a pending JoinGroup, if any. */
  completeJoin(r: JoinResult): void {
    const cb = this.awaitingJoin
    this.awaitingJoin = null
    cb?.(r)
  }

  /** Answers a pending SyncGroup, if any. */
  completeSync(r: SyncResult): void {
    const cb = this.awaitingSync
    this.awaitingSync = null
    cb?.(r)
  }
}
