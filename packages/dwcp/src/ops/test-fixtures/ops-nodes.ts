import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { bytesSink, bytesSource, METRIC_NAMES, type Mode, silentLogger, systemClock } from '@dwcp/core'
import { createObservabilityHandler, type PrometheusMetrics, prometheusMetrics } from '@dwcp/metrics'
import { harmonicMeanPredictor } from '@dwcp/pba'
import { createNode } from '../../create-node.js'
import type { DwcpNode } from '../../node.js'

/** One running node with its registry and the HTTP port serving `/metrics` and `/health`. */
export interface OpsNode {
  id: string
  node: DwcpNode
  metrics: PrometheusMetrics
  /** `127.0.0.1:<port>` of its observability server. */
  target: string
}

/** The running nodes and the background activity feeding their metrics. */
export interface OpsNodes {
  nodes: OpsNode[]
  /** Stops the activity, the HTTP servers and the nodes. */
  stop(): Promise<void>
}

const PLACEMENT_STRATEGY = 'least-loaded'
/** Time between two rounds of activity: several rounds per 1 s scrape, so every rate moves. */
const ROUND_MS = 200

/**
 * Starts five nodes on the memory transport, each serving its own registry and health on a loopback port:
 * two hybrid nodes `xa`, `xb` moving bulk data (transport bytes, streams, the adaptive codec's choices and ratio,
 * mode transitions), and a three-member Raft cluster `ra`, `rb`, `rc` (datacenter mode, state in `dataDir`)
 * taking writes (consensus latency). Then it keeps all of them busy until stopped.
 *
 * What no component records yet is recorded here the way its future owner will: placement attempts and
 * successes and sync latency around each replicated placement write (the placement layer does not exist yet),
 * and predictions of a harmonic-mean predictor fed synthetic path samples (a node's own predictors are fed by
 * path sampling, which the memory transport does not do). One corrupt Raft message makes a real
 * `dwcp_errors_total` series.
 */
export async function startOpsNodes(dataDir: string, prefix: string): Promise<OpsNodes> {
  const createHandler = createObservabilityHandler
  const built: OpsNode[] = []
  const servers: Server[] = []
  const make = (id: string, mode: Mode, options: Parameters<typeof createNode>[1] = {}): OpsNode => {
    const metrics = prometheusMetrics({ defaultLabels: { node: id } })()
    const node = createNode(mode, { nodeId: id, listen: [`memory://${prefix}-${id}`], metrics, ...options })
    const entry = { id, node, metrics, target: '' }
    built.push(entry)
    return entry
  }

  const xa = make('xa', 'hybrid')
  const xb = make('xb', 'hybrid')
  const members = ['ra', 'rb', 'rc'].map((id) => ({ id, address: `memory://${prefix}-${id}` }))
  const raft = members.map((m) =>
    make(m.id, 'datacenter', { cluster: { members, dataDir: join(dataDir, m.id), electionTimeoutMs: 50 } }),
  )

  let stopActivity = async (): Promise<void> => {}
  const stop = async (): Promise<void> => {
    await stopActivity()
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
    await Promise.all(built.map((n) => n.node.stop()))
  }
  try {
    await Promise.all(built.map((n) => n.node.start()))
    for (const entry of built) {
      const server = createServer(
        createHandler({ metrics: entry.metrics, health: () => entry.node.health() }),
      )
      servers.push(server)
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      entry.target = `127.0.0.1:${(server.address() as AddressInfo).port}`
    }
    xb.node.on('transfer', (_peer, incoming) => void incoming.accept(bytesSink(incoming.sizeBytes)))
    await xa.node.connect(xb.node.addresses()[0]!)
    // Two real transitions through the detector: forced to datacenter and back.
    xa.node.forceMode('datacenter')
    xa.node.forceMode('hybrid')
    const leader = await leaderOf(raft)
    // A corrupt Raft message: the receiver drops it and counts DWCP_ERR_FRAME_CORRUPT.
    const follower = raft.find((n) => n !== leader)!
    await leader.node.send(follower.id, 'raft', new Uint8Array([0xde, 0xad, 0xbe, 0xef]))
    stopActivity = keepBusy(xa, raft)
  } catch (error) {
    await stop()
    throw error
  }
  return { nodes: built, stop }
}

async function leaderOf(group: OpsNode[], timeoutMs = 10_000): Promise<OpsNode> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const leader = group.find((n) => n.node.health().components.consensus?.details?.role === 'leader')
    if (leader) return leader
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error('no Raft leader elected')
}

/** Runs rounds of activity until the returned function is called; that function waits for the last round. */
function keepBusy(xa: OpsNode, raft: OpsNode[]): () => Promise<void> {
  const predictor = harmonicMeanPredictor({ window: 5 })({
    clock: systemClock(),
    logger: silentLogger(),
    metrics: xa.metrics,
  })
  // Compressible but not trivial, so the adaptive codec has a real choice to make.
  const chunk = new Uint8Array(128 << 10).map((_, i) => ((i * 31) % 251) & (i % 7 === 0 ? 0xff : 0x0f))
  let stopped = false
  let round = 0
  const oneRound = async (): Promise<void> => {
    const leader = await leaderOf(raft)
    leader.metrics.counter(METRIC_NAMES.placementAttempts).inc({ strategy: PLACEMENT_STRATEGY })
    const startMs = performance.now()
    await leader.node.state.set(`placement/vm-${round % 64}`, { host: raft[round % raft.length]!.id })
    leader.metrics
      .histogram(METRIC_NAMES.assSyncLatency)
      .observe((performance.now() - startMs) / 1000, { mechanism: 'raft' })
    leader.metrics.counter(METRIC_NAMES.placementSuccess).inc({ strategy: PLACEMENT_STRATEGY })

    // A path of about 1 Gbit/s with +-10 % noise, then a forecast, as the path sampler would drive it.
    const bandwidthBps = 1e9 * (0.9 + (0.2 * ((round * 7919) % 100)) / 100)
    predictor.observe({ at: Date.now(), rttMs: 0.5, bandwidthBps, lossRate: 0, jitterMs: 0.05, rdma: false })
    predictor.predict()

    await xa.node.codec.encode(chunk, { mode: 'hybrid', predictedBandwidthBps: bandwidthBps })
    await xa.node.transfer('xb', bytesSource(chunk))
  }
  const run = async (): Promise<void> => {
    while (!stopped) {
      round++
      try {
        await oneRound()
      } catch {
        // A write racing a leader change fails as a real placement would: attempted, not succeeded. The
        // scrape test only needs every series to exist, so the loop carries on.
      }
      await new Promise((resolve) => setTimeout(resolve, ROUND_MS))
    }
  }
  const running = run()
  return async () => {
    stopped = true
    await running
  }
}
