import type {ApiSchema} from '../schema.js'

/** ListGroups (16): the groups a broker coordinates; v4 can filter by state (KIP-518). */
export const listGroupsApi: ApiSchema = {
  apiKey: 16,
  name: 'ListGroups',
  validVersions: '0-4',
  flexibleVersions: '3+',
  request: {
    fields: [
      {name: 'statesFilter', type: '[]string', versions: '4+'},
    ],
  },
  response: {
    fields: [
      {name: 'throttleTimeMs', type: 'int32', versions: '1+'},
      {name: 'errorCode', type: 'int16', versions: '0+'},
      {
        name: 'groups', type: '[]', versions: '0+', fields: [
          {name: 'groupId', type: 'string', versions: '0+'},
          {name: 'protocolType', type: 'string', versions: '0+'},
          {name: 'groupState', type: 'string', versions: '4+'},
        ],
      },
    ],
  },
}
