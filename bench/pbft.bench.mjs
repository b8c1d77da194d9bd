// `pnpm bench pbft`: PBFT ordering (internet mode) among 4 member processes on loopback (./pbft-peer.mjs: TCP
// sessions, channel `pbft`, Ed25519 signatures from node:crypto, keys generated here for each run).
//  1. Throughput and latency of ordered commands: the load generator of the Raft benchmark (./raft-load.mjs)
//     posts commands of 64 random bytes (POST /propose) over keep-alive HTTP, client i to member i mod 4, so
//     that every member is also a PBFT client (its pool of 64 clients signs requests, checks f + 1 replies);
//     `concurrency` clients (1, 16, 64, 256), each one command at a time, 1 s of warm-up then 5 s measured; the
//     best of BENCH_REPEATS (2) runs by commits/s is kept with its p50 and p99 latency, with batching (the
//     host's default, up to 64 requests per pre-prepare) and without (maxBatchRequests 1), whose runs
//     alternate (one cluster each, side by side) so that a busy moment of the machine does not fall on one
//     only. The CPU the 4 members used during a run is recorded beside it (in cores, and in ms per commit), with
//     what they did per command (from their GET /status counters): Ed25519 signatures made and checked,
//     messages between members, and the mean number of requests per pre-prepare; and, once per part, the CPU
//     the idle members use (no command at all, 3 s).
//  2. View change: under a light load (4 clients), the current primary (the one of the highest view the
//     members' GET /status report) is killed with SIGKILL BENCH_KILLS (10) times. From just before the kill, a probe command is posted
//     every 10 ms to a surviving member (round robin); a sample is the time to the first probe committed, and
//     the time until all 3 survivors report the same new primary in a higher view (polled every 10 ms). The
//     killed member is restarted on its data directory; the next kill waits until it is back (a command
//     posted through it commits and it reports the survivors' view) and 1 s more. Target: all within 2 s.
// BENCH_PARTS=throughput,viewchange runs some parts (the others keep their previous results); BENCH_CONCURRENCY
// (e.g. 16), BENCH_REPEATS, BENCH_KILLS, BENCH_DURATION_MS and BENCH_WARMUP_MS shorten a run; rows of
// concurrencies not rerun are kept from the previous results file, each row stamped with the date it was
// measured. BENCH_CPU_PROF=<dir> runs the members under --cpu-prof (profiles written there when they stop).
// BENCH_SIGNER=mac is a diagnostic: the members sign with the library's simulation MACs (keyed SHA-256, not for
// production) instead of Ed25519, to show what the signatures cost; its rows say so (`signer`).
// The data directories are under bench/.cache/pbft/ and are removed at the end, with every process this
// benchmark started, whether it succeeds or fails.
import { generateKeyPairSync, randomBytes } from 'node:crypto'
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
import { createLoadAgent, httpPutJson, percentile, runPutLoad } from './raft-load.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const PEER_SCRIPT = join(here, 'pbft-peer.mjs')
const CACHE_DIR = join(here, '.cache', 'pbft')
const MEMBER_IDS = ['m0', 'm1', 'm2', 'm3']
const VALUE_BYTES = 64
const BATCHING = 64
const LIGHT_LOAD_CONCURRENCY = 4
const PROBE_EVERY_MS = 10
const RECOVERY_WAIT_MS = 20_000
const BACK_WAIT_MS = 30_000
const TARGET_VIEW_CHANGE_MS = 2_000
const TARGET_OPS = 5_000
const STARTUP_TIMEOUT_MS = 30_000
const IDLE_SAMPLE_MS = 3_000
const STOP_GRACE_MS = 5_000

const parts = (process.env.BENCH_PARTS ?? 'throughput,viewchange').split(',')
const concurrencies = (process.env.BENCH_CONCURRENCY ?? '1,16,64,256').split(',').map(Number)
const repeats = Number(process.env.BENCH_REPEATS ?? 2)
const kills = Number(process.env.BENCH_KILLS ?? 10)
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 5_000)
const warmupMs = Number(process.env.BENCH_WARMUP_MS ?? 1_000)
// A diagnostic: `mac` replaces Ed25519 by the library's simulation MACs (keyed SHA-256; not for production).
const signer = process.env.BENCH_SIGNER === 'mac' ? 'mac' : 'ed25519'
const cpuProfDir = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined
const log = (line) => console.log(line)
const sleep = (ms) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms))

