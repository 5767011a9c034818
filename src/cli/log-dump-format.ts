/** Text lines of `log dump` items, in the spirit of Kafka's DumpLogSegments output. */
import type {DumpItem} from './log-dump.js'
import {toJsonSafe} from './json.js'

/** One line of text for a dump item. */
export function formatDumpItem(item: DumpItem): string {
  const i = item as any
  switch (item.type) {
    case 'file':
      return `Dumping ${i.file} (${i.kind})`
    case 'batch':
      return `baseOffset: ${i.baseOffset} lastOffset: ${i.lastOffset} count: ${i.count} position: ${i.position} size: ${i.size} ` +
        `${i.timestampType}: ${i.maxTimestamp} baseTimestamp: ${i.baseTimestamp} magic: ${i.magic} codec: ${i.codec} ` +
        `producerId: ${i.producerId} producerEpoch: ${i.producerEpoch} baseSequence: ${i.baseSequence} lastSequence: ${i.lastSequence} ` +
        `partitionLeaderEpoch: ${i.partitionLeaderEpoch} isTransactional: ${i.isTransactional} isControl: ${i.isControl} ` +
        `crc: ${i.crc} isValid: ${i.valid}`
    case 'record': {
      let line = `| offset: ${i.offset} ${i.timestampType}: ${i.timestamp} keySize: ${i.keySize} valueSize: ${i.valueSize}`
      if ('key' in i) {
        line += ` key: ${bytesText(i.key)} value: ${bytesText(i.value)}`
        line += ` headers: ${(i.headers as any[]).map((h) => `${h.key}=${bytesText(h.value)}`).join(',')}`
      }
      if (i.decoded) line += ` decoded: ${JSON.stringify(toJsonSafe(i.decoded))}`
      return line
    }
    case 'index-entry':
      return `offset: ${i.offset} position: ${i.position}`
    case 'timeindex-entry':
      return `timestamp: ${i.timestamp} offset: ${i.offset}`
    case 'checkpoint-header':
      return `version: ${i.version} entries: ${i.count}`
    case 'checkpoint-entry':
      return `${i.topic} ${i.partition} ${i.offset}`
    case 'leader-epoch':
      return `epoch: ${i.epoch} startOffset: ${i.startOffset}`
    case 'snapshot-header':
      return `version: ${i.version} crc: ${i.crc} isValid: ${i.valid} producers: ${i.producers}`
    case 'producer':
      return `producerId: ${i.producerId} producerEpoch: ${i.producerEpoch} firstSequence: ${i.firstSequence} lastSequence: ${i.lastSequence} lastOffset: ${i.lastOffset} ` +
        `offsetDelta: ${i.offsetDelta} timestamp: ${i.timestamp} coordinatorEpoch: ${i.coordinatorEpoch} currentTxnFirstOffset: ${i.currentTxnFirstOffset}`
    case 'property':
      return `${i.key}=${i.value}`
    case 'line':
      return i.text
    case 'problem':
      return `ERROR ${i.message}`
    default:
      return JSON.stringify(toJsonSafe(item))
  }
}

function bytesText(v: string | {base64: string} | null): string {
  if (v === null) return 'null'
  if (typeof v === 'string') return v
  return `base64:${v.base64}`
}
