// `pnpm bench migrate`: live migration of a VM image over an emulated WAN path, beside a cold-copy reference
// measured in the same run on the same path. Needs root (the WAN emulator's namespaces).
//  - ours: a DWCP internet-mode source node in namespace A and a target node in namespace B (separate
//    processes, `tcp://` without TLS, one 2-member cluster with CRDT state for the placement). The image
//    (BENCH_IMAGE_MIB, default 2048 MiB, the vm-migration example's mix of zero, text, binary and random pages,
//    kept on disk in bench/.cache/migrate) is migrated while a writer dirties BENCH_DIRTY_PERCENT (default 5) %
//    of its pages per second with small writes. Reported: total time, downtime (the writer's whole pause:
//    stop-and-copy, comparison of the images, placement switch and commit), rounds, wire
//    bytes (the migration's summary, cross-checked with the delay line's IP byte counter A→B), and whether the
//    target's image hashes to the source's digest.
//  - reference: `zstd -3 -T1 -c image` piped into one TCP connection to a sink in B (a cold copy: no writer,
//    no iteration), timed until the sink acknowledged the last byte; plus the same zstd alone on this machine
//    (to /dev/null) for its CPU-bound rate.
// Targets on wan100loss1: total ≤ 45 s, downtime ≤ 500 ms, wire bytes ≤ 0.5 × image.
// BENCH_WAN_PROFILES (default wan100loss1,wan50) and BENCH_PARTS (ours,zstd) select what runs; rows of
// profiles not rerun are kept from the previous bench/results/migrate.json, each stamped with its date.
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { createWanEmulator, wanEmulatorAvailable } from '@dwcp/wan-emulator'
import { ensureImage, PAGE_MIX } from './migrate-image.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const MiB = 2 ** 20
const imageMiB = Number(process.env.BENCH_IMAGE_MIB ?? 2048)
const dirtyPercent = Number(process.env.BENCH_DIRTY_PERCENT ?? 5)
const profiles = (process.env.BENCH_WAN_PROFILES ?? 'wan100loss1,wan50').split(',')
const parts = (process.env.BENCH_PARTS ?? 'ours,zstd,probe').split(',')
const zstdLevel = 3
const probeMiB = Number(process.env.BENCH_PROBE_MIB ?? 256)
/** Longest wait for one migration (a 2 GiB image whose delta rounds cannot keep up takes many minutes). */
const MIGRATION_TIMEOUT_MS = Number(process.env.BENCH_MIGRATION_TIMEOUT_S ?? 1800) * 1000
const TARGETS = Object.freeze({ profile: 'wan100loss1', totalMs: 45_000, downtimeMs: 500, wireRatio: 0.5 })
const PORTS = Object.freeze({ node: 7100, sink: 7200 })
const cacheDir = join(here, '.cache', 'migrate')
const out = join(here, 'results', 'migrate.json')

/** Everything to undo on exit: emulators to stop and the per-run directory (the image itself is kept). */
const cleanup = { emulators: new Set(), runDirs: new Set() }

async function cleanUp() {
  for (const emulator of cleanup.emulators) await emulator.stop().catch(() => {})
  cleanup.emulators.clear()
  for (const dir of cleanup.runDirs) rmSync(dir, { recursive: true, force: true })
  cleanup.runDirs.clear()
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the emulator and removing the run's files`)
    cleanUp().finally(() => process.exit(130))
  })
}

/**
 * Reads JSON lines of a child's stdout; `next(key, timeoutMs)` resolves with the first line having `key`.
 * @param {import('node:child_process').ChildProcess} child
 * @param {string} name
 */
