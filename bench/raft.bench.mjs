// `pnpm bench raft`: our Raft (dwcp datacenter nodes, state in SQLite) beside etcd, both as 3 member processes
// on loopback with their state on disk (fsync before a write is acknowledged), measured in the same run.
//  1. Throughput and latency of committed writes: the same load generator (./raft-load.mjs) drives both, at the
//     leader: `concurrency` clients (1, 16, 64) each writing one 256-byte random value at a time to a new key
//     (base64 in a JSON string on both sides: etcd's JSON gateway takes bytes as base64 too), 1 s of warm-up then
//     5 s measured; the best of BENCH_REPEATS (3) runs by commits/s is kept with its p50 and p99 latency. Ours is
//     PUT /kv/<key> on a member process (./raft-peer.mjs); etcd's is POST /v3/kv/put (./raft-etcd.mjs). Both
//     clusters run side by side and their runs alternate (ours, etcd, ours, …), so that a busy moment of the
//     machine does not fall on one side only; both keep every key written (the state grows through the part).
//     For ours, the longest stall of the leader's event loop during the run is recorded beside it. Before the
//     first run, each cluster serves 16 clients for BENCH_CLUSTER_WARMUP_MS (10 s), not measured: our members'
//     JIT compiler needs that traffic before the request path is compiled, as in any server that has been up.
//  2. Election after the leader's death (ours only): under a light load (4 clients), the leader is killed with
//     SIGKILL BENCH_KILLS (20) times; a sample is the time from just before the kill to the moment a survivor
//     reports itself leader in a higher term (its own clock, epoch ms, watched every millisecond). The killed
//     member is restarted on its data directory and the next kill waits 1 s. Afterwards every write the light
//     load saw acknowledged is read back (linearizably) from the leader: lost acknowledged writes must be 0.
// BENCH_PARTS=throughput,election runs some parts (the others keep their previous results); BENCH_CONCURRENCY
// (e.g. 16), BENCH_REPEATS, BENCH_KILLS, BENCH_DURATION_MS, BENCH_WARMUP_MS and BENCH_CLUSTER_WARMUP_MS shorten a run; rows of
// concurrencies not rerun are kept from the previous results file, each row stamped with the date it was
// measured. BENCH_CPU_PROF=<dir> runs our members under --cpu-prof (profiles written there when they stop);
// BENCH_NODE_FLAGS='--flag …' passes Node/V8 flags to our members (to study the garbage collector, say).
// The data directories are under bench/.cache/raft/ (a real disk) and are removed at the end, with every process
// this benchmark started, whether it succeeds or fails.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import {
  freePort,
  isRunning,
  killAllMembers,
  killMember,
  spawnMember,
  stopMembers,
} from './member-processes.mjs'
import { etcdPut, etcdVersion, startEtcdCluster } from './raft-etcd.mjs'
import { createLoadAgent, httpPutJson, percentile, runPutLoad } from './raft-load.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const PEER_SCRIPT = join(here, 'raft-peer.mjs')
const CACHE_DIR = join(here, '.cache', 'raft')
const OUR_DATA_DIR = join(CACHE_DIR, 'dwcp')
const MEMBER_IDS = ['m0', 'm1', 'm2']
const VALUE_BYTES = 256
const ELECTION_TIMEOUT_MS = 150
const LIGHT_LOAD_CONCURRENCY = 4
const ELECTION_WAIT_MS = 10_000
/** Quantiles of each run's write latency printed beside its p50 and p99. */
const LATENCY_QUANTILES = [0.5, 0.9, 0.98, 0.99, 0.995, 0.999]
const STARTUP_TIMEOUT_MS = 30_000
const STOP_GRACE_MS = 5_000

const parts = (process.env.BENCH_PARTS ?? 'throughput,election').split(',')
const concurrencies = (process.env.BENCH_CONCURRENCY ?? '1,16,64').split(',').map(Number)
const repeats = Number(process.env.BENCH_REPEATS ?? 3)
const kills = Number(process.env.BENCH_KILLS ?? 20)
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 5_000)
const warmupMs = Number(process.env.BENCH_WARMUP_MS ?? 1_000)
const clusterWarmupMs = Number(process.env.BENCH_CLUSTER_WARMUP_MS ?? 10_000)
const cpuProfDir = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined
const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean)
const log = (line) => console.log(line)
const sleep = (ms) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms))

