import type {ApiSchema} from '../schema.js'

/** DescribeGroups (15): state, protocol and members of consumer groups. */
export const describeGroupsApi: ApiSchema = {
  apiKey: 15,
  name: 'DescribeGroups',
  validVersions: '0-5',
  flexibleVersions: '5+',
  request: {
    fields: [
      {name: 'groups', type: '[]string', versions: '0+'},
      {name: 'includeAuthorizedOperations', type: 'bool', versions: '3+'},
    ],
  },
  response: {
    fields: [
      {name: 'throttleTimeMs', type: 'int32', versions: '1+'},
      {
        name: 'groups', type: '[]', versions: '0+', fields: [
          {name: 'errorCode', type: 'int16', versions: '0+'},
          {name: 'groupId', type: 'string', versions: '0+'},
          {name: 'groupState', type: 'string', versions: '0+'},
          {name: 'protocolType', type: 'string', versions: '0+'},
          {name: 'protocolData', type: 'string', versions: '0+'},
          {
            name: 'members', type: '[]', versions: '0+', fields: [
              {name: 'memberId', type: 'string', versions: '0+'},
              {name: 'groupInstanceId', type: 'string', versions: '4+', nullableVersions: '4+', default: null},
              {name: 'clientId', type: 'string', versions: '0+'},
              {name: 'clientHost', type: 'string', versions: '0+'},
              {name: 'memberMetadata', type: 'bytes', versions: '0+'},
              {name: 'memberAssignment', type: 'bytes', versions: '0+'},
            ],
          },
          // INT32_MIN means "not requested" (Kafka's sentinel for authorized operations).
          {name: 'authorizedOperations', type: 'int32', versions: '3+', default: -2147483648},
        ],
      },
    ],
  },
}
