// The reference half of `pnpm bench raft`: etcd (Debian's etcd-server, installed with apt-get when missing), a
// cluster of 3 members on loopback, written to through its v3 JSON gateway (POST /v3/kv/put) by the same HTTP
// client as our Raft (./raft-load.mjs), always at the leader's client URL, like a client that talks to our
// leader.
// etcd keeps its defaults, among them an fsync of its WAL before every commit is acknowledged (etcd 3.4 has no
// flag to turn that off) and the default backend quota; only logging is quieted. The data directories must be
// on a real disk for the fsyncs to mean anything, so they live under bench/.cache/raft/ (never a tmpfs:
// startEtcdCluster refuses one).
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, rmSync, statfsSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureCommand } from './hde-image.mjs'
import { createLoadAgent, httpPutJson } from './raft-load.mjs'

const here = dirname(fileURLToPath(import.meta.url))
/** Where the members' data directories go unless told otherwise: on the disk of the repository. */
export const DEFAULT_ETCD_DATA_DIR = join(here, '.cache', 'raft', 'etcd')
const CLIENT_PORT_BASE = 23790
const PEER_PORT_BASE = 23800
const HOST = '127.0.0.1'
const TMPFS_MAGIC = 0x01021994
const STARTUP_TIMEOUT_MS = 30_000
const STOP_GRACE_MS = 5_000

/**
 * The version of the installed etcd, from `etcd --version` (e.g. '3.4.23'); 'unknown' when it cannot be read.
 * Synchronous.
 *
 * @returns {string}
 */
export function etcdVersion() {
  const result = spawnSync('etcd', ['--version'], { encoding: 'utf8' })
  const text = `${result.stdout ?? ''}${result.stderr ?? ''}`
  return /etcd Version:\s*(\S+)/.exec(text)?.[1] ?? 'unknown'
}

/**
 * Starts an etcd cluster of `members` processes on loopback and resolves once every member reports itself
 * healthy (GET /health answers {"health":"true"}, which needs an elected leader).
 *
 * Member i is named m<i>, listens for clients on http://127.0.0.1:<clientPortBase + i> and for peers on
 * http://127.0.0.1:<peerPortBase + i>, and keeps its data in <dataDir>/m<i> (emptied first: every start is a
 * new cluster). The flags are etcd's defaults but for the cluster layout and `--logger zap --log-level warn
 * --log-outputs stderr`. If a member exits or the cluster is not healthy within 30 s, the members are stopped
 * and the promise rejects with the tail of their output.
 *
 * The result's `endpoints` are the client URLs in member order; `leaderEndpoint()` resolves with the client URL
 * of the current leader (asked of each member with POST /v3/maintenance/status); `stop()` sends SIGTERM to
 * every member, SIGKILL to those still running after 5 s, and removes the data directories. `startupMs` is how
 * long the start took, and `members` describes each member ({ name, clientUrl, peerUrl, dataDir, pid }).
 *
 * @param {object} [options]
 * @param {string} [options.dataDir] the parent of the members' data directories (bench/.cache/raft/etcd unless
 *   told); must not be on a tmpfs
 * @param {number} [options.members] the number of members (3 unless told)
 * @param {number} [options.clientPortBase] the first client port (23790 unless told)
 * @param {number} [options.peerPortBase] the first peer port (23800 unless told)
 * @param {(line: string) => void} [options.log] progress messages
 * @returns {Promise<{ endpoints: string[], leaderEndpoint: () => Promise<string>, stop: () => Promise<void>,
 *   startupMs: number, members: { name: string, clientUrl: string, peerUrl: string, dataDir: string,
 *   pid: number }[] }>}
 */