// Our member processes are tracked by member-processes.mjs; the etcd members' process ids while their cluster
// runs are kept here (raft-etcd.mjs kills them too on exit, but only after this file's handler has removed their
// data directories).
const etcdPids = new Set()
const cleanUp = () => {
  killAllMembers()
  for (const pid of etcdPids) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
  rmSync(CACHE_DIR, { recursive: true, force: true })
}
process.on('exit', cleanUp)
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
  process.on(signal, () => {
    console.error(`\n${signal}: stopping`)
    process.exit(130)
  })

// ---------------------------------------------------------------------------------------------------------
// Our cluster: three raft-peer.mjs processes.

/**
 * Starts our 3-member cluster on loopback (fresh data directories under bench/.cache/raft/dwcp/<member>) and
 * resolves once a leader is elected.
 *
 * Each member's `leaderships` lists its {"event":"leader"} lines ({ term, atMs }); `onLeader(listener)` hears
 * every new one as (member, event) and returns a function that stops listening. `kill(member)` sends SIGKILL and
 * resolves once the process is gone; `restart(member)` starts it again on the same ports and data directory;
 * `findLeader()` asks every running member's GET /status and resolves with the member that is leader in the
 * highest term (retrying for up to 10 s); `stop()` stops every member (SIGTERM, SIGKILL after 5 s) and removes
 * the data directories.
 *
 * @param {{ watchMs?: number }} [options] how often a member looks at its role for the leader events (1 ms
 *   unless told)
 */
async function startOurCluster({ watchMs = 1 } = {}) {
  rmSync(OUR_DATA_DIR, { recursive: true, force: true })
  const members = []
  for (const id of MEMBER_IDS) {
    members.push({
      id,
      port: await freePort(),
      httpPort: await freePort(),
      dataDir: join(OUR_DATA_DIR, id),
      child: undefined,
      tail: '',
      leaderships: [],
    })
  }
  for (const member of members) {
    member.url = `http://127.0.0.1:${member.httpPort}`
    mkdirSync(member.dataDir, { recursive: true })
  }
  const addresses = members.map((m) => ({ id: m.id, address: `tcp://127.0.0.1:${m.port}` }))
  const listeners = new Set()
  const agent = createLoadAgent(members.length * 2)

  const startMember = (member) =>
    spawnMember(
      member,
      PEER_SCRIPT,
      {
        nodeId: member.id,
        port: member.port,
        httpPort: member.httpPort,
        members: addresses,
        dataDir: member.dataDir,
        electionTimeoutMs: ELECTION_TIMEOUT_MS,
        watchMs,
      },
      {
        flags: [...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : []), ...nodeFlags],
        startupTimeoutMs: STARTUP_TIMEOUT_MS,
        onEvent: (event) => {
          if (event.event !== 'leader') return
          const leadership = { term: event.term, atMs: event.atMs }
          member.leaderships.push(leadership)
          for (const listener of listeners) listener(member, leadership)
        },
      },
    )
  const running = isRunning
  const status = (member) =>
    httpPutJson(agent, `${member.url}/status`, '', { method: 'GET', timeoutMs: 1_000 }).catch(() => undefined)

  const findLeader = async () => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const statuses = await Promise.all(members.map((m) => (running(m) ? status(m) : undefined)))
      let best = -1
      statuses.forEach((s, i) => {
        if (s?.role === 'leader' && (best < 0 || s.term > statuses[best].term)) best = i
      })
      if (best >= 0) return { member: members[best], term: statuses[best].term }
      await sleep(100)
    }
    throw new Error('no member of our cluster reports itself as the leader')
  }

  let stopping
  const stop = () => {
    stopping ??= (async () => {
      await stopMembers(members, STOP_GRACE_MS)
      agent.destroy()
      rmSync(OUR_DATA_DIR, { recursive: true, force: true })
    })()
    return stopping
  }

  try {
    await Promise.all(members.map(startMember))
    await findLeader()
  } catch (error) {
    await stop()
    throw error
  }
  return {
    members,
    findLeader,
    kill: killMember,
    restart: startMember,
    stop,
    onLeader(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

/** One write to our cluster: PUT <endpoint>/kv/<key> with the value as a JSON string of its base64. */
function ourPut(agent, endpoint, key, value, timeoutMs) {
  return httpPutJson(
    agent,
    `${endpoint}/kv/${encodeURIComponent(key)}`,
    JSON.stringify(Buffer.from(value).toString('base64')),
    { method: 'PUT', ...(timeoutMs ? { timeoutMs } : {}) },
  )
}

// ---------------------------------------------------------------------------------------------------------
// Part 1: throughput and latency.

// The user + system CPU time, in seconds, of the processes `pids` (from /proc/<pid>/stat, in clock ticks of
// 10 ms), 0 for those already gone.
function cpuSeconds(pids) {
  let ticks = 0
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // Gone.
    }
  }
  return ticks / 100
}

