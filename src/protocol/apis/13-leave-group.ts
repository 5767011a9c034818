import type {ApiSchema} from '../schema.js'

/** LeaveGroup (13): members leave a group; v3+ removes a batch of members (KIP-345). */
export const leaveGroupApi: ApiSchema = {
  apiKey: 13,
  name: 'LeaveGroup',
  validVersions: '0-4',
  flexibleVersions: '4+',
  request: {
    fields: [
      {name: 'groupId', type: 'string', versions: '0+'},
      {name: 'memberId', type: 'string', versions: '0-2'},
      {
        name: 'members', type: '[]', versions: '3+', fields: [
          {name: 'memberId', type: 'string', versions: '3+'},
          {name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null},
        ],
      },
    ],
  },
  response: {
    fields: [
      {name: 'throttleTimeMs', type: 'int32', versions: '1+'},
      {name: 'errorCode', type: 'int16', versions: '0+'},
      {
        name: 'members', type: '[]', versions: '3+', fields: [
          {name: 'memberId', type: 'string', versions: '3+'},
          {name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+'},
          {name: 'errorCode', type: 'int16', versions: '3+'},
        ],
      },
    ],
  },
}
