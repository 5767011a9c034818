/**
 * The output of one compilation: the generated functions' source lines and the counter that names
 * them. Separate so the defaults, decoder and encoder generators can share one buffer (one name
 * sequence, one source) without depending on each other.
 */
import type {FieldSchema} from './schema.js'
import {resolveField, type Resolved} from './field-type.js'

/** Generated source for one message at one version, plus the (version, flexible) it is for. */
export class CodeBuffer {
  private readonly out: string[] = []
  private n = 0

  constructor(
    readonly version: number,
    readonly flexible: boolean,
  ) {}

  /** All generated functions, in the order they were emitted. */
  source(): string {
    return this.out.join('\n')
  }

  /** Appends one generated function. */
  emit(fn: string): void {
    this.out.push(fn)
  }

  /** A fresh function name; one counter across all prefixes keeps names unique in the source. */
  id(prefix: string): string {
    return `${prefix}${this.n++}`
  }

  /** The field as it appears at this buffer's version. */
  resolve(f: FieldSchema): Resolved {
    return resolveField(f, this.version, this.flexible)
  }
}
