import { isDwcpError } from '@dwcp/core'
import type { ServerContext } from './context.js'
import { HttpError, stringField } from './http-io.js'
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
 * `POST /v1/rebalance {strategy, dryRun}`: the least-loaded plan over the replicated placements. Carrying it out
 * means moving each workload's state with a live migration, which this release does not have: it never rewrites
 * a placement it has not moved, so without `dryRun` it answers 501 with the plan.
 */
export function rebalance(ctx: ServerContext, body: Record<string, unknown>): unknown {
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
  throw new HttpError(
    501,
    'live_migration_absent',
    `the plan has ${plan.moves.length} move(s), but executing them needs live migration (moving a workload's ` +
      'state to its new host before its placement changes), which this release does not include; nothing was changed',
    { plan },
  )
}
