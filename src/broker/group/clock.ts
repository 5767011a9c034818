/**
 * Time for the group coordinator: "now" and one-shot timers (session expiry, rebalance delays,
 * offset retention). Injected so the state machine can be tested with a fake clock.
 */

/** A scheduled callback that can be cancelled. */
export interface GroupTimer { cancel(): void }

/** The coordinator's view of time. */
export interface GroupClock {
  now(): number
  schedule(delayMs: number, fn: () => void): GroupTimer
}

/** Wall-clock time and Node timers; unref'd so a forgotten timer never keeps a process alive. */
export const systemClock: GroupClock = {
  now: () => Date.now(),
  schedule(delayMs, fn) {
    const t = setTimeout(fn, Math.max(0, Math.min(delayMs, 0x7fffffff)))
    t.unref()
    return {cancel: () => clearTimeout(t)}
  },
}

/** A manual clock for tests: timers fire only from advance(). */
export class FakeClock implements GroupClock {
  private time: number
  private timers: {at: number; seq: number; fn: () => void; cancelled: boolean}[] = []
  private seq = 0

  constructor(start = 1_000_000) {
    this.time = start
  }

  now(): number {
    return this.time
  }

  schedule(delayMs: number, fn: () => void): GroupTimer {
    const t = {at: this.time + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false}
    this.timers.push(t)
    return {cancel: () => (t.cancelled = true)}
  }

  /** Moves time forward, firing due timers in deadline order (timers scheduled meanwhile included). */
  advance(ms: number): void {
    const end = this.time + ms
    for (let guard = 0; guard < 100_000; guard++) {
      this.timers = this.timers.filter((t) => !t.cancelled)
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0]
      if (!due) break
      this.time = Math.max(this.time, due.at)
      due.cancelled = true
      due.fn()
    }
    this.time = end
  }

  /** Timers not yet fired or cancelled. */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length
  }
}
