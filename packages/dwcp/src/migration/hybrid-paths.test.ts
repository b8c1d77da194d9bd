import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type LinkConditions, MemoryNetwork, memoryTransport } from '@dwcp/amst'
import {
  type JsonValue,
  METRIC_NAMES,
  type ModeTransition,
  type Replicator,
  type Session,
  type StateChange,
  seededRandom,
} from '@dwcp/core'
import type { PrometheusMetrics } from '@dwcp/metrics'
import { afterEach, describe, expect, it } from 'vitest'
import { createNode } from '../create-node.js'
import { MODE_DEFAULTS } from '../mode-defaults.js'
import type { DwcpNode } from '../node.js'
import { isPacingHeld } from '../pacing-holds.js'
import { acceptMigrations, type MigrationReceiver } from './accept.js'
import type { FileWorkload } from './file-workload.js'
import { type MigrationProgress, type MigrationSummary, migrate } from './migrate.js'
import { registerWorkload } from './placement.js'
import { makeWorkload, startWriter, waitFor } from './test-fixtures/migration-cluster.js'

const MiB = 1024 * 1024
/** Streams every session starts with: low, so that a path that asks for more visibly gets them. */
const INITIAL_STREAMS = 2
/** Streams a datacenter path's sessions are put on when the path is classified. */
const DATACENTER_STREAMS = MODE_DEFAULTS.datacenter.transport.streams
/** The slow peer's emulated link: 50 ms each way (100 ms RTT), 1 % loss, 50 Mbit/s per stream. */
/** Path sampling and RTT pings: fast, so that the test runs in seconds. */
const SAMPLE_MS = 50
const PING_MS = 25
const SLOW_LINK: Partial<LinkConditions> = { latencyMs: 50, lossRate: 0.01, rateBps: 50e6 }

let stopAll: (() => Promise<void>) | undefined
afterEach(async () => {
  await stopAll?.()
  stopAll = undefined
})

/** Replicated state of one node, in a map: the placements need a home, this test is not about consensus. */
function localState(): Replicator {
  const data = new Map<string, JsonValue>()
  const observers = new Set<{ prefix: string; listener: (change: StateChange) => void }>()
  const notify = (change: StateChange): void => {
    for (const o of observers) if (change.key.startsWith(o.prefix)) o.listener(change)
  }
  return {
    consistency: 'linearizable',
    async start() {},
    async stop() {},
    async get(key) {
      return data.get(key)
    },
    async set(key, value) {
      data.set(key, value)
      notify({ key, value })
    },
    async delete(key) {
      data.delete(key)
      notify({ key, value: undefined })
    },
    observe(prefix, listener) {
      const o = { prefix, listener }
      observers.add(o)
      return () => observers.delete(o)
    },
  }
}

interface World {
  a: DwcpNode
  b: DwcpNode
  c: DwcpNode
  dirs: Record<'a' | 'b' | 'c', string>
  workloads: FileWorkload[]
  receivers: MigrationReceiver[]
}

/**
 * Three hybrid nodes whose modes are measured (not forced), sampling their paths every 50 ms over sessions
 * that ping every 25 ms: a is the source (placements in a local map), b will sit on a fast in-memory link and
 * c on a slow, lossy emulated one. Nothing is connected yet.
 */
