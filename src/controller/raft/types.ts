/**
 * The contract between the Raft quorum (KafkaRaftClient, src/controller/raft) and its users: the
 * QuorumController writes through it on the active controller, and every node's metadata replay
 * reads committed batches from it. Record values are KRaft metadata records (broker/metadata/records.ts);
 * Raft's own control records (LeaderChange, snapshot markers) never reach a listener.
 */

/** One committed batch of metadata record values, delivered in log order on every node. */
export interface CommittedBatch {
  baseOffset: bigint
  lastOffset: bigint
  /** The Raft epoch (leader epoch) the batch was written in. */
  epoch: number
  /** Record values, in offset order. */
  records: Buffer[]
}

/** Leadership as this node currently sees it. leaderId -1: unknown (an election is under way). */
export interface LeaderAndEpoch {
  leaderId: number
  epoch: number
}

/** What a Raft user hears. Calls come from the Raft client's serial path, one at a time. */
export interface RaftListener {
  /** A batch became committed (high watermark passed its last offset). Replayed from offset 0 at start-up. */
  onCommit(batch: CommittedBatch): void
  /**
   * This node became leader of `epoch` and every batch committed before the epoch began has been
   * delivered through onCommit: the controller may now write.
   */
  onBecomeLeader(epoch: number): void
  /** Leadership moved (or became unknown); called on every node, the old leader included. */
  onLeaderChange(leader: LeaderAndEpoch): void
}

/** One voter's replication state (DescribeQuorum, `samsa cluster status`). */
export interface VoterState {
  nodeId: number
  logEndOffset: bigint
  /** ms since epoch of the voter's last fetch seen by the leader; -1 unknown. */
  lastFetchTimestamp: number
  lastCaughtUpTimestamp: number
}

/** The quorum as the leader reports it. */
export interface QuorumState {
  leaderId: number
  leaderEpoch: number
  highWatermark: bigint
  voters: VoterState[]
}

/** The Raft client as its users see it. */
export interface RaftClientApi {
  readonly nodeId: number
  leaderAndEpoch(): LeaderAndEpoch
  isLeader(): boolean
  /** Adds a listener; committed batches already delivered are replayed to it first. */
  register(listener: RaftListener): void
  /**
   * Leader only: appends the values as one batch of the current epoch and resolves with its last
   * offset once committed. Rejects with KafkaError NOT_CONTROLLER when this node is not the leader,
   * or loses leadership before the batch commits.
   */
  appendAndCommit(values: Buffer[]): Promise<bigint>
  /** The quorum's state (accurate on the leader; a follower reports what it knows). */
  describeQuorum(): QuorumState
  /** Graceful resignation (EndQuorumEpoch) before the node stops; then closes. */
  shutdown(): Promise<void>
}
