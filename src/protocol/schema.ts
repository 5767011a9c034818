/**
 * The declarative message schema: one ApiSchema per API key describes every field of the request
 * and the response, and the versions in which each field exists, is nullable or is tagged.
 * The compiler (compiler.ts) turns an (api, version, direction) into an encoder and decoder once.
 *
 * Version ranges are strings as Kafka writes them: "3+", "0-4", "none".
 * Field names are the camelCase of Kafka's field names (TopicData -> topicData, ErrorCode -> errorCode).
 */

/** A primitive wire type. Arrays are written "[]" + element type; a struct element lists `fields`. */
export type PrimitiveType =
  | 'bool' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'float64'
  | 'string' | 'bytes' | 'records' | 'uuid'

/** One field of a message or of a nested struct. */
export interface FieldSchema {
  /** camelCase of Kafka's field name. */
  name: string
  /** A PrimitiveType, `[]<PrimitiveType>`, `[]` with `fields` (array of structs), or `struct` with `fields`. */
  type: string
  /** Versions in which the field is present, e.g. "0+", "3-5". */
  versions: string
  /** Versions in which the field may be null (strings, bytes, records, arrays, structs). */
  nullableVersions?: string
  /** Versions in which the field is a tagged field (then `tag` is required). */
  taggedVersions?: string
  tag?: number
  /** Value when absent from a version or a tagged field not sent; otherwise the type's zero value. */
  default?: unknown
  /** Nested fields for struct and struct-array types. */
  fields?: FieldSchema[]
}

/** A request or response message. */
export interface MessageSchema {
  fields: FieldSchema[]
}

/** Everything about one API key. */
export interface ApiSchema {
  apiKey: number
  name: string
  /** Versions implemented, e.g. "0-12". */
  validVersions: string
  /** Versions advertised in ApiVersions when different from validVersions (Produce advertises 0-9, implements 3-9). */
  advertisedVersions?: string
  /** First flexible version range, e.g. "9+", or "none". */
  flexibleVersions: string
  request: MessageSchema
  response: MessageSchema
}
