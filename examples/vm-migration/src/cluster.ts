import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { CodecFactory } from '@dwcp/core'
import { type PrometheusMetrics, prometheusMetrics } from '@dwcp/metrics'
import { acceptMigrations, createNode, type DwcpNode, type MigrationReceiver, PlacementBook } from 'dwcp'

/** One node of the demo cluster. */
export interface DemoNode {
  id: string
  node: DwcpNode
  metrics: PrometheusMetrics
  book: PlacementBook
  receiver: MigrationReceiver | undefined
  imagesDir: string
}

/**
 * Starts `count` datacenter nodes in this process on the in-memory transport, as one Raft cluster (state.db
 * under `root`), connects every pair and waits for a leader; each node accepts migrations into its own directory.
 * `codec` replaces the nodes' own codec (the demo's `--codec raw`).
 */
export async function startDemoCluster(
  root: string,
  count: number,
  tag: string,
  codec?: CodecFactory,
): Promise<DemoNode[]> {
  const ids = Array.from({ length: count }, (_, i) => `node-${i + 1}`)
  const members = ids.map((id) => ({ id, address: `memory://${tag}-${id}` }))
  const nodes: DemoNode[] = ids.map((id) => {
    const imagesDir = join(root, id, 'images')
    mkdirSync(imagesDir, { recursive: true })
    const metrics = prometheusMetrics({ defaultLabels: { node: id } })()
    const node = createNode('datacenter', {
      nodeId: id,
      listen: [`memory://${tag}-${id}`],
      metrics,
      cluster: { members, dataDir: join(root, id, 'state') },
      ...(codec ? { codec } : {}),
    })
    // Watch placements before start, so that the view includes what state.db replays.
    return { id, node, metrics, book: new PlacementBook(node), receiver: undefined, imagesDir }
  })
  await Promise.all(nodes.map((n) => n.node.start()))
  for (const [i, n] of nodes.entries())
    for (const other of nodes.slice(i + 1))
      if (!n.node.session(other.id)) await n.node.connect(other.node.addresses()[0] as string)
  const deadline = Date.now() + 10_000
  while (!leaderOf(nodes)) {
    if (Date.now() > deadline) throw new Error('no Raft leader elected within 10 s')
    await new Promise((r) => setTimeout(r, 20))
  }
  for (const n of nodes) n.receiver = acceptMigrations(n.node, { dir: n.imagesDir })
  return nodes
}

/** The node that currently leads the Raft cluster, if any. */
export function leaderOf(nodes: readonly DemoNode[]): DemoNode | undefined {
  return nodes.find((n) => n.node.health().components.consensus?.details?.role === 'leader')
}

/** Stops every node, closing receivers first. */
export async function stopDemoCluster(nodes: readonly DemoNode[]): Promise<void> {
  for (const n of nodes) n.receiver?.close()
  await Promise.all(nodes.map((n) => n.node.stop()))
}
