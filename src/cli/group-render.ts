/**
 * Text rendering of consumer groups: on a terminal a header per group, its members and a lag table
 * in Kafka's column names; piped, one tab-separated table (GROUP TOPIC PARTITION CURRENT-OFFSET
 * LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID) that scripts can cut and sort.
 */
import {colour, renderTable, stdoutIsTTY, type Cell} from './output.js'
import type {GroupDescription, GroupPartition} from './group-admin.js'
import type {ResetRow} from './group-reset.js'

const OFFSET_HEAD = ['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID']

function offsetRow(p: GroupPartition): Cell[] {
  return [p.topic, p.partition, p.committed, p.logEnd, p.lag, p.memberId, p.host, p.clientId]
}

/** The text of `group describe` for these groups. */
export function renderGroups(groups: GroupDescription[]): string {
  if (!stdoutIsTTY()) {
    return renderTable(['GROUP', ...OFFSET_HEAD], groups.flatMap((g) => g.partitions.map((p) => [g.groupId, ...offsetRow(p)])))
  }
  return groups.map((g) => {
    const lines = [`${colour.bold('Group:')} ${g.groupId}  ${colour.bold('State:')} ${g.state}  ${colour.bold('Protocol:')} ${g.protocol || '-'}  ` +
      `${colour.bold('Members:')} ${g.members.length}`]
    if (g.members.length > 0) {
      lines.push(renderTable(['CONSUMER-ID', 'CLIENT-ID', 'HOST', 'PARTITIONS'], g.members.map((m) => [
        m.groupInstanceId ? `${m.memberId} (static ${m.groupInstanceId})` : m.memberId, m.clientId, m.host,
        m.partitions.map((tp) => `${tp.topic}-${tp.partition}`).join(',') || '-',
      ])))
    }
    if (g.partitions.length > 0) lines.push(renderTable(OFFSET_HEAD, g.partitions.map(offsetRow)))
    else lines.push(colour.dim('No committed offsets and no assigned partitions.'))
    return lines.join('\n')
  }).join('\n\n')
}

/** The before/after table of reset-offsets. */
export function renderReset(rows: ResetRow[]): string {
  return renderTable(['TOPIC', 'PARTITION', 'BEFORE', 'AFTER'], rows.map((r) => [r.topic, r.partition, r.before, r.after]))
}
