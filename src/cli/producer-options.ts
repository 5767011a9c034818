/**
 * The producer flags `samsa produce` and `samsa perf produce` share (--acks, -z, --linger-ms,
 * --batch-size, --no-idempotence) and how they combine with -X/--command-config into a
 * ProducerConfig: the dedicated flags win over properties, and the engine's own property parser
 * validates everything, so a bad value reads the same whichever way it was given.
 */
import {Flags} from '@oclif/core'
import {producerConfigFromProperties, ProducerConfigError, type ProducerConfig} from '../producer/index.js'
import {UsageError} from './errors.js'

/** oclif definitions of the producer flags. */
export const producerFlags = {
  acks: Flags.string({
    char: 'a',
    summary: 'Acknowledgements the leader waits for: all (-1), 1 or 0. Default: all.',
    options: ['all', '-1', '1', '0'],
    helpGroup: 'PRODUCER',
  }),
  compression: Flags.string({
    char: 'z',
    summary: 'Compression codec of record batches.',
    options: ['none', 'gzip', 'snappy', 'lz4', 'zstd'],
    helpGroup: 'PRODUCER',
  }),
  'linger-ms': Flags.integer({summary: 'How long a batch waits for more records (linger.ms).', min: 0, helpGroup: 'PRODUCER'}),
  'batch-size': Flags.integer({summary: 'Bytes per partition batch (batch.size).', min: 0, helpGroup: 'PRODUCER'}),
  idempotence: Flags.boolean({
    summary: 'Idempotent producer (enable.idempotence; on by default with acks=all). --no-idempotence turns it off.',
    allowNo: true,
    helpGroup: 'PRODUCER',
  }),
}

/** The parsed producer flags. */
export interface ProducerFlagValues {
  acks?: string
  compression?: string
  'linger-ms'?: number
  'batch-size'?: number
  idempotence?: boolean
}

/** Client properties overlaid with the producer flags, under Kafka's property names. */
export function producerProps(flags: ProducerFlagValues, clientProps: Record<string, string>): Record<string, string> {
  const props = {...clientProps}
  if (flags.acks !== undefined) props.acks = flags.acks === 'all' ? '-1' : flags.acks
  if (flags.compression !== undefined) props['compression.type'] = flags.compression
  if (flags['linger-ms'] !== undefined) props['linger.ms'] = String(flags['linger-ms'])
  if (flags['batch-size'] !== undefined) props['batch.size'] = String(flags['batch-size'])
  if (flags.idempotence !== undefined) props['enable.idempotence'] = String(flags.idempotence)
  return props
}

/** A ProducerConfig from properties; a bad property is a usage error (exit 2) naming it. */
export function producerConfig(props: Record<string, string>, base: Partial<ProducerConfig> = {}): ProducerConfig {
  try {
    return producerConfigFromProperties(props, base)
  } catch (err) {
    if (err instanceof ProducerConfigError) throw new UsageError(err.message)
    throw err
  }
}
