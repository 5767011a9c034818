import type {ApiSchema} from '../schema.js'

/**
 * Produce (0): a client appends record batches to partition leaders.
 * Advertised from v0 because librdkafka 2.0 stops compressing when the minimum is above 0; only
 * v3+ (record batch v2) is implemented, and v0-2 get UNSUPPORTED_VERSION per partition.
 */
export const produceApi: ApiSchema = {
  apiKey: 0,
  name: 'Produce',
  validVersions: '3-9',
  advertisedVersions: '0-9',
  flexibleVersions: '9+',
  request: {
    fields: [
      {name: 'transactionalId', type: 'string', versions: '3+', nullableVersions: '3+', default: null},
      // 0 = no response, 1 = leader only, -1 = all in-sync replicas.
      {name: 'acks', type: 'int16', versions: '0+'},
      {name: 'timeoutMs', type: 'int32', versions: '0+'},
      {
        name: 'topicData', type: '[]', versions: '0+', fields: [
          {name: 'name', type: 'string', versions: '0+'},
          {
            name: 'partitionData', type: '[]', versions: '0+', fields: [
              {name: 'index', type: 'int32', versions: '0+'},
              {name: 'records', type: 'records', versions: '0+', nullableVersions: '0+'},
            ],
          },
        ],
      },
    ],
  },
  response: {
    fields: [
      {
        name: 'responses', type: '[]', versions: '0+', fields: [
          {name: 'name', type: 'string', versions: '0+'},
          {
            name: 'partitionResponses', type: '[]', versions: '0+', fields: [
              {name: 'index', type: 'int32', versions: '0+'},
              {name: 'errorCode', type: 'int16', versions: '0+'},
              {name: 'baseOffset', type: 'int64', versions: '0+'},
              // -1 unless the topic uses LogAppendTime.
              {name: 'logAppendTimeMs', type: 'int64', versions: '2+', default: -1n},
              {name: 'logStartOffset', type: 'int64', versions: '5+', default: -1n},
              // v8+ (KIP-467): which records of the batch were rejected, and why.
              {
                name: 'recordErrors', type: '[]', versions: '8+', fields: [
                  {name: 'batchIndex', type: 'int32', versions: '8+'},
                  {name: 'batchIndexErrorMessage', type: 'string', versions: '8+', nullableVersions: '8+', default: null},
                ],
              },
              {name: 'errorMessage', type: 'string', versions: '8+', nullableVersions: '8+', default: null},
            ],
          },
        ],
      },
      {name: 'throttleTimeMs', type: 'int32', versions: '1+'},
    ],
  },
}
