import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readAlertRules, readPanelQueries } from './test-fixtures/deploy-files.js'
import { type OpsNodes, startOpsNodes } from './test-fixtures/ops-nodes.js'
import { type PrometheusServer, startPrometheus } from './test-fixtures/prometheus-server.js'
import { leftOfTopLevelComparison } from './test-fixtures/promql.js'

/**
 * End to end: real nodes with real activity, served by the observability handler, scraped by the real
 * Prometheus every second with the repository's alert rules loaded; then every dashboard query and every alert
 * must evaluate to data. An alert expression compares against a threshold and so is empty while the alert is
 * quiet; for those the test evaluates the left-hand side of the top-level comparison (what the threshold is
 * applied to), and separately checks that the whole expression evaluates without error.
 */

const panelQueries = readPanelQueries()
const alertRules = readAlertRules()
const dirs: string[] = []
let ops: OpsNodes | undefined
let prometheus: PrometheusServer | undefined

type Vector = { resultType: string; result: { metric: Record<string, string> }[] }

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
  ops = await startOpsNodes(join(scratch, 'nodes'), 'ops')
  prometheus = await startPrometheus({ targets: ops.nodes.map((n) => n.target), dir: scratch })
  const targetsUp = await eventually(async () => {
    const answer = await prometheus!.api<{ activeTargets: Target[] }>('/api/v1/targets')
    const targets = answer.data.activeTargets
    return targets.length === ops!.nodes.length && targets.every((t) => t.health === 'up')
  }, 15_000)
  if (!targetsUp) return // The targets test below reports which target is down and why.
  // rate() over 5m needs two samples in the window: with 1 s scrapes that is a few seconds of waiting, bounded.
  const exprs = [
    ...panelQueries.map((q) => q.expr),
    ...alertRules.map((r) => leftOfTopLevelComparison(r.expr)),
  ]
  await eventually(async () => (await Promise.all(exprs.map(hasData))).every(Boolean), 20_000)
}, 60_000)

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

  it.each(panelQueries.map((q) => [`${q.panel} (${q.refId})`, q.expr]))(
    'dashboard panel %s evaluates to data',
    async (_name, expr) => {
      const answer = await prometheus!.query(expr)
      expect(answer.status, `${expr}: ${answer.error}`).toBe('success')
      expect((answer.data as Vector).result.length, expr).toBeGreaterThan(0)
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
      expect((answer.data as Vector).result.length, lhs).toBeGreaterThan(0)
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
    // The Raft members have every component, so they are healthy; the standalone nodes lack cluster state.
    const raftMember = ops!.nodes.find((n) => n.id === 'ra')!
    expect((await fetch(`http://${raftMember.target}/health`)).status).toBe(200)
  })
})