export async function startEtcdCluster({
  dataDir = DEFAULT_ETCD_DATA_DIR,
  members = 3,
  clientPortBase = CLIENT_PORT_BASE,
  peerPortBase = PEER_PORT_BASE,
  log = () => {},
} = {}) {
  await ensureCommand('etcd', 'etcd-server', { log })
  const root = resolve(dataDir)
  mkdirSync(root, { recursive: true })
  if (statfsSync(root).type === TMPFS_MAGIC) {
    throw new Error(
      `${relative(dirname(here), root)} is on a tmpfs: etcd's fsyncs would cost nothing there; use a directory on a disk`,
    )
  }

  const started = performance.now()
  const layout = Array.from({ length: members }, (_, i) => ({
    name: `m${i}`,
    clientUrl: `http://${HOST}:${clientPortBase + i}`,
    peerUrl: `http://${HOST}:${peerPortBase + i}`,
    dataDir: join(root, `m${i}`),
  }))
  // A port already taken (by a cluster left running, say) would make the health checks below reach someone
  // else's etcd while ours exits.
  for (const port of layout.flatMap((_, i) => [clientPortBase + i, peerPortBase + i]))
    await ensurePortFree(port)
  const initialCluster = layout.map((m) => `${m.name}=${m.peerUrl}`).join(',')
  const token = `dwcp-bench-${process.pid}-${Date.now()}`

  const children = []
  const killAll = () => {
    for (const { child } of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  // Should the benchmark die without calling stop(), the members do not outlive it.
  process.once('exit', killAll)

  let exited
  const memberExited = new Promise((_, reject) => {
    exited = reject
  })
  memberExited.catch(() => {})

  for (const member of layout) {
    rmSync(member.dataDir, { recursive: true, force: true })
    const args = [
      '--name',
      member.name,
      '--data-dir',
      member.dataDir,
      '--listen-client-urls',
      member.clientUrl,
      '--advertise-client-urls',
      member.clientUrl,
      '--listen-peer-urls',
      member.peerUrl,
      '--initial-advertise-peer-urls',
      member.peerUrl,
      '--initial-cluster',
      initialCluster,
      '--initial-cluster-state',
      'new',
      '--initial-cluster-token',
      token,
      '--logger',
      'zap',
      '--log-level',
      'warn',
      '--log-outputs',
      'stderr',
    ]
    const child = spawn('etcd', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    const entry = { member, child, tail: '', stopping: false }
    const keep = (chunk) => {
      entry.tail = (entry.tail + chunk.toString()).slice(-4000)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    child.on('error', (error) => exited(new Error(`etcd ${member.name} did not start: ${error.message}`)))
    child.on('exit', (code, signal) => {
      if (!entry.stopping) {
        exited(new Error(`etcd ${member.name} exited (${signal ?? code}):\n${entry.tail.trim()}`))
      }
    })
    children.push(entry)
  }

  const agent = createLoadAgent(members)
  // One member at a time, the current leader first: a leader told to stop first hands its leadership to a
  // follower it is connected to, and when that follower is stopping too, it waits for etcd's request timeout
  // (7 s) before giving up. Stopped in this order, the three members are gone in a few hundred ms.
  let stopping
  const stop = () => {
    stopping ??= (async () => {
      process.removeListener('exit', killAll)
      for (const entry of children) entry.stopping = true
      const running = () =>
        children.filter(({ child }) => child.exitCode === null && child.signalCode === null)
      for (let left = running(); left.length > 0; left = running()) {
        const leader = await leaderIndex(
          agent,
          left.map((entry) => entry.member.clientUrl),
          500,
        ).catch(() => -1)
        await terminate(left[Math.max(leader, 0)].child)
      }
      agent.destroy()
      for (const member of layout) rmSync(member.dataDir, { recursive: true, force: true })
    })()
    return stopping
  }

  let settled = false
  let timer
  try {
    log(`starting ${members} etcd members, data under ${relative(dirname(here), root)}`)
    await Promise.race([
      Promise.all(layout.map((member) => waitHealthy(agent, member.clientUrl, () => settled))),
      memberExited,
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          const tails = children.map((e) => `${e.member.name}: ${e.tail.trim().slice(-1000)}`).join('\n')
          reject(new Error(`the etcd cluster was not healthy after ${STARTUP_TIMEOUT_MS} ms:\n${tails}`))
        }, STARTUP_TIMEOUT_MS)
      }),
    ])
  } catch (error) {
    settled = true
    clearTimeout(timer)
    await stop()
    throw error
  }
  settled = true
  clearTimeout(timer)
  // From here on, a member exiting is reported by the writes failing, not by this promise.
  for (const entry of children) entry.child.removeAllListeners('exit')

  const startupMs = performance.now() - started
  log(`etcd cluster healthy after ${startupMs.toFixed(0)} ms`)

  return {
    endpoints: layout.map((m) => m.clientUrl),
    members: layout.map((m, i) => ({ ...m, pid: children[i].child.pid })),
    startupMs,
    leaderEndpoint: () =>
      findLeader(
        agent,
        layout.map((m) => m.clientUrl),
      ),
    stop,
  }
}

