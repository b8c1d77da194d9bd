import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ObservabilityHandler } from '@dwcp/metrics'
import { type AuthSettings, authorize } from './auth.js'
import type { ServerContext } from './context.js'
import { discardBody, errorReply, HttpError, Reply, readJsonBody } from './http-io.js'
import { join, rebalance } from './routes-cluster.js'
import { configSet } from './routes-config.js'
import { debugLatency, debugTransport, statsCompression, status, version } from './routes-info.js'
import { type MlPaths, retrain } from './routes-ml.js'
import { backup, restore } from './routes-state.js'
import { listWorkloads, registerWorkloadRoute } from './routes-workloads.js'

/** What a route gets. */
interface Call {
  ctx: ServerContext
  url: URL
  body: Record<string, unknown>
  reply: Reply
}

interface Route {
  method: 'GET' | 'POST'
  /** Changes the node: requires {@link authorize}. */
  mutating: boolean
  run(call: Call): unknown
}

/** Builds the API's request listener: observability routes, then the `/v1` routes the CLI calls. */
export function createApiHandler(
  ctx: ServerContext,
  auth: AuthSettings,
  ml: MlPaths,
  observability: ObservabilityHandler,
): (req: IncomingMessage, res: ServerResponse) => void {
  const routes: Record<string, Route> = {
    '/v1/status': { method: 'GET', mutating: false, run: ({ ctx }) => status(ctx) },
    '/v1/version': { method: 'GET', mutating: false, run: ({ ctx }) => version(ctx) },
    '/v1/debug/latency': { method: 'GET', mutating: false, run: (c) => debugLatency(c.ctx, c.url, c.reply) },
    '/v1/debug/transport': { method: 'GET', mutating: false, run: (c) => debugTransport(c.ctx, c.url) },
    '/v1/stats/compression': { method: 'GET', mutating: false, run: (c) => statsCompression(c.ctx, c.url) },
    '/v1/backup': { method: 'POST', mutating: true, run: (c) => backup(c.ctx, c.body, c.reply) },
    '/v1/restore': { method: 'POST', mutating: true, run: (c) => restore(c.ctx, c.body, c.reply) },
    '/v1/cluster/join': { method: 'POST', mutating: true, run: (c) => join(c.ctx, c.body) },
    '/v1/rebalance': { method: 'POST', mutating: true, run: (c) => rebalance(c.ctx, c.body, c.reply) },
    '/v1/workloads': {
      method: 'POST',
      mutating: true,
      run: (c) => registerWorkloadRoute(c.ctx, c.body),
    },
    '/v1/workloads/list': { method: 'GET', mutating: false, run: (c) => listWorkloads(c.ctx) },
    '/v1/config': { method: 'POST', mutating: true, run: (c) => configSet(c.ctx, c.body) },
    '/v1/ml/retrain': { method: 'POST', mutating: true, run: (c) => retrain(c.ctx, ml, c.body, c.reply) },
    '/v1/shutdown': { method: 'POST', mutating: true, run: (c) => shutdown(c) },
  }
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://dwcp')
    const route = routes[url.pathname]
    // Only a POST route reads a body: any other request's body is read and dropped, so the answer reaches a
    // client that is still sending it.
    if (route?.method !== 'POST' || req.method !== 'POST') discardBody(req)
    if (!route) {
      observability(req, res)
      return
    }
    const reply = new Reply(req, res)
    void (async () => {
      if (req.method !== route.method)
        throw new HttpError(405, 'method_not_allowed', `${url.pathname} takes ${route.method}`)
      const principal = route.mutating ? authorize(req, auth) : undefined
      const body = route.method === 'POST' ? await readJsonBody(req) : {}
      if (principal) ctx.logger.info({ path: url.pathname, principal }, 'mutating request')
      return route.run({ ctx, url, body, reply })
    })()
      .then((result) => reply.finish(result))
      .catch((error: unknown) => {
        // Refused before its body was read (authorization): drop the body so that the refusal is seen.
        discardBody(req)
        const { status } = errorReply(error)
        if (status >= 500) ctx.logger.warn({ path: url.pathname, status, error }, 'request failed')
        else ctx.logger.info({ path: url.pathname, status, error }, 'request refused')
        try {
          reply.fail(error)
        } catch {
          res.destroy()
        }
      })
  }
}

/** Parses a drain timeout: milliseconds, bounded so a typo cannot hold a shutdown for days. */
const MAX_SHUTDOWN_TIMEOUT_MS = 60 * 60 * 1000

/** `POST /v1/shutdown {drain, timeoutMs}`: answers once the node stopped, then closes the API. */
async function shutdown({ ctx, body, reply }: Call): Promise<unknown> {
  const drain = body.drain === true
  const timeoutMs = body.timeoutMs ?? 30_000
  if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0) || timeoutMs > MAX_SHUTDOWN_TIMEOUT_MS)
    throw new HttpError(400, 'bad_request', `timeoutMs: expected 0..${MAX_SHUTDOWN_TIMEOUT_MS}`)
  reply.progress(drain ? `draining workloads and transfers (up to ${timeoutMs} ms)` : 'stopping the node')
  const started = Date.now()
  const drained = await ctx.shutdown({ drain, timeoutMs })
  reply.progress('node stopped; closing the API')
  return {
    stopped: true,
    drain,
    timeoutMs,
    durationMs: Date.now() - started,
    ...(drained ? { drained } : {}),
  }
}
