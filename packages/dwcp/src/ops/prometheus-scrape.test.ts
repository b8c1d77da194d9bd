import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { METRIC_DEFINITIONS, METRIC_NAMES, type MetricName } from '@dwcp/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readAlertRules, readPanelQueries } from './test-fixtures/deploy-files.js'
import { type OpsNodes, startOpsNodes } from './test-fixtures/ops-nodes.js'
import { type PrometheusServer, startPrometheus } from './test-fixtures/prometheus-server.js'
import { leftOfTopLevelComparison } from './test-fixtures/promql.js'

/**
 * End to end: real nodes doing real work (a live migration between two nodes, plain transfers, replicated state
 * writes through Raft and CRDT gossip, a mode change, a refused peer; see `ops-activity.ts`), served by the
 * observability handler, scraped by the real Prometheus every second with the repository's alert rules loaded.
 * No test code records a metric: every series comes from the nodes. Then every runbook metric must have moved,
 * and every dashboard query and every alert must evaluate to data. An alert expression compares
 * against a threshold and so is empty while the alert is quiet; for those the test evaluates the left-hand side
 * of the top-level comparison (what the threshold is applied to), and separately checks that the whole
 * expression evaluates without error.
 */

const panelQueries = readPanelQueries()
const alertRules = readAlertRules()
const dirs: string[] = []
let ops: OpsNodes | undefined
let prometheus: PrometheusServer | undefined

type Vector = { resultType: string; result: { metric: Record<string, string> }[] }

/**
 * A query that returns data only once the runbook metric `name` moved: a counter above 0, a histogram with
 * observations, a labelled gauge with a series (its series exist only once set). The registry exports a metric
 * without labels at 0 from the start, so for the one gauge without labels (the delta hit rate) only a value
 * above 0 shows it was set; the migrations' guest writes make later rounds send pages as deltas, so it must be.
 */
function movedQuery(name: MetricName): string {
  const definition = METRIC_DEFINITIONS[name]
  const selector = `${name}{job="dwcp"}`
  switch (definition.type) {
    case 'counter':
      return `sum(${selector}) > 0`
    case 'histogram':
      return `sum(${name}_count{job="dwcp"}) > 0`
    case 'gauge':
      return definition.labelNames.length > 0 ? `count(${selector})` : `max(${selector}) > 0`
  }
}

/** Runbook metrics that have not moved on any node (see {@link movedQuery}). */
async function unmovedMetrics(): Promise<string[]> {
  const names = Object.values(METRIC_NAMES)
  const moved = await Promise.all(names.map((name) => hasData(movedQuery(name))))
  return names.filter((_, i) => !moved[i])
}

/**
 * Sync latency from both of the runbook's mechanisms: Raft commits in the hybrid cluster, CRDT convergence in
 * the internet pair. The dashboard and the sync latency alert split on `mechanism`.
 */
const SYNC_MECHANISMS = ['raft', 'crdt'].map((mechanism): [string, string] => [
  mechanism,
  `sum(dwcp_ass_sync_latency_seconds_count{job="dwcp",mechanism="${mechanism}"}) > 0`,
])

/**
 * What a migration alone must move on the node that sends it (the fixture's node that does no plain
 * transfer): the codec's byte counters and ratio, and the placement counters.
 */
function migrationQueries(node: string): string[] {
  const on = `{job="dwcp",node="${node}"}`
  return [
    `sum(${METRIC_NAMES.hdeBytesOriginal}${on}) > 0`,
    `sum(${METRIC_NAMES.hdeBytesCompressed}${on}) > 0`,
    `${METRIC_NAMES.hdeCompressionRatio}${on}`,
    `sum(${METRIC_NAMES.placementAttempts}${on}) > 0`,
    `sum(${METRIC_NAMES.placementSuccess}${on}) > 0`,
  ]
}

/** What the real work did, for assertion messages: a missing series says whether its work ever ran. */
const work = (): string => `work so far: ${ops!.activity.tally.summary()}`

async function hasData(expr: string): Promise<boolean> {
  const answer = await prometheus!.query(expr)
  return answer.status === 'success' && (answer.data as Vector).result.length > 0
}

/** Polls until `done()` or the deadline; returns whether it got there. */
async function eventually(done: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await done()) return true
    await sleep(250)
  }
  return done()
}

type Target = { health: string; scrapeUrl: string; lastError: string }

