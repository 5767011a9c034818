import type {ApiSchema} from '../schema.js'

/** JoinGroup (11): a member joins (or rejoins) a consumer group and learns the leader and generation. */
export const joinGroupApi: ApiSchema = {
  apiKey: 11,
  name: 'JoinGroup',
  validVersions: '0-7',
  flexibleVersions: '6+',
  request: {
    fields: [
      {name: 'groupId', type: 'string', versions: '0+'},
      {name: 'sessionTimeoutMs', type: 'int32', versions: '0+'},
      // v0 has no rebalance timeout: the coordinator then uses the session timeout.
      {name: 'rebalanceTimeoutMs', type: 'int32', versions: '1+', default: -1},
      {name: 'memberId', type: 'string', versions: '0+'},
      {name: 'groupInstanceId', type: 'string', versions: '5+', nullableVersions: '5+', default: null},
      {name: 'protocolType', type: 'string', versions: '0+'},
      {
        name: 'protocols', type: '[]', versions: '0+', fields: [
          {name: 'name', type: 'string', versions: '0+'},
          {name: 'metadata', type: 'bytes', versions: '0+'},
        ],
      },
    ],
  },
  response: {
    fields: [
      {name: 'throttleTimeMs', type: 'int32', versions: '2+'},
      {name: 'errorCode', type: 'int16', versions: '0+'},
      {name: 'generationId', type: 'int32', versions: '0+', default: -1},
      {name: 'protocolType', type: 'string', versions: '7+', nullableVersions: '7+', default: null},
      {name: 'protocolName', type: 'string', versions: '0+', nullableVersions: '7+'},
      {name: 'leader', type: 'string', versions: '0+'},
      {name: 'memberId', type: 'string', versions: '0+'},
      {
        name: 'members', type: '[]', versions: '0+', fields: [
          {name: 'memberId', type: 'string', versions: '0+'},
          {name: 'groupInstanceId', type: 'string', versions: '5+', nullableVersions: '5+', default: null},
          {name: 'metadata', type: 'bytes', versions: '0+'},
        ],
      },
    ],
  },
}
