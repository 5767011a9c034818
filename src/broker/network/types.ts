/**
 * The contract between the network layer and the broker's request processing: the options a
 * SocketServer is built with, what a processor receives and returns, and the error that closes a
 * connection on purpose. Separate so that every network file shares it without importing the server.
 */

/**
 * Thrown by request processing when the connection must close as the protocol demands (malformed
 * frame, unknown API, unsupported version, failed acks=0 produce): logged as a warning, not a bug.
 */
export class CloseConnectionError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CloseConnectionError'
  }
}

/** Identity of a client connection, passed to the processor with every frame. */
export interface ConnectionInfo { id: number; remoteAddress: string }

/**
 * A response frame (with size prefix), or its parts in order when large record sets are referenced
 * rather than copied (Fetch); null when no response is due (acks=0).
 */
export type ResponseFrame = Buffer | ResponseParts | null

/** A response written as parts (one writev); `onWritten` runs once the socket has handed them all to the kernel. */
export type ResponseParts = Buffer[] & {onWritten?: () => void}

/**
 * Turns one request frame (without its size prefix) into a response frame.
 * Throwing or rejecting closes the connection.
 */
export type RequestProcessor = (frame: Buffer, conn: ConnectionInfo) => ResponseFrame | Promise<ResponseFrame>

/** How a SocketServer listens, frames requests and hands them to its processor. */
export interface SocketServerOptions {
  host: string
  port: number
  /** socket.request.max.bytes: larger (or negative) sizes close the connection unread. */
  maxRequestBytes: number
  /** connections.max.idle.ms */
  idleMs: number
  /** Requests in flight per connection before reading pauses (back-pressure). */
  maxQueuedRequests?: number
  /**
   * APIs whose frames the processor no longer references once the call has returned, even when it
   * returned a Promise (Produce: its batches are on disk by then). Such frames are processed straight
   * from the shared read buffer, or assembled in one reused buffer when they span several reads,
   * instead of a fresh allocation each: at ingest rates fresh ~1 MB buffers cost page faults, munmap
   * and GC work triggered by external memory, which compete with the producers for CPU.
   */
  transientFrame?: (apiKey: number) => boolean
  logger: (level: 'info' | 'warn' | 'error', msg: string) => void
  processor: RequestProcessor
}
