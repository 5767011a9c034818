import type {ApiSchema} from '../schema.js'

/**
 * ApiVersions (18): the first request on a connection; the broker lists each API key with the
 * version range it speaks. Its response always uses response header v0 (see messages.ts).
 */
export const apiVersionsApi: ApiSchema = {
  apiKey: 18,
  name: 'ApiVersions',
  validVersions: '0-3',
  flexibleVersions: '3+',
  request: {
    fields: [
      // v3 lets the broker log which client library connected.
      {name: 'clientSoftwareName', type: 'string', versions: '3+'},
      {name: 'clientSoftwareVersion', type: 'string', versions: '3+'},
    ],
  },
  response: {
    fields: [
      {name: 'errorCode', type: 'int16', versions: '0+'},
      {
        name: 'apiKeys', type: '[]', versions: '0+', fields: [
          {name: 'apiKey', type: 'int16', versions: '0+'},
          {name: 'minVersion', type: 'int16', versions: '0+'},
          {name: 'maxVersion', type: 'int16', versions: '0+'},
        ],
      },
      {name: 'throttleTimeMs', type: 'int32', versions: '1+'},
      // Feature flags (KIP-584) travel as tagged fields so v3 clients that ignore them still parse.
      {
        name: 'supportedFeatures', type: '[]', versions: '3+', taggedVersions: '3+', tag: 0, fields: [
          {name: 'name', type: 'string', versions: '3+'},
          {name: 'minVersion', type: 'int16', versions: '3+'},
          {name: 'maxVersion', type: 'int16', versions: '3+'},
        ],
      },
      {name: 'finalizedFeaturesEpoch', type: 'int64', versions: '3+', taggedVersions: '3+', tag: 1, default: -1n},
      {
        name: 'finalizedFeatures', type: '[]', versions: '3+', taggedVersions: '3+', tag: 2, fields: [
          {name: 'name', type: 'string', versions: '3+'},
          {name: 'maxVersionLevel', type: 'int16', versions: '3+'},
          {name: 'minVersionLevel', type: 'int16', versions: '3+'},
        ],
      },
      {name: 'zkMigrationReady', type: 'bool', versions: '3+', taggedVersions: '3+', tag: 3, default: false},
    ],
  },
}
