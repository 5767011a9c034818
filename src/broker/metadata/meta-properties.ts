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

/** A cluster id as Kafka writes it: 22 base64url characters (16 bytes). */
export function isValidClusterId(id: string): boolean {
  return /^[A-Za-z0-9_-]{22}$/.test(id)
}

/**
 * Reads meta.properties, creating it when absent with `clusterId` (a fresh one when not given);
 * throws on a node id mismatch, and when `clusterId` is given but the data dir belongs to another cluster.
 */
export function loadOrCreateMetaProperties(dataDir: string, nodeId: number, clusterId?: string): MetaProperties {
  if (clusterId !== undefined && !isValidClusterId(clusterId)) {
    throw new Error(`invalid cluster id "${clusterId}" (expected 22 base64url characters)`)
  }
  const file = join(dataDir, 'meta.properties')
  if (existsSync(file)) {
    const p = parse(readFileSync(file, 'utf8'))
    const stored = p['cluster.id']
    const storedNode = Number(p['node.id'])
    if (!stored) throw new Error(`${file} has no cluster.id`)
    if (p['node.id'] !== undefined && storedNode !== nodeId) {
      throw new Error(`${file} belongs to node ${storedNode}, not node ${nodeId}`)
    }
    if (clusterId !== undefined && stored !== clusterId) {
      // Mixing data dirs of two clusters would corrupt both: refuse instead of adopting either id.
      throw new Error(`${dataDir} belongs to cluster ${stored}, not cluster ${clusterId}`)
    }
    return {version: Number(p.version ?? 1), clusterId: stored, nodeId}
  }
  const meta = {version: 1, clusterId: clusterId ?? newClusterId(), nodeId}
  const text = `#\n#${new Date().toUTCString()}\ncluster.id=${meta.clusterId}\nnode.id=${nodeId}\nversion=1\n`
  // Write-then-rename so a crash never leaves a half-written file that would block the next start.
  writeFileSync(`${file}.tmp`, text)
  renameSync(`${file}.tmp`, file)
  return meta
}
