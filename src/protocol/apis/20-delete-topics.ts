import type {ApiSchema} from '../schema.js'

/** DeleteTopics (20): deletes topics by name, or (v6+) by name or topic id. */
export const deleteTopicsApi: ApiSchema = {
  apiKey: 20,
  name: 'DeleteTopics',
  validVersions: '0-6',
  flexibleVersions: '4+',
  request: {
    fields: [
      // v6 replaces the name list with (name | id) pairs: a null name means "use the id".
      {
        name: 'topics', type: '[]', versions: '6+', fields: [
          {name: 'name', type: 'string', versions: '6+', nullableVersions: '6+', default: null},
          {name: 'topicId', type: 'uuid', versions: '6+'},
        ],
      },
      {name: 'topicNames', type: '[]string', versions: '0-5'},
      {name: 'timeoutMs', type: 'int32', versions: '0+'},
    ],
  },
  response: {
    fields: [
      {name: 'throttleTimeMs', type: 'int32', versions: '1+'},
      {
        name: 'responses', type: '[]', versions: '0+', fields: [
          {name: 'name', type: 'string', versions: '0+', nullableVersions: '6+'},
          {name: 'topicId', type: 'uuid', versions: '6+'},
          {name: 'errorCode', type: 'int16', versions: '0+'},
          {name: 'errorMessage', type: 'string', versions: '5+', nullableVersions: '5+', default: null},
        ],
      },
    ],
  },
}
