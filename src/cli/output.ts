/**
 * Rendering for humans and scripts: boxed tables and colour on a terminal, plain tab-separated
 * lines when stdout is piped (so `cut`, `awk` and `sort` work on the output).
 */
import {createRequire} from 'node:module'
import type TableType from 'cli-table3'
import chalk from 'chalk'

/**
 * cli-table3, loaded on the first table: with string-width's tables it costs ~40 ms of start-up,
 * which commands that print no table (produce, perf, consume) should not pay.
 */
let tableClass: typeof TableType | undefined
function loadTable(): typeof TableType {
  return (tableClass ??= createRequire(import.meta.url)('cli-table3') as typeof TableType)
}

/** True when stdout is a terminal (tables and colours) rather than a pipe or file. */
export function stdoutIsTTY(): boolean {
  return Boolean(process.stdout.isTTY)
}

/** A cell value: anything printable; null/undefined print as "-". */
export type Cell = string | number | bigint | boolean | null | undefined

/** Cell text: lists joined by commas, absent values as "-". */
export function cellText(v: Cell | Cell[]): string {
  if (Array.isArray(v)) return v.map((x) => cellText(x)).join(',')
  if (v === null || v === undefined) return '-'
  return String(v)
}

/**
 * Renders rows under a header. On a TTY: a cli-table3 table with a bold header. Piped: a header
 * line then one tab-separated line per row (no padding), or no header when `plainHeader` is false.
 */
export function renderTable(head: string[], rows: Array<Array<Cell | Cell[]>>, opts: {tty?: boolean; plainHeader?: boolean} = {}): string {
  const tty = opts.tty ?? stdoutIsTTY()
  const text = rows.map((r) => r.map((c) => cellText(c)))
  if (!tty) {
    const lines = text.map((r) => r.join('\t'))
    if (opts.plainHeader !== false) lines.unshift(head.join('\t'))
    return lines.join('\n')
  }
  const table = new (loadTable())({
    head: head.map((h) => chalk.bold(h)),
    style: {head: [], border: []},
  })
  for (const r of text) table.push(r)
  return table.toString()
}

/** Renders "key: value" lines, keys aligned on a TTY, tab-separated when piped. */
export function renderKeyValues(pairs: Array<[string, Cell | Cell[]]>, opts: {tty?: boolean} = {}): string {
  const tty = opts.tty ?? stdoutIsTTY()
  if (!tty) return pairs.map(([k, v]) => `${k}\t${cellText(v)}`).join('\n')
  const width = Math.max(...pairs.map(([k]) => k.length))
  return pairs.map(([k, v]) => `${chalk.bold(k.padEnd(width))}  ${cellText(v)}`).join('\n')
}

/** Colour helpers that are no-ops when stdout is not a terminal. */
export const colour = {
  ok: (s: string): string => (stdoutIsTTY() ? chalk.green(s) : s),
  bad: (s: string): string => (stdoutIsTTY() ? chalk.red(s) : s),
  dim: (s: string): string => (stdoutIsTTY() ? chalk.dim(s) : s),
  bold: (s: string): string => (stdoutIsTTY() ? chalk.bold(s) : s),
}
