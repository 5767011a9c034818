/**
 * Raft's own control records in the metadata log. A new leader starts its epoch with a LeaderChange
 * control batch (control record key type 2, as KRaft writes it), so that every epoch owns at least one
 * offset and committing it commits everything before it. Listeners never see control batches.
 */
import {encodeRecordBatch} from '../../records/index.js'

/** Control record type of KRaft's LeaderChangeMessage. */
export const LEADER_CHANGE_TYPE = 2

/** The control record key: version 0, type. */
function controlKey(type: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeInt16BE(0, 0)
  b.writeInt16BE(type, 2)
  return b
}

/** An unsigned varint (the compact array lengths of a flexible message). */
function uvarint(n: number): number[] {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80)
    n >>>= 7
  }
  out.push(n)
  return out
}

/** A compact array of Voter structs (VoterId int32, no tagged fields). */
function voterArray(ids: number[]): Buffer {
  const parts: Buffer[] = [Buffer.from(uvarint(ids.length + 1))]
  for (const id of ids) {
    const b = Buffer.alloc(5)
    b.writeInt32BE(id, 0)
    b[4] = 0
    parts.push(b)
  }
  return Buffer.concat(parts)
}

/** LeaderChangeMessage v0 (flexible): Version int16, LeaderId int32, Voters, GrantingVoters, tagged fields. */
export function encodeLeaderChangeValue(leaderId: number, voters: number[], grantingVoters: number[]): Buffer {
  const head = Buffer.alloc(6)
  head.writeInt16BE(0, 0)
  head.writeInt32BE(leaderId, 2)
  return Buffer.concat([head, voterArray(voters), voterArray(grantingVoters), Buffer.from([0])])
}

/** The LeaderChange control batch a leader appends first in its epoch (the log assigns its offset). */
export function leaderChangeBatch(epoch: number, leaderId: number, voters: number[], grantingVoters: number[], now: number): Buffer {
  return encodeRecordBatch({
    isControl: true,
    partitionLeaderEpoch: epoch,
    records: [{key: controlKey(LEADER_CHANGE_TYPE), value: encodeLeaderChangeValue(leaderId, voters, grantingVoters), timestamp: now}],
  })
}

/** Reads the leader id back from a LeaderChange value (tests, `log dump`); null when malformed. */
export function decodeLeaderChangeLeaderId(value: Buffer): number | null {
  return value.length >= 6 ? value.readInt32BE(2) : null
}
