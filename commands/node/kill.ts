import NodeStop from './stop.js'

/** samsa node kill ID: Kill one node with SIGKILL, like a crash (no controlled shutdown, no clean-shutdown marker). */
export default class NodeKill extends NodeStop {
  static summary = 'Kill one node with SIGKILL, like a crash (no controlled shutdown, no clean-shutdown marker).'
  static examples = ['<%= config.bin %> node kill 1', '<%= config.bin %> node kill 0 --data-dir /tmp/five']
  static signal: 'SIGTERM' | 'SIGKILL' = 'SIGKILL'
}
