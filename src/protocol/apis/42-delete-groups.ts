import type {ApiSchema} from '../schema.js'

/** DeleteGroups (42): deletes empty consumer groups and their offsets. */
export const deleteGroupsApi: ApiSchema = {
  apiKey: 42,
  name: 'DeleteGroups',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: {
    fields: [
      {name: 'groupsNames', type: '[]string', versions: '0+'},
    ],
  },
  response: {
    fields: [
      {name: 'throttleTimeMs', type: 'int32', versions: '0+'},
      {
        name: 'results', type: '[]', versions: '0+', fields: [
          {name: 'groupId', type: 'string', versions: '0+'},
          {name: 'errorCode', type: 'int16', versions: '0+'},
        ],
      },
    ],
  },
}
