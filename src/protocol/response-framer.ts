/**
 * Splits a Kafka peer's byte stream into response frames, for the client's Connection and for a
 * node's NodeChannel. It drives the socket's `onread` buffers: small frames are read into a reused
 * scratch buffer and copied out, and once a frame is known to be larger than what has arrived, the
 * rest of it is read straight into the frame's own buffer. A 1 MB Fetch response thus costs no JS
 * copy and no per-read allocation, which is most of what reading at consumer (and follower) rates
 * spends besides decoding.
 */

/** Read size for the bytes between large frames. */
const SCRATCH_BYTES = 64 << 10
const SIZE_BYTES = 4
/** A response holds at least its correlation id. */
const MIN_FRAME_BYTES = 4

/** Frames out of socket reads; give `nextBuffer` and `onRead` to the socket's onread option. */
export class ResponseFramer {
  /** The frame (without its size prefix) being filled by reads, and how much of it has arrived. */
  private frame: Buffer | null = null
  private filled = 0
  /** The first bytes of a size prefix that a read cut short. */
  private head: Buffer | null = null
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_BYTES)

  /**
   * @param onFrame gets every whole frame (its own buffer, safe to keep); returns false to stop reading frames
   * @param onBadSize gets a size prefix outside [4, maxBytes]: the stream is not a Kafka broker's
   */
  constructor(private readonly maxBytes: number, private readonly onFrame: (frame: Buffer) => boolean,
    private readonly onBadSize: (size: number) => void) {}

  /** Where the next read lands: exactly the missing rest of a large frame, else the scratch buffer. */
  readonly nextBuffer = (): Buffer => (this.frame !== null ? this.frame.subarray(this.filled) : this.scratch)

  /** Takes the `nread` bytes the socket just read into the buffer nextBuffer gave; true = keep reading. */
  readonly onRead = (nread: number, buf: Uint8Array): boolean => {
    if (this.frame !== null) {
      this.filled += nread
      if (this.filled < this.frame.length) return true
      const frame = this.frame
      this.frame = null
      this.onFrame(frame)
      return true
    }
    this.split(Buffer.from(buf.buffer, buf.byteOffset, nread))
    return true
  }

  /** Emits the whole frames in scratch bytes and starts filling the frame they end inside of. */
  private split(chunk: Buffer): void {
    let data = chunk
    if (this.head !== null) {
      data = Buffer.concat([this.head, chunk])
      this.head = null
    }
    let pos = 0
    while (data.length - pos >= SIZE_BYTES) {
      const size = data.readInt32BE(pos)
      if (size < MIN_FRAME_BYTES || size > this.maxBytes) {
        this.onBadSize(size)
        return
      }
      const start = pos + SIZE_BYTES
      const available = data.length - start
      if (available < size) {
        this.frame = Buffer.allocUnsafe(size)
        this.filled = data.copy(this.frame, 0, start)
        return
      }
      // Copied out: the scratch buffer is overwritten by the next read.
      if (!this.onFrame(Buffer.from(data.subarray(start, start + size)))) return
      pos = start + size
    }
    if (pos < data.length) this.head = Buffer.from(data.subarray(pos))
  }
}
