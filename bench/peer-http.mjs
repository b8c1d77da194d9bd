// The small HTTP control API the member processes of `pnpm bench raft` and `pnpm bench pbft` serve on loopback:
// JSON replies, DWCP errors as 503 with their code, request bodies, and the process's life (the ready line once
// listening, a clean stop on SIGTERM).
import { isDwcpError } from 'dwcp'

/** Answers `status` with `body` as JSON, or with no body when `body` is undefined. */
export function send(res, status, body) {
  if (body === undefined) {
    res.writeHead(status)
    res.end()
    return
  }
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

/** Answers a failure: a DWCP error as 503 with its code, message and the leader it names; anything else as 500. */
export function fail(res, error) {
  if (isDwcpError(error))
    send(res, 503, { code: error.code, leader: error.data?.leader ?? null, message: error.message })
  else send(res, 500, { message: String(error?.message ?? error) })
}

/**
 * The request's body as one Buffer. Events rather than `for await`: the async iterator costs several
 * allocations per request, which the load generator's thousands of requests per second turn into
 * garbage-collection pauses on the leader.
 *
 * @param {import('node:http').IncomingMessage} req
 * @returns {Promise<Buffer>}
 */
export function readBody(req) {
  return new Promise((resolveBody, reject) => {
    const chunks = []
    req.on('data', (chunk) => chunks.push(chunk))
    req.once('end', () => resolveBody(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)))
    req.once('error', reject)
  })
}

/**
 * Serves `server` on loopback `port` (keep-alive connections kept a minute), prints {"event":"ready"} once
 * listening, and on SIGTERM closes it, stops `node` and exits.
 *
 * @param {import('node:http').Server} server
 * @param {number} port
 * @param {{ stop(): Promise<void> }} node
 */
export function servePeer(server, port, node) {
  server.keepAliveTimeout = 60_000
  server.listen(port, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ event: 'ready' })}\n`))
  process.on('SIGTERM', async () => {
    server.close()
    server.closeAllConnections?.()
    await node.stop().catch(() => {})
    process.exit(0)
  })
}