/**
 * One write through etcd's v3 JSON gateway: POST `${endpoint}/v3/kv/put` with the key and the value in base64
 * (the gateway maps the protobuf `bytes` fields to base64 strings). Resolves once etcd acknowledges the put,
 * that is once it is committed by a majority (each member having fsynced its WAL) and applied by that member.
 *
 * @param {import('node:http').Agent} agent a keep-alive agent (from createLoadAgent, or the client's in runPutLoad)
 * @param {string} endpoint a member's client URL, normally the leader's
 * @param {string | Buffer} key
 * @param {string | Buffer} value
 * @returns {Promise<void>}
 */
export async function etcdPut(agent, endpoint, key, value) {
  const response = await httpPutJson(agent, `${endpoint}/v3/kv/put`, {
    key: Buffer.from(key).toString('base64'),
    value: Buffer.from(value).toString('base64'),
  })
  // The gateway answers 200 with {"error": …, "code": …} on some failures.
  if (!response?.header) throw new Error(`etcd put at ${endpoint} failed: ${JSON.stringify(response)}`)
}

// Resolves once GET /health on `clientUrl` answers {"health":"true"}, or once `givenUp()` is true.
async function waitHealthy(agent, clientUrl, givenUp) {
  while (!givenUp()) {
    try {
      const health = await httpPutJson(agent, `${clientUrl}/health`, '', { method: 'GET', timeoutMs: 2_000 })
      const parsed = typeof health === 'string' ? JSON.parse(health) : health
      if (parsed?.health === 'true' || parsed?.health === true) return
    } catch {
      // Not listening yet, or no leader yet (503).
    }
    await sleep(50)
  }
}

// The client URL of the member whose status names itself as the leader, asked until one does (5 s at most).
async function findLeader(agent, endpoints) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const index = await leaderIndex(agent, endpoints, 2_000)
    if (index >= 0) return endpoints[index]
    await sleep(100)
  }
  throw new Error(`no etcd member of ${endpoints.join(', ')} reports itself as the leader`)
}

// The index in `endpoints` of the member whose POST /v3/maintenance/status names itself as the leader (the
// uint64 ids are strings in the gateway's JSON), or -1 when none does right now.
async function leaderIndex(agent, endpoints, timeoutMs) {
  const statuses = await Promise.all(
    endpoints.map((endpoint) =>
      httpPutJson(agent, `${endpoint}/v3/maintenance/status`, {}, { timeoutMs }).catch(() => undefined),
    ),
  )
  return statuses.findIndex(
    (status) =>
      status?.leader && status.header?.member_id && String(status.leader) === String(status.header.member_id),
  )
}

// SIGTERM, then SIGKILL if the process is still running after STOP_GRACE_MS; resolves once it has exited.
async function terminate(child) {
  if (child.exitCode !== null || child.signalCode !== null) return
  const gone = new Promise((resolveExit) => child.once('exit', resolveExit))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
  await gone
  clearTimeout(timer)
}

// Rejects when something already listens on 127.0.0.1:<port>.
function ensurePortFree(port) {
  return new Promise((resolvePromise, reject) => {
    const server = createServer()
    server.once('error', (error) =>
      reject(new Error(`port ${port} on ${HOST} is not free for etcd (${error.code ?? error.message})`)),
    )
    server.listen(port, HOST, () => server.close(() => resolvePromise()))
  })
}

function sleep(ms) {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms))
}