async function makeWorld(): Promise<World> {
  const root = mkdtempSync(join(tmpdir(), 'dwcp-hybrid-paths-'))
  const network = new MemoryNetwork()
  const dirs = { a: join(root, 'a'), b: join(root, 'b'), c: join(root, 'c') }
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true })
  const hybrid = (id: 'a' | 'b' | 'c', conditions?: Partial<LinkConditions>): DwcpNode =>
    createNode('hybrid', {
      nodeId: id,
      listen: [`memory://hp-${id}`],
      transport: memoryTransport({
        network,
        streams: INITIAL_STREAMS,
        limits: { pingIntervalMs: PING_MS },
        ...(conditions ? { conditions } : {}),
      }),
      random: seededRandom(id.charCodeAt(0)),
      forceMode: false,
      sampleIntervalMs: SAMPLE_MS,
      // A class needs about 1 s of agreeing samples, as 3 samples do at the default 1 s interval (3 s).
      modeDetection: { confirmSamples: 1000 / SAMPLE_MS },
      ...(id === 'a' ? { replicator: localState() } : {}),
    })
  const world: World = {
    a: hybrid('a'),
    b: hybrid('b'),
    c: hybrid('c', SLOW_LINK),
    dirs,
    workloads: [],
    receivers: [],
  }
  stopAll = async () => {
    for (const r of world.receivers) r.close()
    for (const w of world.workloads) w.close()
    await Promise.all([world.a.stop(), world.b.stop(), world.c.stop()])
    rmSync(root, { recursive: true, force: true })
  }
  return world
}

