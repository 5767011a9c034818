/**
 * Reads of accepted sockets into one caller-supplied buffer, the way a client socket's public `onread`
 * option works. Node offers `onread` only to sockets the program creates, not to those a server
 * accepts, so this finds the two internal slots that option fills (by probing a client socket once)
 * and fills them on accepted sockets. Without it every read allocates a fresh 64 KiB buffer: at
 * ingest rates that is ~1,700 allocations and the GC work they trigger per 100 MB received.
 * When the slots cannot be found (another Node version), `supported` is false and callers read as usual.
 */
import net from 'node:net'

interface ReadSlots { buffer: symbol; callback: symbol; generator: symbol }

/** The internal slots behind `onread`, found by description on a probe socket; null when absent. */
function findSlots(): ReadSlots | null {
  try {
    const probe = new net.Socket({onread: {buffer: Buffer.alloc(1), callback: () => true}} as net.SocketConstructorOpts)
    const symbols = Object.getOwnPropertySymbols(probe)
    probe.destroy()
    const buffer = symbols.find((s) => s.description === 'kBuffer')
    const callback = symbols.find((s) => s.description === 'kBufferCb')
    const generator = symbols.find((s) => s.description === 'kBufferGen')
    return buffer && callback && generator ? {buffer, callback, generator} : null
  } catch {
    return null
  }
}

const slots = findSlots()

/** Hands out accepted sockets' reads as views of one shared buffer. */
export const userReadBuffer = {
  supported: slots !== null,

  /**
   * Makes `socket` (accepted paused) read into `buffer` and call `onChunk` with a view of each read;
   * the view is only valid until onChunk returns. After each read `next` may name where the next one
   * lands instead (the missing rest of a large frame, which then arrives in place, uncopied); null
   * means `buffer` again. Returns false, changing nothing, when unsupported.
   */
  attach(socket: net.Socket, buffer: Buffer, onChunk: (chunk: Buffer) => void, next: () => Buffer | null): boolean {
    const handle = (socket as unknown as {_handle?: {useUserBuffer?: (b: Buffer) => void}})._handle
    if (slots === null || !handle || typeof handle.useUserBuffer !== 'function') return false
    const target = socket as unknown as Record<symbol, unknown>
    target[slots.buffer] = buffer
    // Returning anything but false keeps reading; flow control goes through socket.pause()/resume().
    target[slots.callback] = (nread: number, buf: Buffer) => {
      onChunk(buf.subarray(0, nread))
    }
    // Node asks this after every read and reads next into what it returns (as for onread's buffer function).
    target[slots.generator] = () => next() ?? buffer
    handle.useUserBuffer(buffer)
    return true
  },
}
