/** Human-readable Kafka API names for error messages (the wire only carries numbers). */
const NAMES: Record<number, string> = {
  0: 'Produce', 1: 'Fetch', 2: 'ListOffsets', 3: 'Metadata', 8: 'OffsetCommit', 9: 'OffsetFetch',
  10: 'FindCoordinator', 11: 'JoinGroup', 12: 'Heartbeat', 13: 'LeaveGroup', 14: 'SyncGroup',
  15: 'DescribeGroups', 16: 'ListGroups', 17: 'SaslHandshake', 18: 'ApiVersions', 19: 'CreateTopics',
  20: 'DeleteTopics', 21: 'DeleteRecords', 22: 'InitProducerId', 23: 'OffsetForLeaderEpoch',
  24: 'AddPartitionsToTxn', 25: 'AddOffsetsToTxn', 26: 'EndTxn', 28: 'TxnOffsetCommit',
  32: 'DescribeConfigs', 33: 'AlterConfigs', 35: 'DescribeLogDirs', 36: 'SaslAuthenticate',
  37: 'CreatePartitions', 42: 'DeleteGroups', 43: 'ElectLeaders', 44: 'IncrementalAlterConfigs',
  47: 'OffsetDelete', 60: 'DescribeCluster',
}

/** Kafka's name of an API key, e.g. 3 -> "Metadata". */
export function apiName(apiKey: number): string {
  return NAMES[apiKey] ?? `ApiKey(${apiKey})`
}