/**
 * One load run at the endpoint `endpointOf()` names at its start. `observe(endpoint)`, when given, is called
 * before the run and resolves with a function called after it, whose result is added to the run (ours: the
 * longest stall of the leader's event loop during the run). The run also gets `memberCores`: the CPU used by
 * the processes `pids` (the members) during the run, in cores.
 */
async function loadRun(concurrency, endpointOf, put, observe, pids, runDurationMs = durationMs) {
  const endpoint = await endpointOf()
  const observed = observe ? await observe(endpoint) : undefined
  const cpuBefore = cpuSeconds(pids)
  const wallBefore = performance.now()
  const run = await runPutLoad({
    endpoints: [endpoint],
    concurrency,
    valueBytes: VALUE_BYTES,
    durationMs: runDurationMs,
    warmupMs,
    put,
  })
  // The CPU time of the members over the whole run, warm-up included, as a number of cores kept busy.
  run.memberCores = (cpuSeconds(pids) - cpuBefore) / ((performance.now() - wallBefore) / 1000)
  if (observed) Object.assign(run, await observed())
  if (run.errors > 0) log(`    ${run.errors} failed writes, the first: ${run.firstError}`)
  return run
}

const rounded = (run) => ({
  commitsPerSecond: Math.round(run.commitsPerSecond),
  p50Ms: Number(run.p50Ms.toFixed(2)),
  p99Ms: Number(run.p99Ms.toFixed(2)),
  memberCores: Number(run.memberCores.toFixed(2)),
  cpuMsPerCommit: Number(((run.memberCores * 1000) / run.commitsPerSecond).toFixed(3)),
  ...(run.errors ? { errors: run.errors } : {}),
  ...(run.leaderEventLoopMaxMs !== undefined ? { leaderEventLoopMaxMs: run.leaderEventLoopMaxMs } : {}),
  ...(run.leaderGc ? { leaderGc: run.leaderGc } : {}),
  ...(run.termsDuringRun ? { termsDuringRun: run.termsDuringRun } : {}),
})

// Resets the leader's event-loop delay histogram before a run and reads its maximum after it.
async function observeLeaderEventLoop(endpoint) {
  const agent = createLoadAgent(1)
  const status = (query) => httpPutJson(agent, `${endpoint}/status${query}`, '', { method: 'GET' })
  const before = await status('?reset=1')
  return async () => {
    const after = await status('')
    agent.destroy()
    return {
      leaderEventLoopMaxMs: after.eventLoopDelay?.maxMs,
      leaderGc: after.gc,
      ...(after.term !== before.term ? { termsDuringRun: after.term - before.term } : {}),
    }
  }
}

