/** Public surface of the protocol layer. */
export * from './schema.js'
export * from './errors.js'
export {Reader} from './reader.js'
export {Writer, uvarintSize} from './writer.js'
export {parseVersions, inVersions} from './versions.js'
export {getCodec, compileMessage, codecSource, type MessageCodec, type Direction} from './compiler.js'
export * from './messages.js'
export {API_SCHEMAS, getApiSchema} from './apis/index.js'
