/** Config resources and entries as the admin client returns them (DescribeConfigs / AlterConfigs). */

/** Wire codes of config resource types. */
export const ConfigResourceType = {topic: 2, broker: 4} as const

/** A topic (name = topic) or a broker (name = node id as a string, '' = cluster-wide default). */
export interface ConfigResource { type: 'topic' | 'broker'; name: string }

/** One config value and where it comes from. */
export interface ConfigEntry {
  name: string
  value: string | null
  /** DYNAMIC_TOPIC_CONFIG, DYNAMIC_BROKER_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG, ... */
  source: string
  readOnly: boolean
  sensitive: boolean
  synonyms: Array<{name: string; value: string | null; source: string}>
  /** Wire code of the config's type (v3+), 0 when unknown. */
  type: number
  documentation: string | null
}

/** The configs of one resource. */
export interface ConfigResourceResult { type: 'topic' | 'broker'; name: string; configs: ConfigEntry[] }

const SOURCES = [
  'UNKNOWN', 'DYNAMIC_TOPIC_CONFIG', 'DYNAMIC_BROKER_CONFIG', 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  'STATIC_BROKER_CONFIG', 'DEFAULT_CONFIG', 'DYNAMIC_BROKER_LOGGER_CONFIG', 'CLIENT_METRICS_CONFIG', 'GROUP_CONFIG',
]

/** Kafka's name of a config source code. */
export function configSourceName(code: number): string {
  return SOURCES[code] ?? `SOURCE_${code}`
}
