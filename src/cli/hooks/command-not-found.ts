import type {Hook} from '@oclif/core'

/** An unknown command is a usage error: one readable line and exit code 2, like every other CLI mistake. */
const hook: Hook<'command_not_found'> = async function (opts) {
  const typed = opts.id.replaceAll(':', ' ')
  process.stderr.write(`samsa: unknown command "${typed}"; run "samsa --help" for the list of commands\n`)
  process.exit(2)
}

export default hook
