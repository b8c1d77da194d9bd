import { request } from 'node:http'
import { seededRandom } from '@dwcp/core'
import { HostileMessages } from './hostile-messages.js'

/** Paths of the `dwcp server` API a hostile client tries (admin actions that stop or replace the node left out). */
export const API_PATHS: readonly string[] = [
  '/health',
  '/metrics',
  '/v1/status',
  '/v1/version',
  '/v1/config',
  '/v1/workloads',
  '/v1/workloads/list',
  '/v1/rebalance',
  '/v1/cluster/join',
  '/v1/stats/compression',
  '/v1/debug/transport',
  '/v1/debug/latency',
  '/v1/nothing',
]

/** Options of {@link runHostileHttp}. */
export interface HostileHttpOptions {
  /** `http://host:port` of the server. */
  baseUrl: string
  seed: number
  requests: number
  /** Paths to try. @default {@link API_PATHS} */
  paths?: readonly string[]
  /** Longest wait for one answer, in milliseconds. @default 10000 */
  timeoutMs?: number
}

/** What {@link runHostileHttp} got back. */
export interface HostileHttpReport {
  seed: number
  /** Answers per HTTP status. */
  statuses: Record<number, number>
  /** Requests that got no answer (connection reset, timeout): each one is a finding. */
  unanswered: Array<{ method: string; path: string; error: string }>
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']

/**
 * Sends seeded random requests to a `dwcp server`'s HTTP API: random methods, known paths with random segments
 * and query strings, bodies of random JSON (made of DWCP's own field names), random bytes or a megabyte of
 * them, with and without a JSON content type. One at a time; it checks nothing itself beyond recording what
 * came back: the caller checks that every request was answered, none with a 500, and the server still serves.
 */
export async function runHostileHttp(options: HostileHttpOptions): Promise<HostileHttpReport> {
  const gen = new HostileMessages(seededRandom(options.seed), 1024 * 1024)
  const paths = options.paths ?? API_PATHS
  const report: HostileHttpReport = { seed: options.seed, statuses: {}, unanswered: [] }
  for (let i = 0; i < options.requests; i++) {
    const method = METHODS[gen.int(METHODS.length)] as string
    let path = paths[gen.int(paths.length)] as string
    if (gen.int(4) === 0) path += `/${encodeURIComponent(gen.jsonText().slice(0, 40))}`
    if (gen.int(4) === 0) path += `?${encodeURIComponent(gen.jsonText().slice(0, 20))}=${gen.int(1e6)}`
    const bodyKind = gen.int(5)
    const body =
      bodyKind === 0
        ? undefined
        : bodyKind === 1
          ? gen.bytes(gen.int(512))
          : bodyKind === 2
            ? gen.bytes(1024 * 1024)
            : new TextEncoder().encode(gen.jsonText())
    const json = gen.int(3) !== 0
    try {
      const status = await send(options.baseUrl, method, path, body, json, options.timeoutMs ?? 10_000)
      report.statuses[status] = (report.statuses[status] ?? 0) + 1
    } catch (error) {
      report.unanswered.push({ method, path, error: String(error) })
    }
  }
  return report
}

function send(
  baseUrl: string,
  method: string,
  path: string,
  body: Uint8Array | undefined,
  json: boolean,
  timeoutMs: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, baseUrl),
      {
        method,
        timeout: timeoutMs,
        headers: {
          ...(json ? { 'content-type': 'application/json' } : { 'content-type': 'application/octet-stream' }),
          ...(body ? { 'content-length': body.byteLength } : {}),
        },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
        res.on('error', reject)
      },
    )
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    req.on('error', (error) => {
      // A server may answer and close before it has read a body it refused: the answer counts.
      reject(error)
    })
    req.end(body)
  })
}