// Member processes are tracked by member-processes.mjs, so that none outlives the benchmark, however it ends.
const cleanUp = () => {
  killAllMembers()
  rmSync(CACHE_DIR, { recursive: true, force: true })
  if (existsSync(join(here, '.cache')) && readdirSync(join(here, '.cache')).length === 0)
    rmSync(join(here, '.cache'), { recursive: true, force: true })
}
process.on('exit', cleanUp)
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
  process.on(signal, () => {
    console.error(`\n${signal}: stopping`)
    process.exit(130)
  })

/**
 * Fresh Ed25519 keys for the members: the private key of each (PKCS#8 PEM) and every public key (SPKI PEM).
 *
 * @param {string[]} ids the member ids
 * @returns {{ privateKeys: Record<string, string>, publicKeys: Record<string, string> }}
 */
function memberKeys(ids) {
  const privateKeys = {}
  const publicKeys = {}
  for (const id of ids) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    privateKeys[id] = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    publicKeys[id] = publicKey.export({ type: 'spki', format: 'pem' }).toString()
  }
  return { privateKeys, publicKeys }
}

/**
 * Starts a 4-member PBFT cluster on loopback (fresh data directories under bench/.cache/pbft/<name>/<member>)
 * and resolves once a command posted through every member has committed.
 *
 * `kill(member)` sends SIGKILL and resolves once the process is gone; `restart(member)` starts it again on the
 * same ports, keys and data directory; `status(member)` is its GET /status (undefined when it does not
 * answer within 1 s); `propose(member, timeoutMs)` posts one command through it; `stop()` stops every member
 * (SIGTERM, SIGKILL after 5 s) and removes the data directories.
 *
 * @param {string} name the cluster's directory name (several clusters may run side by side)
 * @param {{ maxBatchRequests: number }} options the PBFT host's batching (1 turns it off)
 */
async function startCluster(name, { maxBatchRequests }) {
  const dataRoot = join(CACHE_DIR, name)
  rmSync(dataRoot, { recursive: true, force: true })
  const keys = memberKeys(MEMBER_IDS)
  const macSeed = randomBytes(4).readUInt32BE(0)
  const members = []
  for (const id of MEMBER_IDS) {
    const member = { id, port: await freePort(), httpPort: await freePort(), dataDir: join(dataRoot, id) }
    member.url = `http://127.0.0.1:${member.httpPort}`
    member.tail = ''
    mkdirSync(member.dataDir, { recursive: true })
    members.push(member)
  }
  const addresses = members.map((m) => ({ id: m.id, address: `tcp://127.0.0.1:${m.port}` }))
  const agent = createLoadAgent(members.length * 4)

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
        privateKey: keys.privateKeys[member.id],
        publicKeys: keys.publicKeys,
        maxBatchRequests,
        signer,
        macSeed,
      },
      {
        flags: cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [],
        startupTimeoutMs: STARTUP_TIMEOUT_MS,
      },
    )
  const running = isRunning
  const status = (member, timeoutMs = 1_000) =>
    running(member)
      ? httpPutJson(agent, `${member.url}/status`, '', { method: 'GET', timeoutMs }).catch(() => undefined)
      : Promise.resolve(undefined)
  const propose = (member, timeoutMs = 10_000) =>
    httpPutJson(agent, `${member.url}/propose`, randomBytes(VALUE_BYTES), { timeoutMs })

  let stopping
  const stop = () => {
    stopping ??= (async () => {
      await stopMembers(members, STOP_GRACE_MS)
      agent.destroy()
      rmSync(dataRoot, { recursive: true, force: true })
    })()
    return stopping
  }

  try {
    await Promise.all(members.map(startMember))
    // The first commands also open the sessions between the members (dialled on demand).
    await Promise.all(members.map((m) => retry(() => propose(m, 5_000), STARTUP_TIMEOUT_MS)))
  } catch (error) {
    await stop()
    throw error
  }
  return { members, kill: killMember, restart: startMember, status, propose, stop, running }
}

/**
 * Calls `attempt` until it resolves, for up to `withinMs` (100 ms between failures), and resolves with its
 * result; rejects with the last error after that.
 *
 * @template T
 * @param {() => Promise<T>} attempt
 * @param {number} withinMs
 * @returns {Promise<T>}
 */
