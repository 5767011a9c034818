import type {ApiSchema} from '../schema.js'

/** SyncGroup (14): the leader hands out assignments; every member receives its own. */
export const syncGroupApi: ApiSchema = {
  apiKey: 14,
  name: 'SyncGroup',
  validVersions: '0-4',
  flexibleVersions: '4+',
  request: {
    fields: [
      {name: 'groupId', type: 'string', versions: '0+'},
      {name: 'generationId', type: 'int32', versions: '0+'},
      {name: 'memberId', type: 'string', versions: '0+'},
      {name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null},
      {
        name: 'assignments', type: '[]', versions: '0+', fields: [
          {name: 'memberId', type: 'string', versions: '0+'},
          {name: 'assignment', type: 'bytes', versions: '0+'},
        ],
      },
    ],
  },
  response: {
    fields: [
      {name: 'throttleTimeMs', type: 'int32', versions: '1+'},
      {name: 'errorCode', type: 'int16', versions: '0+'},
      {name: 'assignment', type: 'bytes', versions: '0+'},
    ],
  },
}
