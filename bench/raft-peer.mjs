// One member of our Raft cluster for `pnpm bench raft`, in its own process: a datacenter node on TCP
// (plaintext, loopback) with its state.db (SQLite, WAL, synchronous=FULL) in a data directory, the default
// election timeout (150 ms) and the default, silent, logger; and a small HTTP control API on loopback:
//   PUT /kv/<key>  (JSON body: the value)  → 204 once committed | 503 {code, leader, message} | 500
//   GET /kv/<key>  → 200 with the value (a linearizable read) | 404 | 503
//   GET /status    → {nodeId, role, term, leader, commitIndex, appliedIndex, …, eventLoopDelay: {p99Ms, maxMs}}
//                    (the delays of the event loop since the last GET /status?reset=1, which starts them again;
//                    gc: the garbage collector's pauses since then, minor and major: count, max and total ms)
// It prints one JSON line per event on stdout: {"event":"ready"} once serving, and
// {"event":"leader","term":T,"atMs":<epoch ms>} each time it becomes leader, found by looking at its role every
// `watchMs` milliseconds (1 unless told: the time of the event is then within a millisecond of the election).
// On SIGTERM it stops the node and exits (which is also when a --cpu-prof profile is written).
// Usage: node raft-peer.mjs '<json: {nodeId, port, httpPort, members: [{id, address}], dataDir,
//   electionTimeoutMs?, watchMs?}>'
import { createServer } from 'node:http'
import { monitorEventLoopDelay, PerformanceObserver, constants as perfConstants } from 'node:perf_hooks'
import { createNode } from 'dwcp'
import { fail, readBody, send, servePeer } from './peer-http.mjs'

const config = JSON.parse(process.argv[2])
const node = createNode('datacenter', {
  nodeId: config.nodeId,
  clusterId: 'raft-bench',
  listen: [`tcp://127.0.0.1:${config.port}`],
  tls: false,
  metrics: false,
  cluster: {
    members: config.members,
    dataDir: config.dataDir,
    ...(config.electionTimeoutMs ? { electionTimeoutMs: config.electionTimeoutMs } : {}),
  },
})
await node.start()

const details = () => node.health().components.consensus?.details ?? {}
// How long the event loop is held up (by synchronous work such as a SQLite commit or a snapshot): every write
// waits for it. Sampled every 10 ms: enough to see stalls, cheap enough not to cause any.
const loopDelay = monitorEventLoopDelay({ resolution: 10 })
loopDelay.enable()
const eventLoopDelay = () => ({
  p99Ms: Number((loopDelay.percentile(99) / 1e6).toFixed(2)),
  maxMs: Number((loopDelay.max / 1e6).toFixed(2)),
})
// The garbage collector's pauses since the last reset, by kind: minor (scavenges of the young generation) and
// major (mark-compact); each pause holds up every write in flight.
const emptyGc = () => ({
  minorCount: 0,
  minorMaxMs: 0,
  minorTotalMs: 0,
  majorCount: 0,
  majorMaxMs: 0,
  majorTotalMs: 0,
})
let gc = emptyGc()
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = entry.detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MINOR ? 'minor' : 'major'
    gc[`${kind}Count`]++
    gc[`${kind}TotalMs`] += entry.duration
    gc[`${kind}MaxMs`] = Math.max(gc[`${kind}MaxMs`], entry.duration)
  }
}).observe({ entryTypes: ['gc'] })
const gcPauses = () => Object.fromEntries(Object.entries(gc).map(([k, v]) => [k, Number(v.toFixed(2))]))
let leaderTerm = -1
setInterval(() => {
  const { role, term } = details()
  if (role === 'leader' && term !== leaderTerm) {
    leaderTerm = term
    process.stdout.write(`${JSON.stringify({ event: 'leader', term, atMs: Date.now() })}\n`)
  }
}, config.watchMs ?? 1)

const server = createServer(async (req, res) => {
  try {
    // The path and query split by hand: a URL object per request is kilobytes of garbage at thousands of
    // writes per second, and every byte of garbage brings the leader's next garbage-collection pause closer.
    const queryAt = req.url.indexOf('?')
    const pathname = queryAt < 0 ? req.url : req.url.slice(0, queryAt)
    if (pathname === '/status') {
      const query = new URLSearchParams(queryAt < 0 ? '' : req.url.slice(queryAt + 1))
      const body = { nodeId: config.nodeId, ...details(), eventLoopDelay: eventLoopDelay(), gc: gcPauses() }
      if (query.has('reset')) {
        loopDelay.reset()
        gc = emptyGc()
      }
      return send(res, 200, body)
    }
    if (pathname.startsWith('/kv/')) {
      const key = decodeURIComponent(pathname.slice(4))
      if (req.method === 'PUT') {
        await node.state.set(key, JSON.parse((await readBody(req)).toString('utf8')))
        return send(res, 204)
      }
      if (req.method === 'GET') {
        const value = await node.state.get(key)
        return value === undefined ? send(res, 404, { key }) : send(res, 200, value)
      }
    }
    send(res, 404, { path: pathname })
  } catch (error) {
    fail(res, error)
  }
})
servePeer(server, config.httpPort, node)
