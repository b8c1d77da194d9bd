import { mkdirSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { createObservabilityHandler, type PrometheusMetrics, prometheusMetrics } from '@dwcp/metrics'
import { createNode, type DwcpNode, type Member, type Mode, type NodeOptions } from '../../index.js'
import { freePort } from '../../test-fixtures/free-port.js'
import { type OpsActivity, startOpsActivity } from './ops-activity.js'

/** One running node with its registry, its directory and the HTTP port serving `/metrics` and `/health`. */
export interface OpsNode {
  id: string
  node: DwcpNode
  metrics: PrometheusMetrics
  /** Its own directory: `state.db` under `state/`, workload images under `images/`. */
  dir: string
  /** `127.0.0.1:<port>` of its observability server. */
  target: string
}

/** The scraped nodes, the real work keeping them busy, and how to stop both. */
export interface OpsNodes {
  nodes: OpsNode[]
  activity: OpsActivity
  /** Stops the activity, the HTTP servers and the nodes. */
  stop(): Promise<void>
}

/** The hybrid Raft cluster: one site's three members. */
const RAFT_IDS = ['ha', 'hb', 'hc'] as const
/** The internet pair: two members keeping state by CRDT gossip. */
const INTERNET_IDS = ['ia', 'ib'] as const

/**
 * Starts five nodes with `createNode` on TCP over loopback (plaintext), each serving its own Prometheus registry
 * and health through the observability handler on a loopback HTTP port:
 *
 * - `ha`, `hb`, `hc`: hybrid mode, one Raft cluster (state in `state.db` under `dataDir`); a workload migrates
 *   between `ha` and `hb`;
 * - `ia`, `ib`: internet mode, a two-member CRDT cluster.
 *
 * A sixth node, configured for another cluster, is not scraped: it is the misconfigured peer whose dials the
 * cluster refuses. Then {@link startOpsActivity} keeps every node busy with real work until stopped. Nothing
 * here records a metric: every series comes from what the nodes do.
 */
export async function startOpsNodes(dataDir: string): Promise<OpsNodes> {
  const ports = new Map<string, number>()
  for (const id of [...RAFT_IDS, ...INTERNET_IDS]) ports.set(id, await freePort())
  const address = (id: string): string => `tcp://127.0.0.1:${ports.get(id)}`
  const membersOf = (ids: readonly string[]): Member[] => ids.map((id) => ({ id, address: address(id) }))

  const built: OpsNode[] = []
  const servers: Server[] = []
  const make = (id: string, mode: Mode, members: Member[]): OpsNode => {
    const dir = join(dataDir, id)
    mkdirSync(join(dir, 'images'), { recursive: true })
    // The registry the production server builds: the node's id as the `node` label the dashboard filters on.
    const metrics = prometheusMetrics({ defaultLabels: { node: id } })()
    const options: NodeOptions = {
      nodeId: id,
      listen: [address(id)],
      tls: false,
      metrics,
      cluster: { members, dataDir: join(dir, 'state') },
    }
    const entry = { id, node: createNode(mode, options), metrics, dir, target: '' }
    built.push(entry)
    return entry
  }
  const raft = RAFT_IDS.map((id) => make(id, 'hybrid', membersOf(RAFT_IDS)))
  const internet = INTERNET_IDS.map((id) => make(id, 'internet', membersOf(INTERNET_IDS)))
  const stray = createNode('hybrid', {
    nodeId: 'stray',
    clusterId: 'staging',
    listen: ['tcp://127.0.0.1:0'],
    tls: false,
    metrics: false,
  })

  let activity: OpsActivity | undefined
  const stop = async (): Promise<void> => {
    await activity?.stop()
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
    await Promise.all([...built.map((n) => n.node.stop()), stray.stop()])
  }
  try {
    await Promise.all([...built.map((n) => n.node.start()), stray.start()])
    for (const entry of built) {
      const server = createServer(
        createObservabilityHandler({ metrics: entry.metrics, health: () => entry.node.health() }),
      )
      servers.push(server)
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      entry.target = `127.0.0.1:${(server.address() as AddressInfo).port}`
    }
    // Every pair of a cluster connected up front, as an operator's members list makes them at start.
    for (const group of [raft, internet])
      for (const [i, from] of group.entries())
        for (const to of group.slice(i + 1))
          if (!from.node.session(to.id)) await from.node.connect(address(to.id))
    activity = await startOpsActivity({
      raft: raft as [OpsNode, OpsNode, OpsNode],
      internet: internet as [OpsNode, OpsNode],
      stray,
    })
  } catch (error) {
    await stop()
    throw error
  }
  return { nodes: built, activity, stop }
}