function jsonLines(child, name) {
  const seen = []
  const waiters = []
  const lines = createInterface({ input: child.stdout })
  lines.on('line', (line) => {
    let value
    try {
      value = JSON.parse(line)
    } catch {
      console.error(`${name}: ${line}`)
      return
    }
    if (value.progress && !Array.isArray(value.progress)) {
      const p = value.progress
      console.error(
        `  ${name}: ${(p.atMs / 1000).toFixed(1)} s ${p.phase} round ${p.round}, ${p.pagesTotal} pages, ${p.dirtyPages} dirty`,
      )
      return
    }
    seen.push(value)
    for (const waiter of [...waiters]) if (waiter.key in value) waiter.resolve(value)
  })
  let exited
  const exit = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `${name} exited (${signal ?? code})`
      resolve()
    }),
  )
  return {
    next(key, timeoutMs) {
      const found = seen.find((value) => key in value)
      if (found) return Promise.resolve(found)
      return new Promise((resolve, reject) => {
        const waiter = { key, resolve: (v) => done(() => resolve(v)) }
        const timer = setTimeout(
          () => done(() => reject(new Error(`${name}: no '${key}' in ${timeoutMs} ms`))),
          timeoutMs,
        )
        exit.then(() => setTimeout(() => done(() => reject(new Error(`${exited} before '${key}'`))), 200))
        const done = (fn) => {
          clearTimeout(timer)
          const i = waiters.indexOf(waiter)
          if (i < 0) return
          waiters.splice(i, 1)
          fn()
        }
        waiters.push(waiter)
      })
    },
  }
}

/** Delay-line counters of direction A→B and B→A between two `emulator.stats()` snapshots. */
function pathDelta(before, after) {
  const d = (dir, k) => after[dir][k] - before[dir][k]
  return {
    aToBIpBytes: d('aToB', 'bytesIn'),
    aToBPackets: d('aToB', 'packetsIn'),
    aToBDroppedLoss: d('aToB', 'droppedLoss'),
    aToBDroppedQueue: d('aToB', 'droppedQueue'),
    bToAIpBytes: d('bToA', 'bytesIn'),
  }
}

/**
 * Ours: target node in B, source node (with the writer) in A, migrating a fresh copy of the image.
 * @param {import('@dwcp/wan-emulator').WanEmulator} emulator
 * @param {{ path: string }} image
 */
async function runOurs(emulator, image) {
  const runDir = join(cacheDir, `run-${process.pid}`)
  cleanup.runDirs.add(runDir)
  rmSync(runDir, { recursive: true, force: true })
  mkdirSync(join(runDir, 'source'), { recursive: true })
  const copy = join(runDir, 'source', 'vm-1.img')
  copyFileSync(image.path, copy) // the writer changes the image: the cached one stays pristine
  const peer = join(here, 'migrate-peer.mjs')
  const stdio = ['pipe', 'pipe', 'inherit']
  const target = emulator.execNode(
    'b',
    peer,
    [
      'target',
      emulator.addressB,
      String(PORTS.node),
      emulator.addressA,
      String(PORTS.node),
      join(runDir, 'target'),
    ],
    { stdio },
  )
  const targetLines = jsonLines(target, 'target')
  try {
    await targetLines.next('ready', 30_000)
    const before = await emulator.stats()
    const source = emulator.execNode(
      'a',
      peer,
      [
        'source',
        emulator.addressA,
        String(PORTS.node),
        emulator.addressB,
        String(PORTS.node),
        join(runDir, 'source'),
        copy,
        String(dirtyPercent),
      ],
      { stdio },
    )
    const sourceLines = jsonLines(source, 'source')
    try {
      await sourceLines.next('ready', 60_000)
      const result = await sourceLines.next('summary', MIGRATION_TIMEOUT_MS)
      const committed = await targetLines.next('committed', 120_000)
      const after = await emulator.stats()
      source.stdin.end()
      target.stdin.end()
      const targetCpu = (await targetLines.next('cpu', 30_000)).cpu
      return { ...result, targetDigest: committed.digest, targetCpu, path: pathDelta(before, after) }
    } finally {
      source.stdin.end()
    }
  } finally {
    target.stdin.end()
    await new Promise((resolve) => setTimeout(resolve, 500))
    rmSync(runDir, { recursive: true, force: true })
    cleanup.runDirs.delete(runDir)
  }
}

/**
 * Reference: `zstd -3 -T1 -c image` into one TCP connection from A to a sink in B.
 * @param {import('@dwcp/wan-emulator').WanEmulator} emulator
 */
