import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

/** The repository's `deploy/` directory, found from this file so tests run from any working directory. */
export const DEPLOY_DIR = fileURLToPath(new URL('../../../../../deploy/', import.meta.url))

/** The alert rules file, as operators install it. */
export const RULES_FILE = `${DEPLOY_DIR}prometheus/dwcp-rules.yml`
/** The promtool unit tests of {@link RULES_FILE}. */
export const RULES_TEST_FILE = `${DEPLOY_DIR}prometheus/dwcp-rules.test.yml`
/** The example scrape configuration. */
export const PROMETHEUS_CONFIG_FILE = `${DEPLOY_DIR}prometheus/prometheus.yml`
/** The Grafana dashboard the runbook imports. */
export const DASHBOARD_FILE = `${DEPLOY_DIR}grafana/dwcp-v3-overview.json`

/** One alerting rule of the rules file. */
export interface AlertRule {
  group: string
  alert: string
  expr: string
  labels?: Record<string, string>
}

/** One query of a dashboard panel. */
export interface PanelQuery {
  panel: string
  refId: string
  expr: string
}

interface RulesFile {
  groups: { name: string; interval?: string; rules: AlertRule[] }[]
}

interface Dashboard {
  panels: { title: string; type: string; targets?: { refId: string; expr?: string }[] }[]
  templating: { list: { name: string; type: string; allValue?: string }[] }
}

/** The parsed rules file. */
export function readRulesFile(): RulesFile {
  return parse(readFileSync(RULES_FILE, 'utf8')) as RulesFile
}

/** Every alerting rule, in file order. */
export function readAlertRules(): AlertRule[] {
  return readRulesFile().groups.flatMap((g) => g.rules.map((r) => ({ ...r, group: g.name })))
}

/** The parsed dashboard. Throws when it is not valid JSON. */
export function readDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard
}

/**
 * Every panel query with the dashboard's variables replaced as Grafana would for "All": `$node` becomes the
 * variable's `allValue` (`.+`), so the expression is plain PromQL that Prometheus can evaluate.
 */
export function readPanelQueries(): PanelQuery[] {
  const dashboard = readDashboard()
  const node = dashboard.templating.list.find((v) => v.name === 'node')?.allValue ?? '.+'
  return dashboard.panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({
      panel: p.title,
      refId: t.refId,
      expr: (t.expr ?? '').replaceAll('$node', node),
    })),
  )
}
