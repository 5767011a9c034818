/**
 * Record-layer micro benchmark (not a test): CRC-32C throughput (each implementation that loaded vs the `crc-32` package), batch
 * encode/decode rates per codec, and validateBatch rate. Best of several rounds, since the machine is shared.
 *
 * Usage: npx tsc -p tsconfig.json && node dist/bench/records-bench.js
 */
import {createRequire} from 'node:module'
import {CompressionType, crc32cImplementations, decodeRecordBatch, encodeRecordBatch, validateBatch} from '../src/records/index.js'

const require = createRequire(import.meta.url)
const CRC32C = require('crc-32/crc32c.js') as {buf(b: Uint8Array): number}

/** Best ops/second of each fn over interleaved rounds of ~ms milliseconds (interleaving evens out load spikes). */
function best<T extends string>(fns: {[k in T]: () => void}, rounds = 9, ms = 100): {[k in T]: number} {
  const top = {} as {[k in T]: number}
  for (let r = 0; r < rounds; r++) {
    for (const k of Object.keys(fns) as T[]) {
      let n = 0
      let elapsed = 0
      const start = process.hrtime.bigint()
      while (elapsed < ms) {
        fns[k]()
        n++
        elapsed = Number(process.hrtime.bigint() - start) / 1e6
      }
      top[k] = Math.max(top[k] ?? 0, (n * 1000) / elapsed)
    }
  }
  return top
}

const mib = Buffer.alloc(1 << 20)
for (let i = 0; i < mib.length; i++) mib[i] = (i * 7919) & 0xff
const kib = mib.subarray(3, 1027)
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')

console.log('CRC-32C')
for (const [name, buf] of [['1 MiB', mib], ['1 KiB', kib]] as const) {
  const fns: Record<string, () => void> = {'crc-32 package': () => CRC32C.buf(buf)}
  for (const [impl, fn] of Object.entries(crc32cImplementations())) fns[impl] = () => fn(buf, 0, buf.length)
  const r = best(fns, 15)
  console.log(`  ${name}: ${Object.entries(r).map(([k, v]) => `${k} ${fmt((v * buf.length) / 1e6)} MB/s`).join(', ')}`)
}

const records = Array.from({length: 1000}, (_, i) => ({
  key: Buffer.from(`key-${i % 100}`),
  value: Buffer.from(`{"id":${i},"payload":"${'x'.repeat(60)}"}`),
  timestamp: 1_700_000_000_000n + BigInt(i),
}))
console.log(`Batches of ${records.length} records of ~100 bytes`)
for (const compression of [0, 1, 2, 3, 4] as CompressionType[]) {
  const batch = encodeRecordBatch({records, compression})
  const r = best({
    encode: () => encodeRecordBatch({records, compression}),
    decode: () => decodeRecordBatch(batch, 0),
    validate: () => validateBatch(batch, 0, batch.length),
  }, 5)
  const perRecord = (k: keyof typeof r): string => fmt(r[k] * records.length)
  console.log(`  ${CompressionType[compression].padEnd(6)} ${String(batch.length).padStart(6)} B: encode ${perRecord('encode')} rec/s, decode ${perRecord('decode')} rec/s, validate ${perRecord('validate')} rec/s (shallow)`)
}