async function runZstdOverTcp(emulator, image) {
  const peer = join(here, 'migrate-peer.mjs')
  const sink = emulator.execNode('b', peer, ['sink', emulator.addressB, String(PORTS.sink)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const sinkLines = jsonLines(sink, 'sink')
  try {
    await sinkLines.next('ready', 30_000)
    const before = await emulator.stats()
    const result = await emulator.exec(
      'a',
      process.execPath,
      [peer, 'zstd-send', emulator.addressB, String(PORTS.sink), image.path, String(zstdLevel)],
      900_000,
    )
    const after = await emulator.stats()
    const line = result.stdout.trim().split('\n').at(-1)
    if (result.code !== 0 || !line) throw new Error(`zstd sender failed: ${result.stderr}`)
    const sent = JSON.parse(line)
    const received = await sinkLines.next('bytes', 30_000)
    if (received.bytes !== sent.bytes) throw new Error(`sink got ${received.bytes} of ${sent.bytes} bytes`)
    const congestion = await emulator.exec('a', 'sysctl', ['-n', 'net.ipv4.tcp_congestion_control'])
    return { ...sent, congestion: congestion.stdout.trim(), path: pathDelta(before, after) }
  } finally {
    sink.stdin.end()
  }
}

/**
 * Probe of the transport alone on this path (both ends discard; no encoding): BENCH_PROBE_MIB (default 256)
 * as one transfer, as 8 MiB transfers one after another (how migration rounds send their batches), and as
 * 8 MiB transfers four at a time.
 * @param {import('@dwcp/wan-emulator').WanEmulator} emulator
 */
async function runProbe(emulator) {
  const peer = join(here, 'migrate-peer.mjs')
  const target = emulator.execNode('b', peer, ['probe-target', emulator.addressB, String(PORTS.sink)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const targetLines = jsonLines(target, 'probe-target')
  try {
    await targetLines.next('ready', 30_000)
    const result = await emulator.exec(
      'a',
      process.execPath,
      [peer, 'probe-source', emulator.addressA, '0', String(probeMiB), emulator.addressB, String(PORTS.sink)],
      900_000,
    )
    const line = result.stdout.trim().split('\n').at(-1)
    if (result.code !== 0 || !line) throw new Error(`probe failed: ${result.stderr}`)
    return JSON.parse(line).probe
  } finally {
    target.stdin.end()
  }
}

/** `zstd -3 -T1` of the image to /dev/null on this machine: the compressor's CPU-bound rate. */
function zstdLocal(image) {
  const startedNs = process.hrtime.bigint()
  const result = spawnSync('sh', ['-c', `zstd -${zstdLevel} -T1 -q -c "$0" | wc -c`, image.path], {
    encoding: 'utf8',
  })
  if (result.status !== 0) throw new Error(`zstd failed: ${result.stderr}`)
  return { ms: Number(process.hrtime.bigint() - startedNs) / 1e6, bytes: Number(result.stdout.trim()) }
}

const fmtMiB = (bytes) => `${(bytes / MiB).toFixed(1)} MiB`
const fmtS = (ms) => `${(ms / 1000).toFixed(2)} s`
const fmtMbps = (bps) => `${(bps / 1e6).toFixed(0)} Mbit/s`
const mark = (ok) => (ok ? 'met' : 'MISSED')

function printProfile(row) {
  const { ours, zstd } = row
  console.log(`\n${row.profile}: ${row.link}`)
  console.log('                 total      downtime   rounds  wire bytes            ratio  image throughput')
  if (ours) {
    console.log(
      `ours             ${fmtS(ours.totalMs).padStart(9)}  ${`${ours.downtimeMs.toFixed(0)} ms`.padStart(8)}  ${String(ours.rounds).padStart(6)}  ${fmtMiB(ours.wireBytes).padStart(12)}  ${ours.wireRatio.toFixed(3).padStart(12)}  ${fmtMbps(ours.throughputBps).padStart(15)}`,
    )
    console.log(
      `  digest ${ours.digestMatches ? 'matches on the target' : 'MISMATCH'}; stopped pre-copy: ${ours.convergedBy}; writer ${ours.writer.pagesPerSecond} pages/s${ours.throttleBytesPerSecond ? ` (throttled to ${Math.round(ours.throttleBytesPerSecond / 1024)} KiB/s of writes at the end)` : ''}, ${ours.writer.writes} writes; measured wire rate ${fmtMbps(ours.actualBps)}, predicted ${ours.predictedBps === null ? 'n/a' : fmtMbps(ours.predictedBps)}`,
    )
    console.log(
      `  path A→B: ${fmtMiB(ours.path.aToBIpBytes)} IP bytes (${(ours.path.aToBIpBytes / ours.wireBytes).toFixed(3)} × summary wire bytes), ${ours.path.aToBDroppedLoss} packets lost, ${ours.path.aToBDroppedQueue} queue drops; CPU source ${fmtS(ours.sourceCpuMs)}, target ${fmtS(ours.targetCpuMs)}`,
    )
    console.log(
      '  round  kind           pages     raw          wire         time      encode    transfer  wire rate',
    )
    for (const r of ours.perRound)
      console.log(
        `  ${String(r.round).padStart(5)}  ${r.kind.padEnd(13)}  ${String(r.pages).padStart(7)}  ${fmtMiB(r.rawBytes).padStart(11)}  ${fmtMiB(r.wireBytes).padStart(11)}  ${fmtS(r.durationMs).padStart(8)}  ${fmtS(r.encodeMs).padStart(8)}  ${fmtS(r.transferMs).padStart(8)}  ${fmtMbps(r.transferMs > 0 ? (r.wireBytes * 8000) / r.transferMs : 0).padStart(12)}`,
      )
  }
  if (zstd)
    console.log(
      `zstd-${zstdLevel} 1×TCP     ${fmtS(zstd.totalMs).padStart(9)}  ${'-'.padStart(8)}  ${'1'.padStart(6)}  ${fmtMiB(zstd.wireBytes).padStart(12)}  ${zstd.wireRatio.toFixed(3).padStart(12)}  ${fmtMbps(zstd.throughputBps).padStart(15)}   (${zstd.congestion}; zstd alone finished at ${fmtS(zstd.zstdWallMs)})`,
    )
  if (row.probe) {
    const p = row.probe
    console.log(
      `transport alone, ${fmtMiB(p.totalBytes)}: one transfer ${fmtMbps(p.oneTransfer.mbps * 1e6)}; 8 MiB transfers one after another ${fmtMbps(p.sequential8MiB.mbps * 1e6)}; four at a time ${fmtMbps(p.fourAtATime8MiB.mbps * 1e6)}`,
    )
  }
  console.log(
    `  load average (1 min) before ${row.loadAverage1m.before.toFixed(2)}, after ${row.loadAverage1m.after.toFixed(2)} on ${cpus().length} cores`,
  )
  if (ours && zstd)
    console.log(
      `  ours / reference: time ${(ours.totalMs / zstd.totalMs).toFixed(2)}×, wire bytes ${(ours.wireBytes / zstd.wireBytes).toFixed(2)}×`,
    )
  if (ours && row.profile === TARGETS.profile) {
    console.log(
      `  targets: total ≤ ${TARGETS.totalMs / 1000} s ${mark(ours.targets.total)}; downtime ≤ ${TARGETS.downtimeMs} ms ${mark(ours.targets.downtime)}; wire ≤ ${TARGETS.wireRatio} × image ${mark(ours.targets.wire)}`,
    )
  }
}

async function main() {
  const availability = await wanEmulatorAvailable()
  if (!availability.available)
    throw new Error(`pnpm bench migrate needs the WAN emulator: ${availability.reason}`)
  mkdirSync(cacheDir, { recursive: true })
  const image = ensureImage(cacheDir, imageMiB * MiB)
  const composition = Object.fromEntries(
    Object.entries(image.pages).map(([kind, pages]) => [
      kind,
      { pages, share: Number((pages / (image.sizeBytes / 4096)).toFixed(4)) },
    ]),
  )
  console.log(
    `image: ${imageMiB} MiB, ${Object.entries(composition)
      .map(([k, v]) => `${(v.share * 100).toFixed(1)} % ${k}`)
      .join(
        ', ',
      )} pages${image.generatedMs === null ? ' (cached)' : `, generated in ${fmtS(image.generatedMs)}`}`,
  )
  console.log(
    `writer: ${dirtyPercent} % of the pages per second, 8–64 bytes per write; machine: ${cpus().length} cores`,
  )
  const measuredAt = new Date().toISOString().slice(0, 10)
  const local = parts.includes('zstd') ? zstdLocal(image) : undefined
  if (local)
    console.log(
      `zstd -${zstdLevel} -T1 alone (to /dev/null): ${fmtS(local.ms)}, ${(image.sizeBytes / 1e6 / (local.ms / 1000)).toFixed(0)} MB/s of image, ${fmtMiB(local.bytes)} (${(local.bytes / image.sizeBytes).toFixed(3)} of the image)`,
    )
  const rows = []
  for (const profile of profiles) {
    const emulator = await createWanEmulator({ profile, seed: 7 })
    cleanup.emulators.add(emulator)
    try {
      const { rttMs, lossRate, rateBps } = emulator.link
      const loadBefore = loadavg()
      const row = {
        profile,
        link: `RTT ${rttMs} ms, loss ${lossRate * 100} %, ${rateBps / 1e6} Mbit/s`,
        measuredAt,
      }
      if (parts.includes('ours')) {
        const r = await runOurs(emulator, image)
        const s = r.summary
        row.ours = {
          totalMs: s.totalMs,
          downtimeMs: s.downtimeMs,
          stopAndCopyMs: s.stopAndCopyMs,
          rounds: s.rounds,
          wireBytes: s.wireBytes,
          wireRatio: s.wireBytes / s.imageBytes,
          throughputBps: s.throughputBps,
          actualBps: s.actualBps,
          predictedBps: s.predictedBps,
          convergedBy: s.convergedBy,
          throttleBytesPerSecond: s.throttleBytesPerSecond,
          pathClass: s.pathClass,
          digestMatches: r.targetDigest === s.digest,
          placementHost: r.placement?.host ?? null,
          writer: r.writer,
          sourceCpuMs: r.cpu.userMs + r.cpu.systemMs,
          targetCpuMs: r.targetCpu.userMs + r.targetCpu.systemMs,
          path: r.path,
          perRound: s.perRound,
          progress: r.progress,
          pathSampleAtEnd: r.sample,
          predictionAtEnd: r.predictNow,
        }
        if (profile === TARGETS.profile)
          row.ours.targets = {
            total: s.totalMs <= TARGETS.totalMs,
            downtime: s.downtimeMs <= TARGETS.downtimeMs,
            wire: s.wireBytes <= TARGETS.wireRatio * s.imageBytes,
          }
      }
      if (parts.includes('zstd')) {
        const z = await runZstdOverTcp(emulator, image)
        row.zstd = {
          command: `zstd -${zstdLevel} -T1 -c image | one TCP connection`,
          totalMs: z.ms,
          zstdWallMs: z.zstdWallMs,
          wireBytes: z.bytes,
          wireRatio: z.bytes / image.sizeBytes,
          throughputBps: (image.sizeBytes * 8000) / z.ms,
          congestion: z.congestion,
          path: z.path,
        }
      }
      if (parts.includes('probe')) row.probe = await runProbe(emulator)
      // Other work on the machine competes with the peers and the delay line for the cores: record it.
      row.loadAverage1m = { before: loadBefore[0], after: loadavg()[0] }
      printProfile(row)
      rows.push(row)
    } finally {
      await emulator.stop()
      cleanup.emulators.delete(emulator)
    }
  }

  const previous = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : { profiles: [] }
  // A profile's parts not rerun keep their previous measurements (each part stamped with its row's date).
  const merged = rows.map((row) => {
    const before = (previous.profiles ?? []).find((r) => r.profile === row.profile)
    if (!before) return row
    const kept = Object.fromEntries(
      ['ours', 'zstd', 'probe']
        .filter((part) => !parts.includes(part) && before[part])
        .map((part) => [part, { ...before[part], measuredAt: before[part].measuredAt ?? before.measuredAt }]),
    )
    return { ...kept, ...row }
  })
  const rerun = new Set(rows.map((r) => r.profile))
  const results = {
    benchmark: 'migrate',
    command: 'pnpm bench migrate',
    node: process.version,
    cores: cpus().length,
    image: { sizeBytes: image.sizeBytes, seed: image.seed, mix: PAGE_MIX, composition },
    writer: {
      dirtyPercentPerSecond: dirtyPercent,
      writeBytes: '8-64',
      pagesPerSecond: Math.round(((image.sizeBytes / 4096) * dirtyPercent) / 100),
    },
    targets: TARGETS,
    zstdLocal: local ? { ...local, measuredAt } : previous.zstdLocal,
    profiles: [...(previous.profiles ?? []).filter((r) => !rerun.has(r.profile)), ...merged],
  }
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`)
  console.log('\nresults written to bench/results/migrate.json')
}

try {
  await main()
} finally {
  await cleanUp()
}