beforeAll(async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'dwcp-ops-'))
  dirs.push(scratch)
  ops = await startOpsNodes(join(scratch, 'nodes'))
  prometheus = await startPrometheus({ targets: ops.nodes.map((n) => n.target), dir: scratch })
  const targetsUp = await eventually(async () => {
    const answer = await prometheus!.api<{ activeTargets: Target[] }>('/api/v1/targets')
    const targets = answer.data.activeTargets
    return targets.length === ops!.nodes.length && targets.every((t) => t.health === 'up')
  }, 15_000)
  if (!targetsUp) return // The targets test below reports which target is down and why.
  // rate() over 5m needs two samples in the window: with 1 s scrapes that is a few seconds of waiting, bounded.
  const exprs = [
    ...SYNC_MECHANISMS.map(([, expr]) => expr),
    ...migrationQueries(ops.activity.migrationOnly),
    ...panelQueries.map((q) => q.expr),
    ...alertRules.map((r) => leftOfTopLevelComparison(r.expr)),
  ]
  await eventually(
    async () =>
      (await unmovedMetrics()).length === 0 && (await Promise.all(exprs.map(hasData))).every(Boolean),
    20_000,
  )
  // This hook's bound is the sum of the waits above (a leader, Prometheus ready, targets up, data), each sized
  // for a busy machine, so a slow start fails the assertions that say what is missing instead of timing out here.
}, 90_000)

afterAll(async () => {
  await prometheus?.stop()
  await ops?.stop()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
}, 30_000)

describe('Prometheus scraping live DWCP nodes', () => {
  it('scrapes every node as an up target', async () => {
    const answer = await prometheus!.api<{ activeTargets: Target[] }>('/api/v1/targets')
    const byUrl = Object.fromEntries(answer.data.activeTargets.map((t) => [t.scrapeUrl, t]))
    for (const node of ops!.nodes) {
      const target = byUrl[`http://${node.target}/metrics`]
      expect(target?.health, `${node.id}: ${target?.lastError}`).toBe('up')
    }
  })

  it('did the real work: migrations, transfers, Raft and CRDT writes, refused dials', () => {
    const { tally } = ops!.activity
    for (const kind of ['migration', 'transfer', 'raft-write', 'crdt-write', 'refused-dial'])
      expect(tally.ok(kind), `${kind}; ${work()}`).toBeGreaterThan(0)
  })

  it('saw every runbook metric move on the nodes', async () => {
    expect(await unmovedMetrics(), work()).toEqual([])
  })

  it('moved the codec and placement metrics of a node by migrations alone', async () => {
    for (const expr of migrationQueries(ops!.activity.migrationOnly))
      expect(await hasData(expr), `${expr}; ${work()}`).toBe(true)
  })

  it.each(SYNC_MECHANISMS)('timed sync latency of mechanism %s', async (_mechanism, expr) => {
    expect(await hasData(expr), `${expr}; ${work()}`).toBe(true)
  })

  // A panel over a metric without labels has data even before any work (the registry exports it at 0 from
  // the start): the test above is the one that says whether such a metric moved.
  it.each(panelQueries.map((q) => [`${q.panel} (${q.refId})`, q.expr]))(
    'dashboard panel %s evaluates to data',
    async (_name, expr) => {
      const answer = await prometheus!.query(expr)
      expect(answer.status, `${expr}: ${answer.error}`).toBe('success')
      expect((answer.data as Vector).result.length, `${expr}; ${work()}`).toBeGreaterThan(0)
    },
  )

  it.each(alertRules.map((r) => [r.alert, r.expr]))(
    'alert %s evaluates without error and its left-hand side has data',
    async (_alert, expr) => {
      const whole = await prometheus!.query(expr)
      expect(whole.status, `${expr}: ${whole.error}`).toBe('success')
      const lhs = leftOfTopLevelComparison(expr)
      expect(lhs).not.toBe(expr.trim())
      const answer = await prometheus!.query(lhs)
      expect(answer.status, `${lhs}: ${answer.error}`).toBe('success')
      expect((answer.data as Vector).result.length, `${lhs}; ${work()}`).toBeGreaterThan(0)
    },
  )

  it('loads every alert rule and evaluates it with health "ok"', async () => {
    type Rules = { groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] }
    let rules: Rules['groups'][number]['rules'] = []
    // The groups evaluate every second; right after start a rule may not have been evaluated yet.
    await eventually(async () => {
      const answer = await prometheus!.api<Rules>('/api/v1/rules', { type: 'alert' })
      rules = answer.data.groups.flatMap((g) => g.rules)
      return rules.length === alertRules.length && rules.every((r) => r.health === 'ok')
    }, 10_000)
    expect(rules.map((r) => r.name).sort()).toEqual(alertRules.map((r) => r.alert).sort())
    for (const rule of rules) expect(rule.health, `${rule.name}: ${rule.lastError}`).toBe('ok')
  })

  it('serves each node health at /health with 200 for ok and 503 otherwise', async () => {
    for (const { id, node, target } of ops!.nodes) {
      const res = await fetch(`http://${target}/health`)
      const body = (await res.json()) as { status: string; nodeId: string }
      expect(body.nodeId).toBe(id)
      expect(body.status).toBe(node.health().status)
      expect(res.status, id).toBe(body.status === 'ok' ? 200 : 503)
    }
    // A Raft member has every component, each up once its cluster has a leader: healthy.
    const raftMember = ops!.nodes.find((n) => n.id === 'ha')!
    expect((await fetch(`http://${raftMember.target}/health`)).status).toBe(200)
  })
})
