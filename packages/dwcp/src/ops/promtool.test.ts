import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { METRIC_NAMES } from '@dwcp/core'
import { describe, expect, it } from 'vitest'
import {
  DEPLOY_DIR,
  PROMETHEUS_CONFIG_FILE,
  RULES_FILE,
  RULES_TEST_FILE,
  readAlertRules,
  readDashboard,
  readPanelQueries,
} from './test-fixtures/deploy-files.js'
import { requireBinary } from './test-fixtures/prometheus-server.js'
import { leftOfTopLevelComparison } from './test-fixtures/promql.js'

/** Runs promtool from the rules' directory, so the relative `rule_files` entries resolve as in production. */
function promtool(...args: string[]): { status: number | null; output: string } {
  requireBinary('promtool')
  const run = spawnSync('promtool', args, {
    cwd: `${DEPLOY_DIR}prometheus`,
    encoding: 'utf8',
    timeout: 30_000,
  })
  return { status: run.status, output: `${run.stdout}${run.stderr}` }
}

/** Every metric name a PromQL expression mentions, with histogram suffixes folded to the family name. */
function metricNamesIn(expr: string): string[] {
  const names = expr.match(/\bdwcp_[a-z_]+/g) ?? []
  return names.map((n) => n.replace(/_(bucket|sum|count)$/, ''))
}

const KNOWN_METRICS = new Set<string>(Object.values(METRIC_NAMES))
const RUNBOOK_ALERTS = [
  'DWCPHighErrorRate',
  'DWCPModeFlapping',
  'DWCPLowPredictionAccuracy',
  'DWCPHighSyncLatency',
]

describe('Prometheus rules (promtool)', () => {
  it('passes `promtool check rules`', () => {
    const { status, output } = promtool('check', 'rules', RULES_FILE)
    expect(status, output).toBe(0)
    expect(output).toMatch(/SUCCESS: \d+ rules found/)
  })

  it('passes `promtool test rules` (firing and quiet cases of every alert)', () => {
    const { status, output } = promtool('test', 'rules', RULES_TEST_FILE)
    expect(status, output).toBe(0)
    expect(output).toContain('SUCCESS')
  })

  it('has a firing and a quiet unit test for every alert', () => {
    const tests = readFileSync(RULES_TEST_FILE, 'utf8')
    for (const rule of readAlertRules()) {
      expect(tests, rule.alert).toMatch(
        new RegExp(`alertname: ${rule.alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`),
      )
      expect(tests, rule.alert).toMatch(new RegExp(`alertname: ${rule.alert}\\n\\s+exp_alerts: \\[\\]`))
    }
  })

  it("keeps the runbook's four alert names and uses only DWCP metric names", () => {
    const rules = readAlertRules()
    expect(rules.map((r) => r.alert)).toEqual(expect.arrayContaining(RUNBOOK_ALERTS))
    for (const rule of rules) {
      expect(rule.labels?.severity, rule.alert).toMatch(/^(info|warning|critical)$/)
      for (const name of metricNamesIn(rule.expr))
        expect(KNOWN_METRICS, `${rule.alert}: ${name}`).toContain(name)
    }
  })

  it('passes `promtool check config` on the example scrape configuration', () => {
    const { status, output } = promtool('check', 'config', PROMETHEUS_CONFIG_FILE)
    expect(status, output).toBe(0)
  })
})

describe('Grafana dashboard', () => {
  it('parses, has the datasource variable and a PromQL target on every panel', () => {
    const dashboard = readDashboard()
    expect(dashboard.templating.list.find((v) => v.name === 'datasource')?.type).toBe('datasource')
    expect(dashboard.panels.length).toBeGreaterThan(0)
    for (const panel of dashboard.panels) {
      const exprs = (panel.targets ?? []).map((t) => t.expr?.trim() ?? '').filter((e) => e.length > 0)
      expect(exprs.length, panel.title).toBeGreaterThan(0)
    }
  })

  it("has the runbook's key panels", () => {
    const titles = readDashboard().panels.map((p) => p.title.toLowerCase())
    for (const panel of [
      'network mode distribution',
      'transport throughput',
      'compression ratio over time',
      'prediction accuracy',
      'sync latency',
      'consensus latency',
      'placement success rate',
    ])
      expect(titles).toContain(panel)
  })

  it('queries only DWCP metric names', () => {
    for (const query of readPanelQueries())
      for (const name of metricNamesIn(query.expr))
        expect(KNOWN_METRICS, `${query.panel}: ${name}`).toContain(name)
  })
})

describe('leftOfTopLevelComparison (used by the scrape test)', () => {
  it('strips the outermost comparison and leaves matchers and nested ones alone', () => {
    expect(leftOfTopLevelComparison('dwcp_pba_prediction_accuracy < 0.7')).toBe(
      'dwcp_pba_prediction_accuracy',
    )
    expect(leftOfTopLevelComparison('sum without (code) (rate(x{a!="b",c=~"d>e"}[5m])) > 0.01')).toBe(
      'sum without (code) (rate(x{a!="b",c=~"d>e"}[5m]))',
    )
    expect(leftOfTopLevelComparison('1 - (a or b * 0) / c >= 0.1')).toBe('1 - (a or b * 0) / c')
    expect(leftOfTopLevelComparison('(x > 1) == 0')).toBe('(x > 1)')
    expect(leftOfTopLevelComparison('rate(x[5m])')).toBe('rate(x[5m])')
  })
})
