import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNode } from '../../create-node.js'
import type { DwcpNode } from '../../node.js'
import { acceptMigrations, type MigrationReceiver } from '../accept.js'
import { FileWorkload } from '../file-workload.js'
import { PlacementBook } from '../placement.js'

/** One node of a test cluster with its migration receiver, placement view and directory. */
export interface ClusterMember {
  node: DwcpNode
  receiver: MigrationReceiver
  book: PlacementBook
  dir: string
}

/** A started 3-node (by default) datacenter Raft cluster on the memory transport, fully connected. */
export interface TestCluster {
  members: ClusterMember[]
  root: string
  stop(): Promise<void>
}

export async function startCluster(
  prefix: string,
  ids = ['a', 'b', 'c'],
  mode: 'datacenter' | 'hybrid' | 'internet' = 'datacenter',
): Promise<TestCluster> {
  const root = mkdtempSync(join(tmpdir(), 'dwcp-migration-'))
  const book = ids.map((id) => ({ id, address: `memory://${prefix}-${id}` }))
  const members = ids.map((id) => {
    const dir = join(root, id)
    mkdirSync(join(dir, 'images'), { recursive: true })
    const node = createNode(mode, {
      nodeId: id,
      listen: [`memory://${prefix}-${id}`],
      metrics: false,
      cluster: { members: book, dataDir: join(dir, 'state'), electionTimeoutMs: 50 },
    })
    return { node, dir: join(dir, 'images'), book: new PlacementBook(node) }
  })
  await Promise.all(members.map((m) => m.node.start()))
  for (const [i, m] of members.entries())
    for (const other of members.slice(i + 1))
      if (!m.node.session(other.node.nodeId)) await m.node.connect(other.node.addresses()[0] as string)
  // Internet mode keeps state by CRDT: no leader to wait for.
  if (mode !== 'internet')
    await waitFor(() => members.some((m) => m.node.health().components.consensus?.details?.role === 'leader'))
  const started = members.map((m) => ({ ...m, receiver: acceptMigrations(m.node, { dir: m.dir }) }))
  return {
    members: started,
    root,
    async stop() {
      for (const m of started) m.receiver.close()
      await Promise.all(started.map((m) => m.node.stop()))
      rmSync(root, { recursive: true, force: true })
    },
  }
}

export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** A small PRNG (mulberry32) so images and writes repeat for a seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Creates an image of `sizeBytes` with mixed content (zero, text-like and random pages) and opens it. */
export async function makeWorkload(
  dir: string,
  id: string,
  sizeBytes: number,
  seed = 1,
): Promise<FileWorkload> {
  const workload = FileWorkload.create({ id, path: join(dir, `${id}.img`), sizeBytes })
  const random = prng(seed)
  const chunk = new Uint8Array(1024 * 1024)
  for (let offset = 0; offset < sizeBytes; offset += chunk.length) {
    for (let page = 0; page < chunk.length / 4096; page++) {
      const kind = random()
      const view = chunk.subarray(page * 4096, (page + 1) * 4096)
      if (kind < 0.4) view.fill(0)
      else if (kind < 0.8) for (let i = 0; i < 4096; i++) view[i] = 97 + ((i * 7 + page) % 26)
      else for (let i = 0; i < 4096; i++) view[i] = (random() * 256) | 0
    }
    await workload.write(offset, chunk.subarray(0, Math.min(chunk.length, sizeBytes - offset)))
  }
  return workload
}

/** A writer that changes a few bytes of random pages every few milliseconds until stopped. */
export function startWriter(
  workload: FileWorkload,
  options: { seed?: number; writesPerTick?: number; tickMs?: number; mirror?: Uint8Array } = {},
): { stop: () => Promise<void>; writes: () => number } {
  const random = prng(options.seed ?? 7)
  let running = true
  let writes = 0
  const loop = (async () => {
    while (running) {
      for (let i = 0; i < (options.writesPerTick ?? 20) && running; i++) {
        const bytes = new Uint8Array(16).map(() => (random() * 256) | 0)
        const offset = Math.floor(random() * (workload.sizeBytes - bytes.length))
        const ok = await workload.write(offset, bytes).then(
          () => true,
          () => false,
        )
        if (!ok) return
        options.mirror?.set(bytes, offset)
        writes++
      }
      await new Promise((r) => setTimeout(r, options.tickMs ?? 2))
    }
  })()
  return {
    async stop() {
      running = false
      // A paused workload holds the last write until it is resumed or closed; do not wait for it then.
      if (!workload.paused) await loop
    },
    writes: () => writes,
  }
}
