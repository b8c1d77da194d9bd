// One member of a cluster in its own process, for the multi-process tests: a node on TCP
// (plaintext, loopback) with state.db in a data directory, and a small HTTP control API on loopback:
//   PUT /kv/<key> (JSON body) → 204 | 503 {code, leader}     GET /kv/<key> → 200 JSON | 404 | 503
//   GET /status → the consensus health details              POST /members {id, address} | DELETE /members/<id>
//   POST /propose (any body) → 200 {index}: a command ordered by the mode's consensus (Raft or PBFT)
// It prints one JSON line per event on stdout: {"event":"ready"} once serving, and
// {"event":"leader","term":T,"atMs":<epoch ms>} each time it becomes leader (watched every millisecond).
// Usage: node cluster-member.mjs '<json: {nodeId, port, httpPort, members, dataDir, mode?, joining?, electionTimeoutMs?,
// snapshotEveryEntries?, pbft?: {privateKey, publicKeys}}>' (mode datacenter: Raft; internet: CRDT gossip, where
// every member reads and writes, and PBFT when keys are given).
import { createServer } from 'node:http'
import { createNode, isDwcpError } from 'dwcp'

const config = JSON.parse(process.argv[2])
const node = createNode(config.mode ?? 'datacenter', {
  nodeId: config.nodeId,
  clusterId: 'raft-test',
  listen: [`tcp://127.0.0.1:${config.port}`],
  tls: false,
  metrics: false,
  cluster: {
    members: config.members,
    dataDir: config.dataDir,
    joining: config.joining ?? false,
    electionTimeoutMs: config.electionTimeoutMs ?? 150,
    ...(config.snapshotEveryEntries ? { snapshotEveryEntries: config.snapshotEveryEntries } : {}),
    ...(config.pbft ? { pbft: config.pbft } : {}),
  },
})
await node.start()

const details = () => node.health().components.consensus?.details ?? {}
let leaderTerm = -1
setInterval(() => {
  const { role, term } = details()
  if (role === 'leader' && term !== leaderTerm) {
    leaderTerm = term
    process.stdout.write(`${JSON.stringify({ event: 'leader', term, atMs: Date.now() })}\n`)
  }
}, 1)

const send = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(body === undefined ? '' : JSON.stringify(body))
}
const fail = (res, error) => {
  if (isDwcpError(error))
    send(res, 503, { code: error.code, leader: error.data?.leader ?? null, message: error.message })
  else send(res, 500, { message: String(error) })
}
const readBody = async (req) => {
  const chunks = []
  for await (const chunk of req) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url, 'http://localhost')
    if (url.pathname === '/status') return send(res, 200, { nodeId: config.nodeId, ...details() })
    if (url.pathname.startsWith('/kv/')) {
      const key = decodeURIComponent(url.pathname.slice(4))
      if (req.method === 'PUT') {
        await node.state.set(key, JSON.parse(await readBody(req)))
        return send(res, 204)
      }
      const value = await node.state.get(key)
      return value === undefined ? send(res, 404, { key }) : send(res, 200, value)
    }
    if (url.pathname === '/propose' && req.method === 'POST') {
      const committed = await node.propose(new TextEncoder().encode(await readBody(req)))
      return send(res, 200, { index: committed.index })
    }
    if (url.pathname === '/members' && req.method === 'POST') {
      await node.consensus.addMember(JSON.parse(await readBody(req)))
      return send(res, 204)
    }
    if (url.pathname.startsWith('/members/') && req.method === 'DELETE') {
      await node.consensus.removeMember(decodeURIComponent(url.pathname.slice(9)))
      return send(res, 204)
    }
    send(res, 404, { path: url.pathname })
  } catch (error) {
    fail(res, error)
  }
})
server.listen(config.httpPort, '127.0.0.1', () =>
  process.stdout.write(`${JSON.stringify({ event: 'ready' })}\n`),
)
process.on('SIGTERM', async () => {
  server.close()
  await node.stop()
  process.exit(0)
})
