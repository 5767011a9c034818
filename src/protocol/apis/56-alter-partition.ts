import type {ApiSchema} from '../schema.js'

/** AlterPartition (56): a partition leader asks the controller to change the ISR. samsa speaks v2 (topic ids). */
export const alterPartitionApi: ApiSchema = {
  apiKey: 56,
  name: 'AlterPartition',
  validVersions: '2',
  flexibleVersions: '0+',
  request: {fields: [
    {name: 'brokerId', type: 'int32', versions: '0+'},
    {name: 'brokerEpoch', type: 'int64', versions: '0+', default: -1n},
    {name: 'topics', type: '[]', versions: '0+', fields: [
      {name: 'topicId', type: 'uuid', versions: '2+'},
      {name: 'partitions', type: '[]', versions: '0+', fields: [
        {name: 'partitionIndex', type: 'int32', versions: '0+'},
        {name: 'leaderEpoch', type: 'int32', versions: '0+'},
        {name: 'newIsr', type: '[]int32', versions: '0+'},
        {name: 'leaderRecoveryState', type: 'int8', versions: '1+', default: 0},
        {name: 'partitionEpoch', type: 'int32', versions: '0+'},
      ]},
    ]},
  ]},
  response: {fields: [
    {name: 'throttleTimeMs', type: 'int32', versions: '0+'},
    {name: 'errorCode', type: 'int16', versions: '0+'},
    {name: 'topics', type: '[]', versions: '0+', fields: [
      {name: 'topicId', type: 'uuid', versions: '2+'},
      {name: 'partitions', type: '[]', versions: '0+', fields: [
        {name: 'partitionIndex', type: 'int32', versions: '0+'},
        {name: 'errorCode', type: 'int16', versions: '0+'},
        {name: 'leaderId', type: 'int32', versions: '0+'},
        {name: 'leaderEpoch', type: 'int32', versions: '0+'},
        {name: 'isr', type: '[]int32', versions: '0+'},
        {name: 'leaderRecoveryState', type: 'int8', versions: '1+', default: 0},
        {name: 'partitionEpoch', type: 'int32', versions: '0+'},
      ]},
    ]},
  ]},
}
