import { isDwcpError } from '@dwcp/core'
import { type MigrationSummary, migrate } from '../migration/migrate.js'
import type { ServerContext } from './context.js'
import { HttpError, type Reply, stringField } from './http-io.js'
import { planLeastLoaded } from './rebalance-plan.js'

const NODE_ID = /^[A-Za-z0-9._-]{1,128}$/

/**
 * `POST /v1/cluster/join {nodeId, address, region}`: adds a member through the leader's consensus. On a
 * follower: 409 naming the leader (send it there); with no leader known: 503.
 */
export async function join(ctx: ServerContext, body: Record<string, unknown>): Promise<unknown> {
  const nodeId = stringField(body, 'nodeId') as string
  if (!NODE_ID.test(nodeId))
    throw new HttpError(400, 'bad_request', 'nodeId: expected 1..128 of [A-Za-z0-9._-]')
  const address = memberAddress(ctx, stringField(body, 'address') as string)
  const region = stringField(body, 'region', false)
  const consensus = ctx.node.consensus
  const leader = consensus.leader()
  if (leader === undefined)
    throw new HttpError(503, 'no_leader', 'no leader is known right now; retry in a moment', { leader: null })
  if (leader !== ctx.node.nodeId)
    throw new HttpError(409, 'not_leader', `this node is not the leader; send the join to ${leader}`, {
      leader,
    })
  if (consensus.members().some((m) => m.id === nodeId))
    throw new HttpError(409, 'already_member', `${nodeId} is already a member`, { nodeId })
  try {
    await consensus.addMember({ id: nodeId, address, ...(region === undefined ? {} : { region }) })
  } catch (error) {
    if (isDwcpError(error, 'DWCP_ERR_NOT_LEADER')) {
      const now = (error as { data?: { leader?: string } }).data?.leader
      throw new HttpError(
        now ? 409 : 503,
        'not_leader',
        `leadership moved during the join${now ? ` to ${now}` : ''}`,
        {
          leader: now ?? null,
        },
      )
    }
    throw error
  }
  ctx.logger.info({ member: nodeId, address, region }, 'member added')
  return { joined: nodeId, address, region: region ?? null, members: consensus.members() }
}

/**
 * A member address as the transport dials it. The runbook writes `host:port`; without a scheme the address
 * takes the scheme this node listens on, so a tcp:// cluster stays tcp://.
 */
function memberAddress(ctx: ServerContext, written: string): string {
  if (/^[a-z]+:\/\//.test(written)) return written
  const scheme = ctx.node.addresses()[0]?.split('://')[0] ?? 'tcp'
  if (!/^[A-Za-z0-9.[\]:-]+:\d{1,5}$/.test(written))
    throw new HttpError(
      400,
      'bad_request',
      `address: expected scheme://host:port or host:port, got ${written}`,
    )
  return `${scheme}://${written}`
}

/**
 * `POST /v1/rebalance {strategy, dryRun}`: the least-loaded plan over the replicated placements; without
 * `dryRun`, carries out the moves this node can: each workload it hosts that the plan moves is live-migrated
 * to its new host (the placement changes only once the image is there and verified). Moves of workloads held by
 * another member are left to that member's own rebalance, and workloads on hosts that are no longer members are
 * skipped (no copy of their image is reachable); both are reported.
 */
export async function rebalance(
  ctx: ServerContext,
  body: Record<string, unknown>,
  reply: Reply,
): Promise<unknown> {
  const strategy = body.strategy ?? 'least-loaded'
  if (strategy !== 'least-loaded')
    throw new HttpError(
      400,
      'bad_request',
      `strategy: only least-loaded is supported, got ${String(strategy)}`,
    )
  const members = ctx.node.consensus.members().map((m) => m.id)
  const plan = planLeastLoaded(ctx.placements.entries(), members)
  if (body.dryRun === true || plan.moves.length === 0)
    return { dryRun: body.dryRun === true, executed: false, plan }
  return ctx.exclusive('rebalance', async () => {
    const moved: unknown[] = []
    const failed: unknown[] = []
    const skipped: unknown[] = []
    for (const move of plan.moves) {
      const workload = ctx.workloads.hosted.get(move.workload)
      if (move.from !== ctx.node.nodeId || !workload) {
        skipped.push({
          ...move,
          why: !members.includes(move.from)
            ? `its host ${move.from} is not a member: no copy of its image is reachable`
            : move.from === ctx.node.nodeId
              ? 'placed here but not hosted by this server'
              : `held by ${move.from}: run rebalance on that node`,
        })
        continue
      }
      reply.progress(`migrating ${move.workload} to ${move.to}`)
      try {
        const summary = await migrate({
          node: ctx.node,
          workload,
          target: move.to,
          strategy: 'least-loaded',
          signal: ctx.stopSignal,
        })
        ctx.workloads.release(move.workload)
        moved.push({ ...move, ...briefSummary(summary) })
      } catch (error) {
        failed.push({ ...move, error: error instanceof Error ? error.message : String(error) })
      }
    }
    return { dryRun: false, executed: true, plan, moved, failed, skipped }
  })
}

/** The parts of a migration summary a reply reports. */
export function briefSummary(summary: MigrationSummary): Record<string, number> {
  return {
    durationMs: Math.round(summary.totalMs),
    downtimeMs: Math.round(summary.downtimeMs),
    rounds: summary.rounds,
    wireBytes: summary.wireBytes,
  }
}
