import { isAbsolute } from 'node:path'
import { backupStateFile } from '@dwcp/ass-consensus'
import { ComponentAbsentError } from '@dwcp/core'
import type { ServerContext } from './context.js'
import { HttpError, type Reply, stringField } from './http-io.js'
import { stageVerifiedState } from './state-swap.js'

/** Path of this node's `state.db`, or DWCP_ERR_COMPONENT_ABSENT when it keeps no cluster state. */
function statePath(ctx: ServerContext): string {
  const storage = ctx.node.health().components.storage
  const path = (storage?.details as { path?: unknown } | undefined)?.path
  if (typeof path !== 'string')
    throw new ComponentAbsentError(
      'storage',
      'this node keeps no cluster state (no cluster.members configured)',
    )
  return path
}

function absolutePath(body: Record<string, unknown>, field: string): string {
  const path = stringField(body, field) as string
  if (!isAbsolute(path))
    throw new HttpError(400, 'bad_request', `${field}: expected an absolute path, got ${path}`)
  return path
}

function owner(ctx: ServerContext) {
  return { nodeId: ctx.node.nodeId, clusterId: ctx.node.clusterId }
}

/** `POST /v1/backup {output}`: an online, consistent copy of state.db, verified. */
export async function backup(
  ctx: ServerContext,
  body: Record<string, unknown>,
  reply: Reply,
): Promise<unknown> {
  const output = absolutePath(body, 'output')
  const source = statePath(ctx)
  reply.progress('copying state.db', { source, output })
  // Exclusive with restore: a copy taken while state.db is being replaced would be of neither file.
  const info = await ctx.exclusive('backup', () =>
    backupStateFile({
      source,
      destination: output,
      owner: owner(ctx),
      onProgress: ({ totalPages, remainingPages }) =>
        reply.progress('copying pages', { totalPages, copiedPages: totalPages - remainingPages }),
    }),
  )
  reply.progress('verified the copy')
  ctx.logger.info({ output, sizeBytes: info.sizeBytes, commitIndex: info.commitIndex }, 'state backed up')
  return { output, ...info, verified: true }
}

/**
 * `POST /v1/restore {input}`: replaces state.db with a verified backup. The file is copied next to state.db
 * and the copy verified (integrity, owner, schema, log) before anything is stopped: a refused file leaves the
 * node running on its current state. Then the cluster state is stopped, the copy renamed over state.db (atomic
 * on one file system) and the state started again, replaying the restored log.
 */
export async function restore(
  ctx: ServerContext,
  body: Record<string, unknown>,
  reply: Reply,
): Promise<unknown> {
  const input = absolutePath(body, 'input')
  const target = statePath(ctx)
  return ctx.exclusive('restore', async () => {
    reply.progress('verifying the backup', { input })
    const staged = await stageVerifiedState(input, target, owner(ctx))
    try {
      const { info } = staged
      reply.progress('verified', { commitIndex: info.commitIndex, term: info.term })
      const voters = safeVoters(ctx)
      reply.progress('stopping cluster state')
      await ctx.node.state.stop()
      try {
        await staged.swapIn()
      } finally {
        ctx.placements.clear()
        reply.progress('starting cluster state')
        await ctx.node.state.start()
      }
      ctx.logger.warn({ input, commitIndex: info.commitIndex }, 'state restored from backup')
      return {
        ...info,
        input,
        restored: true,
        path: target,
        ...(voters > 1
          ? {
              warning:
                'this cluster has other members: they keep their newer log and the leader brings this node up to ' +
                'date; to roll the whole cluster back, restore every member while all are stopped',
            }
          : {}),
      }
    } finally {
      await staged.discard()
    }
  })
}

function safeVoters(ctx: ServerContext): number {
  try {
    return ctx.node.consensus.members().length
  } catch {
    return 0
  }
}
