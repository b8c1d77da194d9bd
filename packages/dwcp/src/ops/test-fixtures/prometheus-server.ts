import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { stringify } from 'yaml'
import { freePort } from '../../test-fixtures/free-port.js'
import { readRulesFile } from './deploy-files.js'

/** Says how to get a missing Prometheus binary; the ops tests fail rather than skip without one. */
export const INSTALL_HINT =
  "install Debian's prometheus package (apt-get install prometheus), which ships promtool"

/** Throws with {@link INSTALL_HINT} unless `binary --version` runs. */
export function requireBinary(binary: 'prometheus' | 'promtool'): void {
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8' })
  if (probe.error || probe.status !== 0)
    throw new Error(`${binary} is not runnable (${probe.error?.message ?? probe.stderr}): ${INSTALL_HINT}`)
}

/** The body of a Prometheus HTTP API answer. */
export interface ApiAnswer<T> {
  status: 'success' | 'error'
  data: T
  errorType?: string
  error?: string
}

/** A running `prometheus` process and its HTTP API. */
export interface PrometheusServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string
  /** GET on the HTTP API (`/api/v1/...`), parsed. */
  api<T>(path: string, params?: Record<string, string>): Promise<ApiAnswer<T>>
  /** Instant query at the current time. */
  query(expr: string): Promise<ApiAnswer<{ resultType: string; result: unknown[] }>>
  /** Terminates the process and waits for it (SIGKILL after 5 s). */
  stop(): Promise<void>
}

/** Options of {@link startPrometheus}. */
export interface StartPrometheusOptions {
  /** `host:port` of every node to scrape (job `dwcp`). */
  targets: string[]
  /** Scratch directory for the config, the rules copy and the TSDB. */
  dir: string
}

/**
 * Starts the real `prometheus` with 1 s scrapes and rule evaluation over `targets`, loading the repository's
 * rules file. The rules are loaded from a copy whose group `interval` (30 s in production, as the runbook has
 * it) is lowered to 1 s: otherwise the first evaluation can be up to 30 s away and rule health stays
 * `unknown`. Expressions are not touched.
 */
export async function startPrometheus(options: StartPrometheusOptions): Promise<PrometheusServer> {
  requireBinary('prometheus')
  const rules = readRulesFile()
  const rulesCopy = join(options.dir, 'dwcp-rules.yml')
  writeFileSync(rulesCopy, stringify({ groups: rules.groups.map((g) => ({ ...g, interval: '1s' })) }))
  const configFile = join(options.dir, 'prometheus.yml')
  writeFileSync(
    configFile,
    stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s', scrape_timeout: '900ms' },
      rule_files: [rulesCopy],
      scrape_configs: [{ job_name: 'dwcp', static_configs: [{ targets: options.targets }] }],
    }),
  )
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const child = spawn(
    'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(options.dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    // Bounded: only the tail matters when explaining a failed start.
    stderr = (stderr + chunk).slice(-8192)
  })
  const server = prometheusServer(url, child)
  try {
    await waitReady(url, child, () => stderr)
  } catch (error) {
    await server.stop()
    throw error
  }
  return server
}

async function waitReady(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${stderr()}`)
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return
    } catch {
      // Not listening yet.
    }
    await sleep(100)
  }
  throw new Error(`prometheus was not ready within 20 s: ${stderr()}`)
}

function prometheusServer(url: string, child: ChildProcess): PrometheusServer {
  const api = async <T>(path: string, params: Record<string, string> = {}): Promise<ApiAnswer<T>> => {
    const res = await fetch(`${url}${path}?${new URLSearchParams(params)}`)
    return (await res.json()) as ApiAnswer<T>
  }
  return {
    url,
    api,
    query: (expr) => api('/api/v1/query', { query: expr }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    },
  }
}
