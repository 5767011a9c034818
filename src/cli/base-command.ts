/**
 * Base classes of every samsa command. BaseCommand owns the error contract (one line on stderr,
 * `samsa: <message> (<KAFKA_ERROR_NAME>)`, exit 1; usage errors exit 2), --json output that
 * survives bigints, and cleanup hooks. ClientCommand adds the common client flags and builds
 * an AdminClient from them. This is the CLI layer, so (unlike the engines) it may use oclif.
 */
import {Command, Flags} from '@oclif/core'
import {AdminClient} from '../client/admin.js'
import {describeError} from './errors.js'
import {toJsonSafe} from './json.js'
import {clusterOptionsFromProps, resolveClientProps, type ClientFlags} from './client-config.js'

/** Errors, JSON and cleanup shared by all commands. */
export abstract class BaseCommand extends Command {
  static enableJsonFlag = true
  private readonly cleanups: Array<() => Promise<void> | void> = []

  /** Registers work to run when the command ends, successfully or not (closing clients). */
  protected onCleanup(fn: () => Promise<void> | void): void {
    this.cleanups.push(fn)
  }

  /** Prints one line to stdout (commands render with this, never console.log). */
  protected out(text: string): void {
    process.stdout.write(text.endsWith('\n') ? text : text + '\n')
  }

  /** Prints one line to stderr. */
  protected err(text: string): void {
    process.stderr.write(text.endsWith('\n') ? text : text + '\n')
  }

  protected logJson(json: unknown): void {
    process.stdout.write(JSON.stringify(toJsonSafe(json), null, 2) + '\n')
  }

  protected async catch(err: Error & {exitCode?: number}): Promise<any> {
    // oclif's own exit (this.exit) carries its code; pass it through untouched.
    if ((err as any).oclif?.exit !== undefined && (err as any).code === 'EEXIT') throw err
    const {line, exitCode, name} = describeError(err)
    if (process.env.SAMSA_DEBUG) process.stderr.write(`${err.stack}\n`)
    if (this.jsonEnabled() && exitCode !== 2) this.logJson({error: {name, message: err.message, code: (err as any).code}})
    process.stderr.write(`samsa: ${line}\n`)
    process.exitCode = exitCode
    this.exit(exitCode)
  }

  protected async finally(err: Error | undefined): Promise<any> {
    for (const fn of this.cleanups.splice(0).reverse()) {
      try {
        await fn()
      } catch {
        // Cleanup failures must not hide the command's own result or error.
      }
    }
    return super.finally(err)
  }
}

/** Base of commands that talk to a cluster: -b, -X, --command-config. */
export abstract class ClientCommand extends BaseCommand {
  static baseFlags = {
    'bootstrap-server': Flags.string({
      char: 'b',
      summary: 'Brokers to contact, HOST:PORT[,...]. Default: $SAMSA_BROKERS, then 127.0.0.1:9092.',
      helpGroup: 'CLIENT',
    }),
    property: Flags.string({
      char: 'X',
      summary: 'Client property under its Kafka name, KEY=VALUE (repeatable).',
      multiple: true,
      helpGroup: 'CLIENT',
    }),
    'command-config': Flags.string({
      summary: 'Java-style .properties file of client properties.',
      helpGroup: 'CLIENT',
    }),
  }

  /** Kafka client properties from the common flags (bootstrap.servers always set). */
  protected clientProps(flags: ClientFlags): Record<string, string> {
    return resolveClientProps(flags)
  }

  /** An AdminClient for the flags' cluster, closed automatically when the command ends. */
  protected adminClient(flags: ClientFlags): AdminClient {
    const admin = new AdminClient(clusterOptionsFromProps(this.clientProps(flags)))
    this.onCleanup(() => admin.close())
    return admin
  }
}
