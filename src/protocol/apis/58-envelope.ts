import type {ApiSchema} from '../schema.js'

/** Envelope (58): a broker forwards a client's admin request, serialized whole, to the active controller. */
export const envelopeApi: ApiSchema = {
  apiKey: 58,
  name: 'Envelope',
  validVersions: '0',
  flexibleVersions: '0+',
  request: {fields: [
    {name: 'requestData', type: 'bytes', versions: '0+'},
    {name: 'requestPrincipal', type: 'bytes', versions: '0+', nullableVersions: '0+'},
    {name: 'clientHostAddress', type: 'bytes', versions: '0+'},
  ]},
  response: {fields: [
    {name: 'responseData', type: 'bytes', versions: '0+', nullableVersions: '0+', default: null},
    {name: 'errorCode', type: 'int16', versions: '0+'},
  ]},
}
