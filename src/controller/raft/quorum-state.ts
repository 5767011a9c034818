/**
 * QuorumStateStore: the `quorum-state` file in `__cluster_metadata-0`, where KRaft keeps what a voter
 * must never forget across a restart: the latest epoch it knows, the leader of that epoch, and whom it
 * voted for in it (a voter that forgot its vote could vote twice in one epoch). Written to a temp file,
 * fsynced and renamed, so a crash leaves either the old or the new state.
 */
import {closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync} from 'node:fs'
import {join} from 'node:path'

/** File name, as Kafka names it. */
export const QUORUM_STATE_FILE = 'quorum-state'

/** What is persisted. leaderId/votedId -1: none. */
export interface ElectionState {
  leaderEpoch: number
  leaderId: number
  votedId: number
  /**
   * samsa's addition: an offset known committed when the file was written. Committed entries are never
   * truncated, so a restarted node may deliver its log up to here before it hears from a leader.
   */
  committedOffset?: string
}

/** Reads and atomically writes the quorum-state file of one metadata partition directory. */
export class QuorumStateStore {
  readonly path: string

  constructor(dir: string) {
    this.path = join(dir, QUORUM_STATE_FILE)
  }

  /** The stored state; a missing or unreadable file means a fresh voter (epoch 0, no leader, no vote). */
  read(): ElectionState {
    const fresh: ElectionState = {leaderEpoch: 0, leaderId: -1, votedId: -1}
    if (!existsSync(this.path)) return fresh
    try {
      const j = JSON.parse(readFileSync(this.path, 'utf8'))
      const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : -1)
      const epoch = int(j.leaderEpoch)
      if (epoch < 0) return fresh
      const committed = typeof j.committedOffset === 'string' && /^\d+$/.test(j.committedOffset) ? j.committedOffset : undefined
      return {leaderEpoch: epoch, leaderId: int(j.leaderId), votedId: int(j.votedId), committedOffset: committed}
    } catch {
      return fresh
    }
  }

  /** Persists the state durably before returning (a vote must be on disk before it is answered). */
  write(state: ElectionState): void {
    const body = JSON.stringify({leaderId: state.leaderId, leaderEpoch: state.leaderEpoch, votedId: state.votedId,
      appliedOffset: 0, currentVoters: null, committedOffset: state.committedOffset, data_version: 0})
    const tmp = `${this.path}.tmp`
    const fd = openSync(tmp, 'w')
    try {
      writeSync(fd, body)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, this.path)
  }
}
