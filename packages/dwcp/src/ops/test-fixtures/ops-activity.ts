import { setTimeout as sleep } from 'node:timers/promises'
import { bytesSink, bytesSource, type DwcpNode, isDwcpError, MIGRATION_METADATA_KEY } from '../../index.js'
import { ActivityTally } from './activity-tally.js'
import { startMigrations } from './ops-migrations.js'
import type { OpsNode } from './ops-nodes.js'

/** The nodes the activity runs on. */
export interface OpsCluster {
  /** The hybrid Raft cluster; the workload migrates between the first two. */
  raft: [OpsNode, OpsNode, OpsNode]
  /** The internet-mode CRDT pair. */
  internet: [OpsNode, OpsNode]
  /** A node of another cluster, whose dials the cluster refuses. */
  stray: DwcpNode
}

/** The real work keeping the nodes busy. */
export interface OpsActivity {
  /**
   * The node whose only bulk bytes are migration rounds (no plain transfer starts or ends there), so what its
   * codec records comes from migrations alone.
   */
  readonly migrationOnly: string
  /** What the work did so far. */
  readonly tally: ActivityTally
  /** Stops the work and waits for what is under way. */
  stop(): Promise<void>
}

/** Time between two rounds of traffic: several rounds per 1 s scrape, so every rate has something to show. */
const ROUND_INTERVAL_MS = 200
/** Bytes of each plain transfer. */
const PAYLOAD_BYTES = 256 * 1024
/** Longest wait for the Raft cluster to elect a leader. */
const LEADER_WAIT_MS = 10_000

/**
 * Starts the work, all of it through the nodes' public API:
 *
 * - an operator's maintenance on `hc`: its mode pinned to datacenter, then back to hybrid (two transitions
 *   through the mode detector);
 * - a workload live-migrating back and forth between `ha` and `hb` (see {@link startMigrations});
 * - rounds of plain `node.transfer` both ways on `hb`–`hc` and `ia`–`ib` (both ends of a path then have
 *   measurements, so each side's predictor forecasts for the codec), a `node.state.set` on the Raft leader, one
 *   on each internet member (gossiped to the other), and a dial from the other cluster's node, which `ha`
 *   refuses. `ha` takes part in no plain transfer: its codec's metrics are the migrations' own.
 *
 * Failures are counted in {@link OpsActivity.tally}, not thrown: the next round tries again.
 */
export async function startOpsActivity(cluster: OpsCluster): Promise<OpsActivity> {
  const tally = new ActivityTally()
  const [ha, hb, hc] = cluster.raft
  const [ia, ib] = cluster.internet
  for (const member of [hb, hc, ia, ib])
    member.node.on('transfer', (_peer, incoming) => {
      // Migration transfers belong to the migration receiver's listener.
      if (Object.hasOwn(incoming.metadata, MIGRATION_METADATA_KEY)) return
      incoming.accept(bytesSink(incoming.sizeBytes)).catch((error: unknown) => tally.fail('receive', error))
    })
  await leaderOf(cluster.raft)
  hc.node.forceMode('datacenter')
  hc.node.forceMode('hybrid')
  const migrations = await startMigrations(cluster.raft, tally)

  // Compressible but not trivial, so the codecs have a real choice to make.
  const payload = new Uint8Array(PAYLOAD_BYTES).map((_, i) => ((i * 31) % 251) & (i % 7 === 0 ? 0xff : 0x0f))
  const paths: Array<[OpsNode, OpsNode]> = [
    [hb, hc],
    [hc, hb],
    [ia, ib],
    [ib, ia],
  ]
  const oneRound = async (round: number): Promise<void> => {
    await Promise.all([
      ...paths.map(([from, to]) =>
        tally.run('transfer', () => from.node.transfer(to.id, bytesSource(payload))),
      ),
      tally.run('raft-write', async () => {
        const leader = await leaderOf(cluster.raft)
        await leader.node.state.set('ops/heartbeat', { round, at: Date.now() })
      }),
      ...[ia, ib].map((member) =>
        tally.run('crdt-write', () => member.node.state.set(`ops/load/${member.id}`, { round })),
      ),
      tally.run('refused-dial', () => refusedDial(cluster.stray, ha)),
    ])
  }
  let stopped = false
  const rounds = (async () => {
    for (let round = 1; !stopped; round++) {
      await oneRound(round)
      await sleep(ROUND_INTERVAL_MS)
    }
  })()
  return {
    migrationOnly: ha.id,
    tally,
    async stop() {
      stopped = true
      await rounds
      await migrations.stop()
    },
  }
}

/** The member that leads the Raft cluster, as its own health says; waits for an election. */
async function leaderOf(group: readonly OpsNode[]): Promise<OpsNode> {
  const deadline = Date.now() + LEADER_WAIT_MS
  for (;;) {
    const leader = group.find((n) => n.node.health().components.consensus?.details?.role === 'leader')
    if (leader) return leader
    if (Date.now() > deadline) throw new Error(`no Raft leader within ${LEADER_WAIT_MS} ms`)
    await sleep(10)
  }
}

/** `stray` dials `member`, which must refuse it: it belongs to another cluster. */
async function refusedDial(stray: DwcpNode, member: OpsNode): Promise<void> {
  const session = await stray.connect(member.node.addresses()[0]!).catch((error: unknown) => {
    if (isDwcpError(error, 'DWCP_ERR_HANDSHAKE_REJECTED')) return undefined
    throw error
  })
  if (session) {
    await session.close({ reason: 'not expected to be admitted' })
    throw new Error(`${member.id} admitted a node of cluster ${stray.clusterId}`)
  }
}
