/**
 * Kafka's split of a sealed batch the broker refused as too large (MESSAGE_TOO_LARGE, typically a
 * topic whose max.message.bytes is below the producer's batch.size). Apart from ProducerBatch
 * because it runs only on that error and works from the batch's wire bytes, not its encoder.
 */
import {HEADER_SIZE, decodeRecordBatch} from '../records/index.js'
import {ProducerBatch, estimateRecordSize} from './producer-batch.js'
import {addSequence} from './sequence-numbers.js'

/**
 * Two sealed batches holding the first and second half of `b`'s records, with their callbacks, the
 * same producer id and epoch, and `b`'s sequence range between them, in `b`'s place in the send
 * order. The caller drops `b` without completing it. Halving (rather than cutting at batch.size,
 * which may be what the topic refused) always makes progress; a single record is never split.
 */
export function splitBatch(b: ProducerBatch): [ProducerBatch, ProducerBatch] {
  const {records: decoded, compression} = decodeRecordBatch(b.wire!, 0, {verifyCrc: false})
  const callbacks = b.recordCallbacks()
  const half = Math.ceil(decoded.length / 2)
  const baseSequence = b.pendingSequence ?? b.baseSequence
  const parts: ProducerBatch[] = []
  for (const [from, to] of [[0, half], [half, decoded.length]]) {
    let size = HEADER_SIZE
    for (let i = from; i < to; i++) size += estimateRecordSize(decoded[i].key, decoded[i].value, decoded[i].headers)
    const part = new ProducerBatch(b.topic, b.partition, Buffer.allocUnsafe(size), b.createdMs,
      {id: b.id + (from === 0 ? 0 : b.span / 2), span: b.span / 2}, false)
    for (let i = from; i < to; i++) {
      const r = decoded[i]
      part.append(Number(r.timestamp), r.key, r.value, r.headers, callbacks[i])
    }
    part.close(compression, b.producerId, b.producerEpoch, baseSequence < 0 ? -1 : addSequence(baseSequence, from))
    parts.push(part)
  }
  if (b.onDone) {
    // Whoever waits for the batch (a flush) waits for both halves.
    const waiting = b.onDone
    let left = 2
    for (const part of parts) part.onDone = [() => { if (--left === 0) for (const f of waiting) f() }]
  }
  return parts as [ProducerBatch, ProducerBatch]
}
