// One member of the PBFT cluster of `pnpm bench pbft`, in its own process: an internet-mode node on TCP
// (plaintext, loopback) with its state.db (the CRDT state) in a data directory, the default, silent, logger and
// no metrics, ordering commands with PBFT among the 4 members over the node's sessions on channel `pbft`,
// Ed25519-signed (node:crypto), exactly as the node builds it from `cluster.pbft`, except that the PBFT host's
// batching (`maxBatchRequests`) and client pool (`clientConcurrency`) are set here: createNode does not take
// them, so this process builds the PbftConsensus itself and hands it to createNode as `consensus`.
// A small HTTP control API on loopback:
//   POST /propose (any body: the command's bytes) → 200 {index} once f + 1 replicas replied | 503 | 500
//   GET  /status → {nodeId, primary, view, replicas, counters: {signs, verifies, sent: {<message type>: n}}}
//                  (Ed25519 signatures made and checked, PBFT messages sent to the other members, by type)
// It prints one JSON line on stdout, {"event":"ready"}, once serving. On SIGTERM it stops the node and exits
// (which is also when a --cpu-prof profile is written).
// A diagnostic: with `signer: "mac"` the members sign with the library's simulation signers (a keyed SHA-256
// MAC from a shared seed, not for production) instead of Ed25519, to show what the signatures cost.
// Usage: node pbft-peer.mjs '<json: {nodeId, port, httpPort, members: [{id, address}], dataDir, privateKey,
//   publicKeys: {id: PEM}, maxBatchRequests?, clientConcurrency?, signer?: "ed25519" | "mac", macSeed?}>'

import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { createNode, PBFT_CHANNEL, silentLogger, systemClock } from 'dwcp'
import { fail, readBody, send, servePeer } from './peer-http.mjs'

// The consensus package is a dependency of dwcp, not of the benchmarks: it is loaded from where dwcp finds it.
const dwcpRequire = createRequire(fileURLToPath(import.meta.resolve('dwcp')))
const consensusDir = dirname(dwcpRequire.resolve('@dwcp/ass-consensus/package.json'))
const { PbftConsensus, ed25519Signer, simulationSigners } = await import(
  pathToFileURL(join(consensusDir, 'dist', 'index.js')).href
)

/** Least time between two dials of one peer (as the node's own peer link). */
const REDIAL_INTERVAL_MS = 250

// Names of the PBFT message types by their wire type byte (the second byte of every message).
const WIRE_TYPE_NAMES = [
  undefined,
  'prePrepare',
  'prepare',
  'commit',
  'checkpoint',
  'viewChange',
  'newView',
  'request',
  'fetch',
  'executed',
  'state',
  'reply',
  'clientRequest',
]

const config = JSON.parse(process.argv[2])
// What this member did, for GET /status: Ed25519 signatures made and checked, and PBFT messages sent to other
// members by type (messages to itself do not go through the transport).
const counters = { signs: 0, verifies: 0, sent: {} }
const clock = systemClock()
const logger = silentLogger()
const addresses = new Map(config.members.map((m) => [m.id, m.address]))
let node

/**
 * The PBFT transport over the node's AMST sessions on channel `pbft`, as the node's own peer link does it:
 * fire and forget; with no open session to the peer the message is dropped and the peer dialled (at most every
 * 250 ms); PBFT retransmits what matters.
 *
 * @returns {{ send(to: string, bytes: Uint8Array): void,
 *   onMessage(listener: (from: string, bytes: Uint8Array) => void): () => void }}
 */
function sessionTransport() {
  const dialing = new Set()
  const lastDialMs = new Map()
  const dial = (to) => {
    const address = addresses.get(to)
    if (!address || dialing.has(to)) return
    const nowMs = clock.now()
    if (nowMs - (lastDialMs.get(to) ?? Number.NEGATIVE_INFINITY) < REDIAL_INTERVAL_MS) return
    lastDialMs.set(to, nowMs)
    dialing.add(to)
    node
      .connect(address)
      .catch(() => {})
      .finally(() => dialing.delete(to))
  }
  return {
    send(to, bytes) {
      if (!node) return
      const type = WIRE_TYPE_NAMES[bytes[1]] ?? 'other'
      counters.sent[type] = (counters.sent[type] ?? 0) + 1
      const session = node.session(to)
      if (session) session.send(PBFT_CHANNEL, bytes).catch(() => {})
      else dial(to)
    },
    onMessage(listener) {
      return node.on('message', (peer, channel, bytes) => {
        if (channel === PBFT_CHANNEL) listener(peer, bytes)
      })
    },
  }
}

/**
 * The node's Ed25519 signer, counting its signatures and checks.
 *
 * @param {{ sign(bytes: Uint8Array): Uint8Array, verify(replica: number, bytes: Uint8Array,
 *   signature: Uint8Array): boolean }} signer
 */
function countingSigner(signer) {
  return {
    sign(bytes) {
      counters.signs++
      return signer.sign(bytes)
    },
    verify(replica, bytes, signature) {
      counters.verifies++
      return signer.verify(replica, bytes, signature)
    },
  }
}

const replicas = config.members.map((m) => m.id)
const consensus = new PbftConsensus({
  id: config.nodeId,
  replicas,
  members: config.members,
  signer: countingSigner(
    config.signer === 'mac'
      ? simulationSigners(replicas.length, config.macSeed)[replicas.indexOf(config.nodeId)]
      : ed25519Signer(
          config.privateKey,
          replicas.map((id) => config.publicKeys[id]),
        ),
  ),
  transport: sessionTransport(),
  clock,
  logger,
  ...(config.maxBatchRequests ? { maxBatchRequests: config.maxBatchRequests } : {}),
  ...(config.clientConcurrency ? { clientConcurrency: config.clientConcurrency } : {}),
})
node = createNode('internet', {
  nodeId: config.nodeId,
  clusterId: 'pbft-bench',
  listen: [`tcp://127.0.0.1:${config.port}`],
  tls: false,
  metrics: false,
  consensus,
  cluster: { members: config.members, dataDir: config.dataDir },
})
await node.start()

/** The consensus details the status reports: the node's health when it has them, else the host's own view. */
const details = () => {
  const fromHealth = node.health().components.consensus?.details
  return {
    primary: fromHealth?.primary ?? consensus.leader() ?? null,
    view: fromHealth?.view ?? consensus.host.view,
    replicas: fromHealth?.replicas ?? consensus.members().map((m) => m.id),
  }
}

const server = createServer(async (req, res) => {
  try {
    if (req.url === '/propose' && req.method === 'POST') {
      const committed = await node.propose(new Uint8Array(await readBody(req)))
      return send(res, 200, { index: committed.index })
    }
    if (req.url === '/status') return send(res, 200, { nodeId: config.nodeId, ...details(), counters })
    send(res, 404, { path: req.url })
  } catch (error) {
    fail(res, error)
  }
})
servePeer(server, config.httpPort, node)
