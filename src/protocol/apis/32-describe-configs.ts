import type {ApiSchema} from '../schema.js'

/** DescribeConfigs (32): configuration of topics (resource type 2) and brokers (4). */
export const describeConfigsApi: ApiSchema = {
  apiKey: 32,
  name: 'DescribeConfigs',
  validVersions: '0-4',
  flexibleVersions: '4+',
  request: {
    fields: [
      {
        name: 'resources', type: '[]', versions: '0+', fields: [
          {name: 'resourceType', type: 'int8', versions: '0+'},
          {name: 'resourceName', type: 'string', versions: '0+'},
          // null = every config of the resource.
          {name: 'configurationKeys', type: '[]string', versions: '0+', nullableVersions: '0+'},
        ],
      },
      {name: 'includeSynonyms', type: 'bool', versions: '1+'},
      {name: 'includeDocumentation', type: 'bool', versions: '3+'},
    ],
  },
  response: {
    fields: [
      {name: 'throttleTimeMs', type: 'int32', versions: '0+'},
      {
        name: 'results', type: '[]', versions: '0+', fields: [
          {name: 'errorCode', type: 'int16', versions: '0+'},
          {name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+'},
          {name: 'resourceType', type: 'int8', versions: '0+'},
          {name: 'resourceName', type: 'string', versions: '0+'},
          {
            name: 'configs', type: '[]', versions: '0+', fields: [
              {name: 'name', type: 'string', versions: '0+'},
              {name: 'value', type: 'string', versions: '0+', nullableVersions: '0+'},
              {name: 'readOnly', type: 'bool', versions: '0+'},
              // v0 only: v1 replaced it with configSource.
              {name: 'isDefault', type: 'bool', versions: '0-0'},
              {name: 'configSource', type: 'int8', versions: '1+', default: -1},
              {name: 'isSensitive', type: 'bool', versions: '0+'},
              {
                name: 'synonyms', type: '[]', versions: '1+', fields: [
                  {name: 'name', type: 'string', versions: '1+'},
                  {name: 'value', type: 'string', versions: '1+', nullableVersions: '0+'},
                  {name: 'source', type: 'int8', versions: '1+'},
                ],
              },
              {name: 'configType', type: 'int8', versions: '3+'},
              {name: 'documentation', type: 'string', versions: '3+', nullableVersions: '0+', default: null},
            ],
          },
        ],
      },
    ],
  },
}
