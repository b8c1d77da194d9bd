import type { ServerContext } from './context.js'
import { HttpError } from './http-io.js'

/** `POST /v1/workloads {id, path}`: hosts the image at `path` here as workload `id` and places it here. */
export async function registerWorkloadRoute(
  ctx: ServerContext,
  body: Record<string, unknown>,
): Promise<unknown> {
  const { id, path } = body
  if (typeof id !== 'string' || typeof path !== 'string' || path === '')
    throw new HttpError(400, 'bad_request', 'give id and path (an image file on this host)')
  const workload = await ctx.workloads.register(id, path)
  return { id, path: workload.path, sizeBytes: workload.sizeBytes, host: ctx.node.nodeId }
}

/** `GET /v1/workloads`: the workloads this node hosts, and every placement in the replicated state. */
export function listWorkloads(ctx: ServerContext): unknown {
  return {
    node: ctx.node.nodeId,
    hosted: [...ctx.workloads.hosted.values()].map((w) => ({
      id: w.id,
      path: w.path,
      sizeBytes: w.sizeBytes,
    })),
    placements: Object.fromEntries(ctx.placements.entries()),
  }
}
