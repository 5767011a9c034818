/**
 * Buffered output of `samsa consume`: records are formatted into one large buffer and written
 * with one stdout write per batch, waiting for 'drain' when the reader is slower (back-pressure,
 * bounded memory). A reader that goes away (EPIPE: `| head -3`) ends the output quietly instead
 * of crashing: `closed` turns true and the consume loop stops.
 */
import type {Writable} from 'node:stream'

const DEFAULT_SIZE = 256 * 1024

/** Accumulates output bytes and writes them to a stream in large chunks. */
export class OutputBuffer {
  private buf: Buffer
  private len = 0
  /** True once the stream is gone (EPIPE or another write error): nothing more can be written. */
  closed = false
  /** The write error that closed the output, other than EPIPE (the reader leaving is normal). */
  error: Error | undefined

  constructor(private readonly stream: Writable, private readonly size = DEFAULT_SIZE) {
    this.buf = Buffer.allocUnsafe(size)
    stream.on('error', (err: NodeJS.ErrnoException) => {
      this.closed = true
      if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') this.error ??= err
    })
  }

  /** Bytes waiting to be written. */
  get pending(): number {
    return this.len
  }

  /** Appends bytes. */
  bytes(b: Buffer): void {
    if (this.len + b.length > this.buf.length) this.grow(b.length)
    b.copy(this.buf, this.len)
    this.len += b.length
  }

  /** Appends a string as UTF-8. */
  string(s: string): void {
    // A UTF-8 string takes at most 3 bytes per UTF-16 unit.
    if (this.len + s.length * 3 > this.buf.length) this.grow(s.length * 3)
    this.len += this.buf.write(s, this.len, 'utf8')
  }

  /** Writes what is buffered; resolves once the stream can take more (or is closed). */
  async flush(): Promise<void> {
    if (this.len === 0 || this.closed) {
      this.len = 0
      return
    }
    const chunk = this.buf.subarray(0, this.len)
    // The stream may keep the chunk until it is written: the next records go into a new buffer.
    this.buf = Buffer.allocUnsafe(this.size)
    this.len = 0
    if (this.stream.write(chunk)) return
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done)
        this.stream.off('error', done)
        this.stream.off('close', done)
        resolve()
      }
      this.stream.on('drain', done)
      this.stream.on('error', done)
      this.stream.on('close', done)
    })
  }

  /** Writes the buffer out first when it is already large (keeps memory bounded within one poll batch). */
  async flushIfFull(): Promise<void> {
    if (this.len >= this.size >> 1) await this.flush()
  }

  private grow(need: number): void {
    // Write-through would be async here; a bigger buffer keeps appends synchronous, flush() shrinks it back.
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + need))
    this.buf.copy(next, 0, 0, this.len)
    this.buf = next
  }
}
