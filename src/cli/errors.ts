/** How the CLI turns any thrown error into one stderr line and an exit code (1 failure, 2 usage). */
import {KafkaError, ProtocolError} from '../protocol/index.js'

/** A mistake in how a command was invoked: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** A failure whose message is already user-facing (exit 1), e.g. a failed --verify. */
export class CommandFailure extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CommandFailure'
  }
}

/** The one line printed for an error (without the "samsa: " prefix) and the exit code. */
export function describeError(err: unknown): {line: string; exitCode: number; name: string} {
  if (err instanceof KafkaError) return {line: `${err.message} (${err.name})`, exitCode: 1, name: err.name}
  if (err instanceof UsageError) return {line: firstLine(err.message), exitCode: 2, name: 'USAGE'}
  if (err instanceof CommandFailure) return {line: firstLine(err.message), exitCode: 1, name: 'FAILED'}
  if (err instanceof ProtocolError) return {line: `${firstLine(err.message)} (PROTOCOL_ERROR)`, exitCode: 1, name: 'PROTOCOL_ERROR'}
  if (isParseError(err)) {
    // oclif spreads one parse error over several lines ("Parsing --x", "\tExpected ...", "See more help").
    const parts = (err as Error).message.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^See more help/.test(l))
    return {line: `${parts.join(': ')} (see --help)`, exitCode: 2, name: 'USAGE'}
  }
  const e = err as NodeJS.ErrnoException
  if (e && typeof e.code === 'string' && e.syscall) {
    // File system errors: "ENOENT: no such file or directory, open 'x'" is readable as is.
    return {line: firstLine(e.message), exitCode: 1, name: e.code}
  }
  return {line: firstLine(e?.message ?? String(err)), exitCode: 1, name: 'ERROR'}
}

/** oclif's flag/argument parse errors (all subclasses of CLIParseError carry `parse`). */
function isParseError(err: unknown): boolean {
  if (!(err instanceof Error)) return false
  const anyErr = err as any
  return anyErr.parse !== undefined || anyErr.oclif?.exit === 2
}

function firstLine(s: string): string {
  const line = s.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? ''
  return line
}
