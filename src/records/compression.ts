// Compression codecs of record batches. Native libraries are loaded on first use so commands that never touch
// compressed data do not pay their start-up cost.
import zlib from 'node:zlib'
import {createRequire} from 'node:module'
import {CorruptRecordError} from './errors.js'

/** Codec ids stored in bits 0-2 of the batch attributes. */
export enum CompressionType {
  None = 0,
  Gzip = 1,
  Snappy = 2,
  Lz4 = 3,
  Zstd = 4,
}

const NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const

/** Kafka's config name of a codec ('none', 'gzip', ...). */
export function compressionName(type: CompressionType): string {
  return NAMES[type] ?? `unknown(${type})`
}

/** Parses a `compression.type` value; returns undefined for unknown names (and for 'producer', which is not a codec). */
export function parseCompressionType(name: string): CompressionType | undefined {
  const i = (NAMES as readonly string[]).indexOf(name.trim().toLowerCase())
  return i < 0 ? undefined : (i as CompressionType)
}

const require = createRequire(import.meta.url)
let snappyLib: typeof import('snappy') | undefined
let lz4Lib: typeof import('lz4-napi') | undefined
let zstdBinding: typeof import('zstd-napi/binding.js') | undefined
let zstdCctx: InstanceType<typeof import('zstd-napi/binding.js').CCtx> | undefined
let zstdDctx: InstanceType<typeof import('zstd-napi/binding.js').DCtx> | undefined

function snappy(): typeof import('snappy') {
  return (snappyLib ??= require('snappy'))
}
function lz4(): typeof import('lz4-napi') {
  return (lz4Lib ??= require('lz4-napi'))
}
function zstd(): typeof import('zstd-napi/binding.js') {
  return (zstdBinding ??= require('zstd-napi/binding.js'))
}

/** Compresses a records section. `level` applies to gzip and zstd only (undefined = library default). */
export function compress(type: CompressionType, buf: Buffer, level?: number): Buffer {
  switch (type) {
    case CompressionType.None:
      return buf
    case CompressionType.Gzip:
      return zlib.gzipSync(buf, level === undefined || level < 0 ? undefined : {level})
    case CompressionType.Snappy:
      // Raw snappy, as librdkafka writes; decompress also accepts Java's xerial framing.
      return snappy().compressSync(buf)
    case CompressionType.Lz4:
      return lz4().compressFrameSync(buf)
    case CompressionType.Zstd:
      return zstdCompress(buf, level)
    default:
      throw new RangeError(`unknown compression type ${type}`)
  }
}

/** Decompresses a records section; throws CorruptRecordError on bad input or an unknown codec. */
export function decompress(type: CompressionType, buf: Buffer): Buffer {
  try {
    switch (type) {
      case CompressionType.None:
        return buf
      case CompressionType.Gzip:
        // Node's gunzip already continues across concatenated gzip members.
        return zlib.gunzipSync(buf)
      case CompressionType.Snappy:
        return isXerialSnappy(buf) ? decompressXerial(buf) : (snappy().uncompressSync(buf, {asBuffer: true}) as Buffer)
      case CompressionType.Lz4:
        return lz4().decompressFrameSync(buf)
      case CompressionType.Zstd:
        return zstdDecompress(buf)
    }
  } catch (err) {
    if (err instanceof CorruptRecordError) throw err
    throw new CorruptRecordError(`${compressionName(type)} decompression failed: ${(err as Error).message}`, undefined, {cause: err})
  }
  throw new CorruptRecordError(`unknown compression type ${type}`)
}

// Xerial snappy framing (snappy-java's SnappyOutputStream): 8-byte magic, int32 version, int32 compatible
// version, then [int32 length][raw snappy block]*.
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
const XERIAL_HEADER_SIZE = 16

/** True when buf starts with the xerial snappy magic. */
export function isXerialSnappy(buf: Buffer): boolean {
  return buf.length >= XERIAL_HEADER_SIZE && buf.compare(XERIAL_MAGIC, 0, 8, 0, 8) === 0
}

/** Writes xerial-framed snappy (what the Java producer sends) with blocks of blockSize input bytes. */
export function compressXerial(buf: Buffer, blockSize = 32 * 1024): Buffer {
  const parts: Buffer[] = [XERIAL_MAGIC, Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])]
  for (let i = 0; i < buf.length; i += blockSize) {
    const block = snappy().compressSync(buf.subarray(i, Math.min(buf.length, i + blockSize)))
    const len = Buffer.allocUnsafe(4)
    len.writeInt32BE(block.length)
    parts.push(len, block)
  }
  return Buffer.concat(parts)
}

function decompressXerial(buf: Buffer): Buffer {
  const parts: Buffer[] = []
  let pos = XERIAL_HEADER_SIZE
  while (pos < buf.length) {
    if (pos + 4 > buf.length) throw new CorruptRecordError('xerial snappy: truncated block length')
    const len = buf.readInt32BE(pos)
    pos += 4
    if (len < 0 || pos + len > buf.length) throw new CorruptRecordError('xerial snappy: block overruns input')
    parts.push(snappy().uncompressSync(buf.subarray(pos, pos + len), {asBuffer: true}) as Buffer)
    pos += len
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts)
}

function zstdCompress(buf: Buffer, level?: number): Buffer {
  const z = zstd()
  const cctx = (zstdCctx ??= new z.CCtx())
  cctx.reset(z.ResetDirective.parameters)
  if (level !== undefined && level >= 0) cctx.setParameter(z.CParameter.compressionLevel, level)
  const out = Buffer.allocUnsafe(z.compressBound(buf.length))
  const n = cctx.compress2(out, buf)
  return out.subarray(0, n)
}

/** Decompresses zstd frames, including frames without a content size (librdkafka's streaming writer). */
function zstdDecompress(buf: Buffer): Buffer {
  const z = zstd()
  const dctx = (zstdDctx ??= new z.DCtx())
  dctx.reset(z.ResetDirective.sessionOnly)
  // Single frame with a declared size: decompress straight into an exact buffer.
  const size = z.getFrameContentSize(buf)
  if (size !== null && size <= 0x7fffffff && z.findFrameCompressedSize(buf) === buf.length) {
    const out = Buffer.allocUnsafe(size)
    const n = dctx.decompress(out, buf)
    if (n !== size) throw new CorruptRecordError(`zstd: frame declared ${size} bytes but produced ${n}`)
    return out
  }
  // Streaming: unknown size or several frames. hint === 0 means the current frame is complete and flushed.
  const chunks: Buffer[] = []
  let input = buf
  let hint = 1
  const chunkSize = Math.max(z.dStreamOutSize(), buf.length * 4)
  while (input.length > 0 || hint !== 0) {
    const chunk = Buffer.allocUnsafe(chunkSize)
    const [ret, produced, consumed] = dctx.decompressStream(chunk, input)
    if (produced === 0 && consumed === 0) throw new CorruptRecordError('zstd: truncated frame')
    if (produced > 0) chunks.push(chunk.subarray(0, produced))
    input = input.subarray(consumed)
    hint = ret
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
}