async function transitionsCounted(node: DwcpNode): Promise<number> {
  const registry = (node.metrics as PrometheusMetrics).registry
  const metric = registry.getSingleMetric(METRIC_NAMES.amstModeTransitions)
  if (!metric) throw new Error('no mode transition counter')
  const { values } = await metric.get()
  return values.reduce((sum, v) => sum + v.value, 0)
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('hybrid mode: settings per peer path', () => {
  it('migrates to a fast and a slow peer at once, each with its path’s codec, streams and pacing; the mode metric moves once per path classification', async () => {
    const world = await makeWorld()
    const { a, b, c } = world
    // The images first: filling them is CPU work that would stretch the first round trips measured.
    const toB = await makeWorkload(world.dirs.a, 'vm-fast', 4 * MiB, 11)
    const toC = await makeWorkload(world.dirs.a, 'vm-slow', 4 * MiB, 12)
    world.workloads.push(toB, toC)
    const transitions: ModeTransition[] = []
    a.on('mode', (t) => transitions.push(t))
    await Promise.all([a.start(), b.start(), c.start()])
    world.receivers.push(
      acceptMigrations(b, { dir: world.dirs.b }),
      acceptMigrations(c, { dir: world.dirs.c }),
    )
    // A session's first round trips run cold code (a few ms here) and its smoothed RTT forgets them slowly, while
    // the detector classifies a path after about 1 s of samples: warm the session code up on a b–c session first.
    const warmUp = await b.connect('memory://hp-c')
    await sleep(500)
    await warmUp.close()
    await a.connect('memory://hp-b')
    await c.connect('memory://hp-a') // the slow link's emulation belongs to c's transport: c dials
    await registerWorkload(a, toB)
    await registerWorkload(a, toC)

    // Each path is classified once (b datacenter, c internet): hybrid → one class → hybrid, two transitions.
    const paths = () =>
      JSON.stringify({ mode: a.mode, transitions, b: a.session('b')?.sample(), c: a.session('c')?.sample() })
    await waitFor(() => transitions.length >= 2 && a.mode === 'hybrid', 8000).catch(() => {
      throw new Error(`paths not classified in time: ${paths()}`)
    })
    expect(transitions.map((t) => t.cause)).toEqual(['measured', 'measured'])
    expect(new Set(transitions.map((t) => t.peer))).toEqual(new Set(['b', 'c']))
    expect(await transitionsCounted(a)).toBe(2)
    // The codec looks at each path's latest sample when a migration starts: let b's settle below 1 ms (a busy
    // machine can stretch an in-memory round trip for a while; the wait is generous, not a speed bound).
    await waitFor(() => {
      const rtt = a.session('b')?.sample().rttMs ?? 0
      return rtt > 0 && rtt < 0.9 && (a.session('c')?.sample().rttMs ?? 0) > 50
    }, 10_000).catch(() => {
      throw new Error(`paths did not settle in time: ${paths()}`)
    })

    const sessionB = a.session('b') as Session & { pacingRateBps: number }
    const sessionC = a.session('c') as Session & { pacingRateBps: number }
    // A writer on the slow peer's workload: its pages go again after round 1, so some bulk data crosses the
    // slow path after the pacing is set from round 1's measured rate.
    const writer = startWriter(toC, { writesPerTick: 5 })
    let cDone = false
    let duringB: { cDone: boolean; bStreams: number; cStreams: number; bPacing: number } | undefined
    let duringC: { cPacing: number; bPacing: number } | undefined
    let pacingAfter: number | undefined
    const [sumB, sumC] = (await Promise.all([
      migrate({
        node: a,
        workload: toB,
        target: 'b',
        onProgress: () => {
          duringB ??= {
            cDone,
            bStreams: sessionB.streams,
            cStreams: sessionC.streams,
            bPacing: sessionB.pacingRateBps,
          }
        },
      }),
      migrate({
        node: a,
        workload: toC,
        target: 'c',
        onProgress: (p: MigrationProgress) => {
          if (p.phase === 'verify')
            duringC = { cPacing: sessionC.pacingRateBps, bPacing: sessionB.pacingRateBps }
        },
      }).finally(() => {
        cDone = true
        pacingAfter = sessionC.pacingRateBps
      }),
    ])) as [MigrationSummary, MigrationSummary]
    await writer.stop()
    if (process.env.MIGRATION_TEST_VERBOSE)
      console.log(JSON.stringify({ sumB, sumC, duringB, duringC, transitions }, null, 1))

    // The fast peer: datacenter class, round 1 whole through the class's codec (zero chunks as headers, lz4: the
    // image is 40 % zero pages), no pacing, the class's streams.
    expect(sumB).toMatchObject({ mode: 'hybrid', pathClass: 'datacenter', to: 'b' })
    expect(sumB.tuning).toMatchObject({
      fullRound: 'raw',
      level: 1,
      pacingRateBps: 0,
      streams: DATACENTER_STREAMS,
    })
    expect(sumB.perRound[0]?.wireBytes).toBeLessThan(0.5 * sumB.imageBytes)
    // The slow peer: internet class, round 1 zstd frames (fewer bytes than the image), paced, more streams.
    expect(sumC).toMatchObject({ mode: 'hybrid', pathClass: 'internet', to: 'c' })
    expect(sumC.tuning).toMatchObject({ fullRound: 'frames', level: 3 })
    expect(sumC.tuning.pacingRateBps).toBeGreaterThan(0)
    expect(sumC.tuning.streams).toBeGreaterThanOrEqual(4)
    expect(sumC.perRound[0]?.wireBytes).toBeLessThan(sumC.imageBytes)
    expect(writer.writes()).toBeGreaterThan(0)
    expect(sumC.perRound.slice(1).reduce((sum, r) => sum + r.wireBytes, 0)).toBeGreaterThan(0)
    expect(sumB.digest).not.toBe(sumC.digest)

    // Both settings were in force at once: while b's migration ran, c's was running with its own streams.
    expect(duringB).toMatchObject({ cDone: false, bStreams: DATACENTER_STREAMS, bPacing: 0 })
    expect(duringB?.cStreams).toBeGreaterThanOrEqual(4)
    expect(duringC?.cPacing).toBeGreaterThan(0)
    expect(duringC?.bPacing).toBe(0)
    // Pacing is the migration's while it runs; afterwards no hold is left and the migration's rate does not
    // linger: the rate the session had comes back, and the path policy keeps it at twice the path's forecast.
    expect(duringC?.cPacing).toBe(sumC.tuning.pacingRateBps)
    expect(isPacingHeld(sessionC)).toBe(false)
    expect(pacingAfter).not.toBe(sumC.tuning.pacingRateBps)

    expect(await a.state.get('placement/vm-fast')).toMatchObject({ host: 'b' })
    expect(await a.state.get('placement/vm-slow')).toMatchObject({ host: 'c' })

    // The paths stayed what they were: more samples (about 30 per path), no new transitions.
    await sleep(1500)
    expect(a.mode).toBe('hybrid')
    expect(transitions).toHaveLength(2)
    expect(await transitionsCounted(a)).toBe(2)
  }, 30_000)
})
