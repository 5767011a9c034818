/**
 * How a partition's replica state reads to an operator (topic describe, leader elect): offline,
 * under-replicated (ISR smaller than the replica set), or led by a replica other than the preferred
 * one (replicas[0]); and how one ElectLeaders answer reads.
 */
import {ErrorCode, errorInfo} from '../protocol/index.js'

/** The replica fields the marks look at. */
export interface ReplicaState { leader: number; replicas: number[]; isr: number[]; offline?: number[] }

/** Marks of one partition, in a fixed order; empty when it is healthy. */
export function partitionMarks(p: ReplicaState): string[] {
  const marks: string[] = []
  if (p.leader < 0) marks.push('offline')
  if (p.isr.length < p.replicas.length) marks.push('under-replicated')
  if (p.leader >= 0 && p.replicas.length > 0 && p.leader !== p.replicas[0]) marks.push('not-preferred-leader')
  return marks
}

/** The outcome column of `leader elect` for one partition's ElectLeaders error code. */
export function electionOutcome(errorCode: number, type: 'preferred' | 'unclean', preferred: number | undefined, errorMessage?: string | null): {outcome: string; ok: boolean} {
  switch (errorCode) {
    case ErrorCode.NONE:
      return {outcome: 'elected', ok: true}
    case ErrorCode.ELECTION_NOT_NEEDED:
      return {outcome: type === 'preferred' ? 'already preferred' : 'not needed (the partition has a leader)', ok: true}
    case ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE:
      return {outcome: `not possible: preferred replica ${preferred ?? '?'} is not alive or not in the ISR`, ok: false}
    case ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE:
      return {outcome: type === 'preferred'
        ? 'not possible: no eligible leader'
        : 'not possible: no live replica to elect', ok: false}
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
      return {outcome: 'not possible: no such partition', ok: false}
    case ErrorCode.INVALID_REQUEST:
      return {outcome: `not possible: ${errorMessage || 'invalid request'}`, ok: false}
    default:
      return {outcome: `not possible: ${errorInfo(errorCode).name}${errorMessage ? `: ${errorMessage}` : ''}`, ok: false}
  }
}