async function measureThroughput() {
  const ours = new Map()
  const etcd = new Map()
  log(
    `throughput: 3 members each, ${VALUE_BYTES}-byte values, ${warmupMs} ms warm-up + ${durationMs} ms, best of ${repeats}` +
      ' (the runs of both alternate, so that both see the same machine)',
  )
  // Ours: the members look at their role every 100 ms only (the leader events do not matter here), so the
  // watching costs nothing next to the writes.
  const cluster = await startOurCluster({ watchMs: 100 })
  // Our writes go to the leader found before each run; should it lose its leadership during the run (its
  // 503 answer counts as a failed write), the clients move to the new one.
  let ourLeader
  let looking
  const findOurLeader = async () => {
    looking ??= cluster.findLeader().finally(() => {
      looking = undefined
    })
    ourLeader = (await looking).member.url
    return ourLeader
  }
  const putToOurLeader = (client, key, value) =>
    ourPut(client.agent, ourLeader, key, value).catch((error) => {
      if (error.status === 503) findOurLeader().catch(() => {})
      throw error
    })
  let etcdCluster
  try {
    etcdCluster = await startEtcdCluster({ dataDir: join(CACHE_DIR, 'etcd'), log: (l) => log(`  ${l}`) })
    for (const member of etcdCluster.members) etcdPids.add(member.pid)
    // One warm-up per cluster before anything is measured, the same for both: our members run on a JIT
    // compiler, which needs some seconds of traffic before the request path is compiled (etcd is compiled
    // ahead of time). Without it our first runs measure the compiler's warm-up rather than a serving cluster.
    if (clusterWarmupMs > 0) {
      log(`  warming both clusters up: ${clusterWarmupMs} ms each at 16 clients, not measured`)
      await loadRun(16, findOurLeader, putToOurLeader, undefined, [], clusterWarmupMs)
      await loadRun(
        16,
        () => etcdCluster.leaderEndpoint(),
        (client, key, value) => etcdPut(client.agent, client.endpoint, key, value),
        undefined,
        [],
        clusterWarmupMs,
      )
    }
    for (const concurrency of concurrencies) {
      for (let i = 0; i < repeats; i++) {
        const o = await loadRun(
          concurrency,
          findOurLeader,
          putToOurLeader,
          observeLeaderEventLoop,
          cluster.members.map((m) => m.child.pid),
        )
        const e = await loadRun(
          concurrency,
          () => etcdCluster.leaderEndpoint(),
          (client, key, value) => etcdPut(client.agent, client.endpoint, key, value),
          undefined,
          etcdCluster.members.map((m) => m.pid),
        )
        log(
          `  concurrency ${concurrency}, run ${i + 1}: ours ${o.commitsPerSecond.toFixed(0)} commits/s` +
            ` (p99 ${o.p99Ms.toFixed(1)} ms, longest stall of the leader's event loop ${o.leaderEventLoopMaxMs} ms` +
            `${o.leaderGc ? `, GC pauses: ${o.leaderGc.minorCount} minor (max ${o.leaderGc.minorMaxMs}, total ${o.leaderGc.minorTotalMs} ms), ${o.leaderGc.majorCount} major (max ${o.leaderGc.majorMaxMs}, total ${o.leaderGc.majorTotalMs} ms)` : ''}` +
            `${o.termsDuringRun ? `, ${o.termsDuringRun} new term(s): an election during the run` : ''}),` +
            ` etcd ${e.commitsPerSecond.toFixed(0)} commits/s (p99 ${e.p99Ms.toFixed(1)} ms);` +
            ` members' CPU: ours ${o.memberCores.toFixed(2)} cores, etcd ${e.memberCores.toFixed(2)} cores`,
        )
        // The shape of each latency distribution, and the load generator's own GC pauses (which delay the
        // writes it is measuring, for both sides alike).
        for (const [side, run] of [
          ['ours', o],
          ['etcd', e],
        ])
          log(
            `    ${side} latency ms: ${LATENCY_QUANTILES.map((q) => `p${q * 100} ${percentile(run.sortedLatencies, q).toFixed(2)}`).join(', ')};` +
              ` load generator GC: ${run.loadGc.count} pauses, ${run.loadGc.totalMs.toFixed(1)} ms`,
          )
        if (!ours.has(concurrency) || o.commitsPerSecond > ours.get(concurrency).commitsPerSecond)
          ours.set(concurrency, o)
        if (!etcd.has(concurrency) || e.commitsPerSecond > etcd.get(concurrency).commitsPerSecond)
          etcd.set(concurrency, e)
      }
    }
  } finally {
    await etcdCluster?.stop()
    etcdPids.clear()
    await cluster.stop()
  }

  const measuredAt = new Date().toISOString().slice(0, 10)
  const rows = concurrencies.map((concurrency) => ({
    concurrency,
    ours: rounded(ours.get(concurrency)),
    etcd: rounded(etcd.get(concurrency)),
    measuredAt,
  }))
  log('')
  log(
    'concurrency │      ours  c/s    p50 ms    p99 ms │      etcd  c/s    p50 ms    p99 ms │ ours/etcd c/s   p99',
  )
  for (const row of rows) {
    const o = ours.get(row.concurrency)
    const e = etcd.get(row.concurrency)
    log(
      `${String(row.concurrency).padStart(11)} │ ${o.commitsPerSecond.toFixed(0).padStart(13)} ${o.p50Ms.toFixed(2).padStart(9)} ${o.p99Ms.toFixed(2).padStart(9)} │` +
        ` ${e.commitsPerSecond.toFixed(0).padStart(13)} ${e.p50Ms.toFixed(2).padStart(9)} ${e.p99Ms.toFixed(2).padStart(9)} │` +
        ` ${(o.commitsPerSecond / e.commitsPerSecond).toFixed(2).padStart(13)} ${(o.p99Ms / e.p99Ms).toFixed(2).padStart(5)}`,
    )
  }
  return rows
}

