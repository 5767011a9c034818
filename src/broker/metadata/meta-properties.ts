/**
 * `<dataDir>/meta.properties` in Kafka's KRaft format (version=1, cluster.id, node.id): written once
 * when a data dir is first used; afterwards it pins the cluster id and refuses a different node id.
 */
import {existsSync, readFileSync, writeFileSync, renameSync} from 'node:fs'
import {join} from 'node:path'
import {randomBytes} from 'node:crypto'

export interface MetaProperties { version: number; clusterId: string; nodeId: number }

/** A new cluster id: 16 random bytes as unpadded base64url (22 chars), like Kafka's Uuid.toString(). */
export function newClusterId(): string {
  return randomBytes(16).toString('base64url')
}

function parse(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim()
    if (t === '' || t.startsWith('#') || t.startsWith('!')) continue
    const m = t.match(/^([^=:\s]+)\s*[=:]\s*(.*)$/)
    if (m) out[m[1]] = m[2]
  }
  return out
}

/** Reads meta.properties, creating it (with a fresh cluster id) when absent; throws on a node id mismatch. */
export function loadOrCreateMetaProperties(dataDir: string, nodeId: number): MetaProperties {
  const file = join(dataDir, 'meta.properties')
  if (existsSync(file)) {
    const p = parse(readFileSync(file, 'utf8'))
    const clusterId = p['cluster.id']
    const storedNode = Number(p['node.id'])
    if (!clusterId) throw new Error(`${file} has no cluster.id`)
    if (p['node.id'] !== undefined && storedNode !== nodeId) {
      throw new Error(`${file} belongs to node ${storedNode}, not node ${nodeId}`)
    }
    return {version: Number(p.version ?? 1), clusterId, nodeId}
  }
  const meta = {version: 1, clusterId: newClusterId(), nodeId}
  const text = `#\n#${new Date().toUTCString()}\ncluster.id=${meta.clusterId}\nnode.id=${nodeId}\nversion=1\n`
  // Write-then-rename so a crash never leaves a half-written file that would block the next start.
  writeFileSync(`${file}.tmp`, text)
  renameSync(`${file}.tmp`, file)
  return meta
}
