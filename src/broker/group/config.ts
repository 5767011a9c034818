/** The group coordinator's settings, from Kafka's broker config names. */

/** Settings the coordinator uses (milliseconds unless named otherwise). */
export interface GroupConfig {
  /** group.initial.rebalance.delay.ms: the first rebalance of an empty group waits this long for more members. */
  initialRebalanceDelayMs: number
  /** group.min/max.session.timeout.ms: the session timeouts a member may ask for. */
  minSessionTimeoutMs: number
  maxSessionTimeoutMs: number
  /** group.max.size. */
  maxGroupSize: number
  /** offsets.retention.minutes, in ms: offsets of an empty group are kept this long. */
  offsetsRetentionMs: number
  /** offsets.retention.check.interval.ms. */
  retentionCheckIntervalMs: number
  /** offset.metadata.max.bytes: longest metadata string a commit may carry. */
  offsetMetadataMaxBytes: number
  /** How long a new member waiting for its first join response may stay silent (KIP-394; Kafka: 5 minutes). */
  newMemberJoinTimeoutMs: number
}

function num(props: Record<string, string>, name: string, dflt: number): number {
  const n = Number(props[name])
  return props[name] !== undefined && Number.isFinite(n) ? n : dflt
}

/** The coordinator settings of a broker config (Kafka's defaults for what is not set). */
export function groupConfigFromProps(props: Record<string, string>): GroupConfig {
  return {
    initialRebalanceDelayMs: num(props, 'group.initial.rebalance.delay.ms', 3000),
    minSessionTimeoutMs: num(props, 'group.min.session.timeout.ms', 6000),
    maxSessionTimeoutMs: num(props, 'group.max.session.timeout.ms', 1800000),
    maxGroupSize: num(props, 'group.max.size', 2147483647),
    offsetsRetentionMs: num(props, 'offsets.retention.minutes', 10080) * 60_000,
    retentionCheckIntervalMs: num(props, 'offsets.retention.check.interval.ms', 600000),
    offsetMetadataMaxBytes: num(props, 'offset.metadata.max.bytes', 4096),
    newMemberJoinTimeoutMs: 300_000,
  }
}