// ---------------------------------------------------------------------------------------------------------
// Part 2: elections after the leader's death, with no acknowledged write lost.

/**
 * A light write load on our cluster that follows the leader: `concurrency` clients, each writing one value at
 * a time to a new key (light/<client>/<n>) at the member it believes is the leader; after a failure it asks the
 * members who leads now and goes on. `stop()` ends it and resolves with the acknowledged writes (key → value).
 */
function startLightLoad(cluster, concurrency) {
  const agent = createLoadAgent(concurrency)
  const acknowledged = new Map()
  let attempted = 0
  let failed = 0
  let stopped = false
  let leaderUrl
  let looking
  const lookForLeader = () => {
    looking ??= cluster
      .findLeader()
      .then(({ member }) => {
        leaderUrl = member.url
      })
      .catch(() => {})
      .finally(() => {
        looking = undefined
      })
    return looking
  }
  const runClient = async (id) => {
    for (let n = 0; !stopped; n++) {
      if (!leaderUrl) await lookForLeader()
      const key = `light/${id}/${n}`
      const value = Buffer.from(`${id}:${n}:${Math.random()}`)
      attempted++
      try {
        await ourPut(agent, leaderUrl, key, value, 2_000)
        acknowledged.set(key, value.toString('base64'))
      } catch {
        failed++
        leaderUrl = undefined
        await sleep(10)
      }
    }
  }
  const clients = Promise.all(Array.from({ length: concurrency }, (_, id) => runClient(id)))
  return {
    async stop() {
      stopped = true
      await clients
      agent.destroy()
      return { acknowledged, attempted, failed }
    },
  }
}

/** Reads every acknowledged write back from the leader; resolves with the keys missing or different. */
async function lostWrites(cluster, acknowledged) {
  const agent = createLoadAgent(16)
  const keys = [...acknowledged.keys()]
  const lost = []
  let leaderUrl = (await cluster.findLeader()).member.url
  const check = async (key) => {
    for (let attempt = 0; ; attempt++) {
      try {
        const value = await httpPutJson(agent, `${leaderUrl}/kv/${encodeURIComponent(key)}`, '', {
          method: 'GET',
          timeoutMs: 5_000,
        })
        if (value !== acknowledged.get(key)) lost.push({ key, found: value })
        return
      } catch (error) {
        if (error.status === 404) {
          lost.push({ key, found: null })
          return
        }
        if (attempt >= 5) throw error
        await sleep(200)
        leaderUrl = (await cluster.findLeader()).member.url
      }
    }
  }
  let next = 0
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < keys.length) await check(keys[next++])
    }),
  )
  agent.destroy()
  return lost
}

