import type { IncomingMessage, ServerResponse } from 'node:http'
import { type Logger, silentLogger } from '@dwcp/core'

/** What `GET /metrics` needs: a renderer of the Prometheus text format and its content type. */
export interface ObservabilityMetrics {
  /** The `Content-Type` of {@link ObservabilityMetrics.render}'s output. */
  readonly contentType: string
  /** Every metric in the Prometheus text exposition format. Aborted when the client goes away. */
  render(options?: { signal?: AbortSignal }): Promise<string>
}

/** What `GET /health` serves: an overall status plus whatever per-component detail the node reports. */
export interface ObservabilityHealthReport {
  /** `ok` answers 200; anything else (`degraded`, `down`) answers 503 so load balancers take the node out. */
  readonly status: string
}

/** Options of {@link createObservabilityHandler}. */
export interface ObservabilityHandlerOptions {
  /**
   * The registry served at `GET /metrics`, e.g. a `PrometheusMetrics`. When absent (a node built with
   * `metrics: false`), `/metrics` answers 404 so a scraper reports the target as misconfigured, not empty.
   */
  metrics?: ObservabilityMetrics | undefined
  /** Produces the report served at `GET /health`, e.g. `() => node.health()`. Called once per request. */
  health: () => ObservabilityHealthReport | Promise<ObservabilityHealthReport>
  /**
   * Where failures of `render()` or `health()` are reported; the client only sees a 500 with the message.
   *
   * @default a silent logger
   */
  logger?: Logger
}

/** A `node:http` request listener, as `http.createServer(listener)` takes it. */
export type ObservabilityHandler = (req: IncomingMessage, res: ServerResponse) => void

const ALLOWED_METHODS = 'GET, HEAD'
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8'

interface Reply {
  status: number
  contentType: string
  body: string
  headers?: Record<string, string>
}

const json = (status: number, value: unknown, headers?: Record<string, string>): Reply => ({
  status,
  contentType: JSON_CONTENT_TYPE,
  body: `${JSON.stringify(value)}\n`,
  ...(headers ? { headers } : {}),
})

/**
 * Creates the request listener of a node's operations port (8080 by default, DESIGN.md §7): `GET /metrics`
 * serves the Prometheus text format and `GET /health` the health report as JSON, 200 when its status is `ok`
 * and 503 otherwise. `HEAD` answers the same headers without a body. Other paths answer 404 and other methods
 * 405, both as JSON. The listener never throws: a failing `render()` or `health()` answers 500 with the error
 * message, because an exception escaping a listener would crash the host process.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http'
 *
 * const server = createServer(
 *   createObservabilityHandler({ metrics: prometheusMetrics()(), health: () => ({ status: 'ok' }) }),
 * )
 * server.listen(8080)
 * ```
 */
export function createObservabilityHandler(options: ObservabilityHandlerOptions): ObservabilityHandler {
  const logger = options.logger ?? silentLogger()
  const routes: Record<string, (signal: AbortSignal) => Promise<Reply>> = {
    '/metrics': async (signal) => {
      if (!options.metrics) return json(404, { error: 'not_found', message: 'this node records no metrics' })
      const body = await options.metrics.render({ signal })
      return { status: 200, contentType: options.metrics.contentType, body }
    },
    '/health': async () => {
      const report = await options.health()
      return json(report.status === 'ok' ? 200 : 503, report)
    },
  }

  return (req, res) => {
    // A client that hangs up mid-render should not keep the registry busy for nobody.
    const abort = new AbortController()
    res.once('close', () => abort.abort())
    answer(req, routes, abort.signal)
      .catch((error: unknown): Reply => {
        const message = error instanceof Error ? error.message : String(error)
        logger.error({ path: req.url, method: req.method, message }, 'observability request failed')
        return json(500, { error: 'internal', message })
      })
      .then((reply) => send(req, res, reply))
      .catch(() => res.destroy())
  }
}

async function answer(
  req: IncomingMessage,
  routes: Record<string, (signal: AbortSignal) => Promise<Reply>>,
  signal: AbortSignal,
): Promise<Reply> {
  // The base only lets URL parse a request target; the host header is never trusted for anything.
  const path = new URL(req.url ?? '/', 'http://localhost').pathname
  const route = Object.hasOwn(routes, path) ? routes[path] : undefined
  if (!route)
    return json(404, { error: 'not_found', message: `no route for ${path}; try /metrics or /health` })
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return json(
      405,
      { error: 'method_not_allowed', message: `${req.method} is not allowed on ${path}; use GET or HEAD` },
      { Allow: ALLOWED_METHODS },
    )
  return route(signal)
}

function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) {
    res.destroy()
    return
  }
  res.writeHead(reply.status, {
    'Content-Type': reply.contentType,
    'Content-Length': Buffer.byteLength(reply.body),
    // Scrapes and probes must always see the live state, never a proxy's copy.
    'Cache-Control': 'no-store',
    ...reply.headers,
  })
  res.end(req.method === 'HEAD' ? undefined : reply.body)
}
