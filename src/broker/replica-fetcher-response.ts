/**
 * The part of a Fetch v12 response a follower uses, flattened per partition. Kept apart from the
 * fetcher so the decoded shape (records as one Buffer, an array of Buffers, or null) is handled once.
 */

/** One partition of a follower's fetch answer. */
export interface FetchedPartition {
  topic: string; partition: number; errorCode: number
  highWatermark: bigint; logStartOffset: bigint
  /** Whole or partial batches as the leader sent them (a trailing partial batch is ignored by the reader). */
  records: Buffer[]
}

/** Flattens a decoded Fetch response; malformed parts become an error entry rather than an exception. */
export function decodeFollowerFetchResponse(res: any): FetchedPartition[] {
  const out: FetchedPartition[] = []
  for (const t of (res?.responses ?? []) as any[]) {
    for (const p of (t?.partitions ?? []) as any[]) {
      const raw = p.records
      const records: Buffer[] = raw == null ? [] : Array.isArray(raw) ? raw.filter((b) => Buffer.isBuffer(b)) : Buffer.isBuffer(raw) ? [raw] : []
      out.push({
        topic: String(t.topic), partition: Number(p.partitionIndex), errorCode: Number(p.errorCode),
        highWatermark: BigInt(p.highWatermark ?? -1n), logStartOffset: BigInt(p.logStartOffset ?? -1n), records,
      })
    }
  }
  return out
}