async function measureElections() {
  log(`\nelections: ${kills} SIGKILLs of the leader under ${LIGHT_LOAD_CONCURRENCY} writing clients`)
  const cluster = await startOurCluster({ watchMs: 1 })
  const samples = []
  let noLeader = 0
  let load
  let loadResult
  try {
    load = startLightLoad(cluster, LIGHT_LOAD_CONCURRENCY)
    await sleep(1_000)
    for (let k = 0; k < kills; k++) {
      const { member: leader, term } = await cluster.findLeader()
      const survivors = cluster.members.filter((m) => m !== leader)
      let unsubscribe
      const elected = new Promise((resolveElected) => {
        unsubscribe = cluster.onLeader((member, event) => {
          if (survivors.includes(member) && event.term > term) resolveElected(event)
        })
      })
      const killedAt = Date.now()
      const killed = cluster.kill(leader)
      const event = await Promise.race([elected, sleep(ELECTION_WAIT_MS).then(() => undefined)])
      unsubscribe()
      await killed
      if (event) {
        samples.push(event.atMs - killedAt)
        log(
          `  kill ${k + 1}: ${leader.id} (term ${term}) → new leader in term ${event.term} after ${event.atMs - killedAt} ms`,
        )
      } else {
        noLeader++
        log(`  kill ${k + 1}: ${leader.id} (term ${term}) → no new leader within ${ELECTION_WAIT_MS} ms`)
      }
      await cluster.restart(leader)
      await sleep(1_000)
    }
    loadResult = await load.stop()
    load = undefined
    const lost = await lostWrites(cluster, loadResult.acknowledged)
    const sorted = [...samples].sort((a, b) => a - b)
    const within = samples.filter((s) => s <= 2 * ELECTION_TIMEOUT_MS).length
    const election = {
      kills,
      electionTimeoutMs: ELECTION_TIMEOUT_MS,
      samplesMs: samples,
      minMs: sorted[0],
      p50Ms: percentile(sorted, 0.5),
      p90Ms: percentile(sorted, 0.9),
      maxMs: sorted.at(-1),
      within2xFraction: Number((within / kills).toFixed(3)),
      ...(noLeader ? { noLeaderWithinMs: { ms: ELECTION_WAIT_MS, count: noLeader } } : {}),
      lightLoad: {
        concurrency: LIGHT_LOAD_CONCURRENCY,
        attempted: loadResult.attempted,
        acknowledged: loadResult.acknowledged.size,
        failed: loadResult.failed,
      },
      lostAcknowledgedWrites: lost.length,
      measuredAt: new Date().toISOString().slice(0, 10),
    }
    log(
      `  election time (ms): min ${election.minMs}  p50 ${election.p50Ms}  p90 ${election.p90Ms}  max ${election.maxMs}` +
        `  within 2 × ${ELECTION_TIMEOUT_MS} ms: ${within}/${kills}`,
    )
    log(
      `  light load: ${loadResult.acknowledged.size} writes acknowledged, ${loadResult.failed} failed (of ${loadResult.attempted})`,
    )
    log(`  lost acknowledged writes: ${lost.length}`)
    if (lost.length) log(`  first lost: ${JSON.stringify(lost.slice(0, 5))}`)
    return election
  } finally {
    if (load) await load.stop().catch(() => {})
    await cluster.stop()
  }
}

// ---------------------------------------------------------------------------------------------------------

const out = join(here, 'results', 'raft.json')
const previous = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {}
const results = {
  benchmark: 'raft',
  command: 'pnpm bench raft',
  node: process.version,
  etcdVersion: etcdVersion(),
  valueBytes: VALUE_BYTES,
  // Both clusters and the load generator share these cores; other work on the machine shows in the load.
  cpus: availableParallelism(),
  loadAverageAtStart: Number(loadavg()[0].toFixed(2)),
  repeats,
  durationMs,
  warmupMs,
  clusterWarmupMs,
  throughput: previous.throughput ?? [],
  ...(previous.election ? { election: previous.election } : {}),
}
log(`${results.cpus} cores, load average ${results.loadAverageAtStart} at the start`)
try {
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true })
  if (parts.includes('throughput')) {
    const rows = await measureThroughput()
    const rerun = new Set(rows.map((row) => row.concurrency))
    results.throughput = [...results.throughput.filter((row) => !rerun.has(row.concurrency)), ...rows].sort(
      (a, b) => a.concurrency - b.concurrency,
    )
  }
  if (parts.includes('election')) results.election = await measureElections()
} finally {
  cleanUp()
  if (existsSync(join(here, '.cache')) && readdirSync(join(here, '.cache')).length === 0)
    rmSync(join(here, '.cache'), { recursive: true, force: true })
}
mkdirSync(dirname(out), { recursive: true })
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`)
log('results written to bench/results/raft.json')
