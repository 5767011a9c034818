/**
 * Small file helpers shared by segments, indexes and checkpoints: full reads/writes (readSync/writeSync
 * may transfer fewer bytes than asked), Kafka's file names, directory fsync, background fsync of files.
 */
import {closeSync, fsyncSync, openSync, readSync, writeSync, close as closeAsync, fsync as fsyncAsync, open as openAsync} from 'node:fs'
import {join} from 'node:path'

export const LOG_SUFFIX = '.log'
export const INDEX_SUFFIX = '.index'
export const TIME_INDEX_SUFFIX = '.timeindex'

/** Kafka's segment file prefix: the base offset zero-padded to 20 digits. */
export function offsetFileName(baseOffset: bigint): string {
  return baseOffset.toString().padStart(20, '0')
}

/** Path of one of the segment's files, e.g. segmentPath(dir, 0n, '.log') -> dir/00000000000000000000.log. */
export function segmentPath(dir: string, baseOffset: bigint, suffix: string): string {
  return join(dir, offsetFileName(baseOffset) + suffix)
}

/** Writes all of `buf` to an fd (opened O_APPEND, so the position is the end of file). */
export function writeFully(fd: number, buf: Uint8Array, position: number | null = null): void {
  let done = 0
  while (done < buf.length) {
    const n = writeSync(fd, buf, done, buf.length - done, position === null ? null : position + done)
    if (n <= 0) throw new Error(`short write: ${done} of ${buf.length} bytes`)
    done += n
  }
}

/** Reads exactly `length` bytes at `position` into `buf` at `offset`, or fewer at end of file; returns bytes read. */
export function readFully(fd: number, buf: Buffer, offset: number, length: number, position: number): number {
  let done = 0
  while (done < length) {
    const n = readSync(fd, buf, offset + done, length - done, position + done)
    if (n === 0) break
    done += n
  }
  return done
}

/** fsyncs a directory so a rename or a new file in it survives a power loss (ignored where unsupported). */
export function fsyncDir(dir: string): void {
  let fd = -1
  try {
    fd = openSync(dir, 'r')
    fsyncSync(fd)
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  } finally {
    if (fd >= 0) closeSync(fd)
  }
}

/** fsyncs each file in the thread pool, then calls `done` with the first error (passed on, not thrown). */
export function fsyncPathsAsync(paths: string[], done: (err: Error | null) => void): void {
  let pending = paths.length
  let firstErr: Error | null = null
  // Fresh fds: fsync flushes the file, not the fd, and its owner may close its own fd meanwhile.
  for (const p of paths) {
    openAsync(p, 'r', (err, fd) => {
      const finish = (e: Error | null): void => {
        firstErr ??= e
        if (--pending === 0) done(firstErr)
      }
      if (err) return finish(err)
      fsyncAsync(fd, (e) => closeAsync(fd, () => finish(e)))
    })
  }
}