async function retry(attempt, withinMs) {
  const until = performance.now() + withinMs
  for (;;) {
    try {
      return await attempt()
    } catch (error) {
      if (performance.now() > until) throw error
      await sleep(100)
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Part 1: throughput and latency.

/**
 * The user + system CPU time, in seconds, of the processes `pids` (from /proc/<pid>/stat, in clock ticks of
 * 10 ms), 0 for those already gone.
 *
 * @param {number[]} pids
 * @returns {number}
 */
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
 * One load run on `cluster`: `concurrency` clients posting commands, client i through member i mod 4. The run
 * also gets `memberCores`: the CPU the members used during it (warm-up included), in cores.
 *
 * @param {Awaited<ReturnType<typeof startCluster>>} cluster
 * @param {number} concurrency
 */
async function loadRun(cluster, concurrency) {
  const pids = cluster.members.map((m) => m.child.pid)
  const countersBefore = await clusterCounters(cluster)
  const cpuBefore = cpuSeconds(pids)
  const wallBefore = performance.now()
  let allCommits = 0
  const run = await runPutLoad({
    endpoints: cluster.members.map((m) => m.url),
    concurrency,
    valueBytes: VALUE_BYTES,
    durationMs,
    warmupMs,
    put: async (client, _key, value) => {
      await httpPutJson(client.agent, `${client.endpoint}/propose`, value)
      allCommits++
    },
  })
  run.allCommits = allCommits
  run.memberCores = (cpuSeconds(pids) - cpuBefore) / ((performance.now() - wallBefore) / 1000)
  const countersAfter = await clusterCounters(cluster)
  // Every command of the run, warm-up included (the counters cover it too); probes of the status excluded.
  const ops = run.allCommits
  const delta = (key) => countersAfter[key] - countersBefore[key]
  run.perOp =
    countersBefore && countersAfter && ops > 0
      ? {
          signs: delta('signs') / ops,
          verifies: delta('verifies') / ops,
          messages: delta('messages') / ops,
          // The primary sends each pre-prepare to the 3 others (retransmissions included).
          requestsPerBatch: ops / Math.max(1, delta('prePrepares') / (cluster.members.length - 1)),
          // View changes during the run (the primary is never killed here: each one is a timeout).
          viewChanges: delta('view'),
        }
      : undefined
  if (run.errors > 0) log(`    ${run.errors} failed commands, the first: ${run.firstError}`)
  return run
}

/**
 * The members' counters summed: Ed25519 signatures made and checked, PBFT messages sent between members, and
 * pre-prepares among them; and the highest view a member reports.
 *
 * @param {Awaited<ReturnType<typeof startCluster>>} cluster
 * @returns {Promise<{ signs: number, verifies: number, messages: number, prePrepares: number, view: number } | undefined>}
 *   undefined when a member does not answer
 */
async function clusterCounters(cluster) {
  const statuses = await Promise.all(cluster.members.map((m) => cluster.status(m, 10_000)))
  // A member that does not answer leaves the sum incomplete: no counts then.
  if (!statuses.every((s) => s?.counters)) return undefined
  const sum = { signs: 0, verifies: 0, messages: 0, prePrepares: 0, view: 0 }
  for (const s of statuses) {
    sum.view = Math.max(sum.view, s.view)
    sum.signs += s.counters.signs
    sum.verifies += s.counters.verifies
    for (const n of Object.values(s.counters.sent)) sum.messages += n
    sum.prePrepares += s.counters.sent.prePrepare ?? 0
  }
  return sum
}

/**
 * A run's row fields, rounded.
 *
 * @param {Awaited<ReturnType<typeof loadRun>>} run
 */
const rounded = (run) => ({
  opsPerSecond: Math.round(run.commitsPerSecond),
  p50Ms: run.commits ? Number(run.p50Ms.toFixed(2)) : null,
  p99Ms: run.commits ? Number(run.p99Ms.toFixed(2)) : null,
  memberCores: Number(run.memberCores.toFixed(2)),
  cpuMsPerOp: Number(((run.memberCores * 1000) / run.commitsPerSecond).toFixed(3)),
  // Over all members, per command: Ed25519 signatures and checks, messages between members, and the mean
  // number of requests in a pre-prepare.
  ...(run.perOp
    ? {
        ed25519SignsPerOp: Number(run.perOp.signs.toFixed(2)),
        ed25519VerifiesPerOp: Number(run.perOp.verifies.toFixed(2)),
        messagesPerOp: Number(run.perOp.messages.toFixed(2)),
        requestsPerBatch: Number(run.perOp.requestsPerBatch.toFixed(2)),
        viewChangesDuringRun: run.perOp.viewChanges,
      }
    : {}),
  ...(run.errors ? { errors: run.errors } : {}),
})

/**
 * Part 1: both clusters (batching and not) side by side, their runs alternating, best of `repeats` by ops/s
 * per concurrency. Resolves with one row per concurrency.
 */
async function measureThroughput() {
  log(
    `throughput: 4 members (${signer} signatures), ${VALUE_BYTES}-byte commands, ${warmupMs} ms warm-up + ${durationMs} ms, best of ${repeats}` +
      ` (batching up to ${BATCHING} requests and no batching alternate)`,
  )
  const variants = [
    { name: 'batching', maxBatchRequests: BATCHING },
    { name: 'noBatching', maxBatchRequests: 1 },
  ]
  const clusters = new Map()
  const rows = []
  try {
    for (const variant of variants)
      clusters.set(
        variant.name,
        await startCluster(variant.name, { maxBatchRequests: variant.maxBatchRequests }),
      )
    // What the members cost with no command at all (PBFT ticks every 10 ms, path sampling, gossip).
    const idleCores = {}
    for (const variant of variants) {
      const pids = clusters.get(variant.name).members.map((m) => m.child.pid)
      const before = cpuSeconds(pids)
      await sleep(IDLE_SAMPLE_MS)
      idleCores[variant.name] = Number(((cpuSeconds(pids) - before) / (IDLE_SAMPLE_MS / 1000)).toFixed(2))
    }
    log(
      `  idle: the 4 members use ${idleCores.batching} cores (batching), ${idleCores.noBatching} (no batching)`,
    )
    for (const concurrency of concurrencies) {
      const loadAverage = Number(loadavg()[0].toFixed(2))
      const best = new Map()
      for (let i = 0; i < repeats; i++) {
        for (const variant of variants) {
          const run = await loadRun(clusters.get(variant.name), concurrency)
          log(
            `  c=${concurrency} ${variant.name.padEnd(10)} run ${i + 1}: ${Math.round(run.commitsPerSecond)} ops/s,` +
              ` p50 ${run.p50Ms?.toFixed(2)} ms, p99 ${run.p99Ms?.toFixed(2)} ms, members ${run.memberCores.toFixed(2)} cores,` +
              (run.perOp
                ? ` per op ${run.perOp.signs.toFixed(1)} signs ${run.perOp.verifies.toFixed(1)} verifies` +
                  ` ${run.perOp.messages.toFixed(1)} messages, ${run.perOp.requestsPerBatch.toFixed(1)} requests/batch,` +
                  ` ${run.perOp.viewChanges} view changes`
                : ' (a member did not report its counters)'),
          )
          const previous = best.get(variant.name)
          if (!previous || run.commitsPerSecond > previous.commitsPerSecond) best.set(variant.name, run)
        }
      }
      const batching = rounded(best.get('batching'))
      const noBatching = rounded(best.get('noBatching'))
      rows.push({
        concurrency,
        measuredAt: new Date().toISOString(),
        // The machine's 1-minute load average when this concurrency's runs started.
        loadAverage,
        signer,
        batching,
        noBatching,
        ratio: Number((batching.opsPerSecond / Math.max(1, noBatching.opsPerSecond)).toFixed(2)),
        idleMemberCores: idleCores,
      })
    }
  } finally {
    await Promise.all([...clusters.values()].map((c) => c.stop()))
  }
  return rows
}

// ---------------------------------------------------------------------------------------------------------
// Part 2: view change after the primary's death.

/**
 * The view and primary the running members agree on: the highest view reported, with its primary, and the
 * members reporting it.
 *
 * @param {Awaited<ReturnType<typeof startCluster>>} cluster
 * @param {object[]} members the members to ask
 */
async function agreedView(cluster, members) {
  const statuses = await Promise.all(members.map((m) => cluster.status(m)))
  let view = -1
  let primary
  for (const s of statuses)
    if (s && s.view > view) {
      view = s.view
      primary = s.primary
    }
  const agreeing = statuses.filter((s) => s && s.view === view && s.primary === primary).length
  return { view, primary, agreeing, answered: statuses.filter(Boolean).length }
}

/**
 * Keeps `concurrency` clients posting commands (client i through member i mod 4; a failure waits 10 ms) until
 * `stop()` is called, and counts the commits and failures.
 *
 * @param {Awaited<ReturnType<typeof startCluster>>} cluster
 * @param {number} concurrency
 */
function lightLoad(cluster, concurrency) {
  let stopped = false
  const counts = { commits: 0, failures: 0 }
  const clients = Array.from({ length: concurrency }, async (_, i) => {
    const member = cluster.members[i % cluster.members.length]
    while (!stopped) {
      try {
        await cluster.propose(member, 5_000)
        counts.commits++
      } catch {
        counts.failures++
        await sleep(10)
      }
    }
  })
  return {
    counts,
    async stop() {
      stopped = true
      await Promise.all(clients)
    },
  }
}

/**
 * Part 2: kills the primary `kills` times under a light load and measures the time to the first commit through
 * a survivor and to the survivors' agreement on a new primary.
 */
async function measureViewChanges() {
  log(
    `view change: 4 members (batching), light load of ${LIGHT_LOAD_CONCURRENCY} clients, the primary killed ${kills} times`,
  )
  const loadAverage = Number(loadavg()[0].toFixed(2))
  const cluster = await startCluster('viewchange', { maxBatchRequests: BATCHING })
  let load
  const samples = []
  try {
    load = lightLoad(cluster, LIGHT_LOAD_CONCURRENCY)
    await sleep(1_000)
    for (let k = 0; k < kills; k++) {
      const before = await agreedView(cluster, cluster.members)
      const victim = cluster.members.find((m) => m.id === before.primary)
      if (!victim) throw new Error(`no primary agreed on: ${JSON.stringify(before)}`)
      const survivors = cluster.members.filter((m) => m !== victim)
      const killedAt = performance.now()
      await cluster.kill(victim)
      const killDoneMs = performance.now() - killedAt

      // The first probe committed through a survivor, probes issued every 10 ms from the kill on.
      const firstCommit = new Promise((resolveCommit) => {
        let done = false
        let n = 0
        const timer = setInterval(() => {
          if (done) return
          const issuedAt = performance.now()
          if (issuedAt - killedAt > RECOVERY_WAIT_MS) {
            done = true
            clearInterval(timer)
            resolveCommit(undefined)
            return
          }
          const member = survivors[n++ % survivors.length]
          cluster.propose(member, RECOVERY_WAIT_MS).then(
            () => {
              if (done) return
              done = true
              clearInterval(timer)
              resolveCommit({ ms: performance.now() - killedAt, via: member.id, probes: n })
            },
            () => {},
          )
        }, PROBE_EVERY_MS)
      })
      // All three survivors reporting one new primary in a higher view, polled every 10 ms.
      const newPrimary = (async () => {
        while (performance.now() - killedAt < RECOVERY_WAIT_MS) {
          const now = await agreedView(cluster, survivors)
          if (now.view > before.view && now.agreeing === survivors.length && now.primary !== victim.id)
            return { ms: performance.now() - killedAt, view: now.view, primary: now.primary }
          await sleep(PROBE_EVERY_MS)
        }
        return undefined
      })()
      const [commit, primary] = await Promise.all([firstCommit, newPrimary])
      const sample = {
        killed: victim.id,
        viewBefore: before.view,
        firstCommitMs: commit ? Number(commit.ms.toFixed(1)) : null,
        newPrimaryMs: primary ? Number(primary.ms.toFixed(1)) : null,
        newPrimary: primary?.primary ?? null,
        viewAfter: primary?.view ?? null,
        killTookMs: Number(killDoneMs.toFixed(1)),
      }
      // Restart the killed member on its data directory, and wait until it is back: a command through it
      // commits and it reports the view the survivors agree on.
      const restartedAt = performance.now()
      await cluster.restart(victim)
      let back = false
      try {
        await retry(() => cluster.propose(victim, 5_000), BACK_WAIT_MS)
        const until = performance.now() + BACK_WAIT_MS
        while (performance.now() < until) {
          const all = await agreedView(cluster, cluster.members)
          if (all.agreeing === cluster.members.length) {
            back = true
            break
          }
          await sleep(50)
        }
      } catch {
        back = false
      }
      sample.backAfterMs = Math.round(performance.now() - restartedAt)
      sample.back = back
      samples.push(sample)
      log(
        `  kill ${k + 1}: ${victim.id} (view ${before.view}) → first commit ${sample.firstCommitMs ?? '—'} ms,` +
          ` new primary ${sample.newPrimary ?? '—'} (view ${sample.viewAfter ?? '—'}) agreed after ${sample.newPrimaryMs ?? '—'} ms;` +
          ` restarted member ${back ? 'back' : 'NOT back'} after ${sample.backAfterMs} ms`,
      )
      await sleep(1_000)
    }
  } finally {
    const counts = load ? { ...load.counts } : undefined
    if (load) await load.stop().catch(() => {})
    await cluster.stop()
    if (counts) log(`  light load: ${counts.commits} commits, ${counts.failures} failed commands`)
  }
  const summary = (key) => {
    const values = samples.map((s) => s[key])
    const measured = values.filter((v) => v !== null).sort((a, b) => a - b)
    return {
      minMs: measured[0] ?? null,
      p50Ms: percentile(measured, 0.5),
      maxMs: measured.at(-1) ?? null,
      missing: values.length - measured.length,
      allWithinTarget: measured.length === values.length && measured.every((v) => v <= TARGET_VIEW_CHANGE_MS),
    }
  }
  return {
    measuredAt: new Date().toISOString(),
    loadAverage,
    signer,
    kills: samples.length,
    lightLoadConcurrency: LIGHT_LOAD_CONCURRENCY,
    targetMs: TARGET_VIEW_CHANGE_MS,
    firstCommit: summary('firstCommitMs'),
    newPrimary: summary('newPrimaryMs'),
    samples,
  }
}

/**
 * Prints the throughput rows as a table.
 *
 * @param {object[]} rows
 */
function printThroughput(rows) {
  log('')
  log('concurrency | batching ops/s   p50 ms   p99 ms | no batching ops/s   p50 ms   p99 ms | ratio')
  const ms = (v) => (typeof v === 'number' ? v.toFixed(2) : '—').padStart(8)
  for (const r of rows)
    log(
      `${String(r.concurrency).padStart(11)} | ${String(r.batching.opsPerSecond).padStart(14)} ${ms(r.batching.p50Ms)} ${ms(r.batching.p99Ms)} |` +
        ` ${String(r.noBatching.opsPerSecond).padStart(17)} ${ms(r.noBatching.p50Ms)} ${ms(r.noBatching.p99Ms)} | ${r.ratio.toFixed(2).padStart(5)}`,
    )
  const best = Math.max(...rows.map((r) => r.batching.opsPerSecond))
  log(`best with batching: ${best} ops/s (target ${TARGET_OPS}: ${best >= TARGET_OPS ? 'met' : 'not met'})`)
}

// ---------------------------------------------------------------------------------------------------------

const out = join(here, 'results', 'pbft.json')
const previous = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {}
const results = {
  benchmark: 'pbft',
  command: 'pnpm bench pbft',
  node: process.version,
  members: MEMBER_IDS.length,
  valueBytes: VALUE_BYTES,
  // The members and the load generator share these cores; other work on the machine shows in the load.
  cpus: availableParallelism(),
  loadAverageAtStart: loadavg().map((l) => Number(l.toFixed(2))),
  repeats,
  durationMs,
  warmupMs,
  targetOpsPerSecond: TARGET_OPS,
  throughput: previous.throughput ?? [],
  ...(previous.viewChange ? { viewChange: previous.viewChange } : {}),
}
log(`${results.cpus} cores, load average ${results.loadAverageAtStart.join(' ')} at the start`)
try {
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true })
  if (parts.includes('throughput')) {
    const rows = await measureThroughput()
    const rerun = new Set(rows.map((row) => row.concurrency))
    results.throughput = [...results.throughput.filter((row) => !rerun.has(row.concurrency)), ...rows].sort(
      (a, b) => a.concurrency - b.concurrency,
    )
    printThroughput(results.throughput)
  }
  if (parts.includes('viewchange')) {
    results.viewChange = await measureViewChanges()
    const { firstCommit, newPrimary } = results.viewChange
    log('')
    log('view change          |   min ms |   p50 ms |   max ms | missing | all ≤ 2 s')
    for (const [name, s] of [
      ['first commit', firstCommit],
      ['new primary agreed', newPrimary],
    ])
      log(
        `${name.padEnd(20)} | ${String(s.minMs).padStart(8)} | ${String(s.p50Ms).padStart(8)} | ${String(s.maxMs).padStart(8)} | ${String(s.missing).padStart(7)} | ${s.allWithinTarget ? 'yes' : 'no'}`,
      )
  }
} finally {
  cleanUp()
}
mkdirSync(dirname(out), { recursive: true })
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`)
log('results written to bench/results/pbft.json')
