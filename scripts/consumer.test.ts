import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  pathWithout,
  publishablePackages,
  type RunResult,
  run,
  userEnvironment,
  writeHostApp,
} from './consumer/host-install.js'

// What a user gets from `npm install`: every publishable package packed as it would be published, installed
// into a fresh app with plain npm, and used the way the READMEs say. It packs the `dist/` the suite's build
// produced (`pnpm test` builds before it tests), and builds nothing in the repository itself.

const scriptsDir = path.dirname(fileURLToPath(import.meta.url))
const repoRoot = path.resolve(scriptsDir, '..')
const hostAppScript = path.join(scriptsDir, 'consumer', 'host-app.mjs')
/** Bound on one install: two native dependencies (better-sqlite3, zstd-napi) and the addon compile from source. */
const INSTALL_TIMEOUT_MS = 15 * 60_000
/** Bound on the host app: two nodes, a transfer and a minute at most of traffic for the model's history. */
const APP_TIMEOUT_MS = 3 * 60_000
const NPM_INSTALL = ['install', '--no-audit', '--no-fund', '--prefer-offline', '--foreground-scripts']
/** The monorepo's own build made the addon on this machine, so the tools it needs are here for a host too. */
const nativeExpected =
  process.env.DWCP_REQUIRE_NATIVE === '1' ||
  existsSync(path.join(repoRoot, 'packages', 'rdma-native', 'build', 'Release', 'dwcp_rdma.node'))

/** What scripts/consumer/host-app.mjs reports. */
interface HostReport {
  transferIntact: boolean
  forecast: { model: string; bandwidthBps: number }
  predictor: { status: string; runtime?: string; runtimeReason?: string }
  nodePredictor: { status: string; reason?: string }
  transport: { status: string; details: { nativeSocketFunctions: string } }
  native: { available: boolean; path?: string; reason?: string }
  notBuilt?: string
  onnxruntimeInstalled: boolean
}

/** Runs the host app in `appDir` and parses its report; fails with its output when it fails. */
async function runHostApp(appDir: string): Promise<HostReport> {
  const result = await run(process.execPath, ['host-app.mjs'], {
    cwd: appDir,
    env: userEnvironment(),
    timeoutMs: APP_TIMEOUT_MS,
  })
  expect(result.code, result.output).toBe(0)
  // The report is the app's one JSON line; anything a library prints around it is not.
  const line = result.stdout.split('\n').findLast((text) => text.startsWith('{'))
  expect(line, result.output).toBeDefined()
  return JSON.parse(line!) as HostReport
}

/** The last lines of an install's output, for a failure message. */
function tail(result: RunResult): string {
  return result.output.trim().split('\n').slice(-40).join('\n')
}

/** Disk use of a directory in MB, following no links. */
function sizeMb(dir: string): number {
  return Number(execFileSync('du', ['-sm', dir], { encoding: 'utf8' }).split('\t')[0])
}

describe('a host app that installs the packed packages with plain npm', { timeout: 120_000 }, () => {
  let workDir: string
  let appDir: string
  let packageNames: string[]
  let install: RunResult
  let report: HostReport

  beforeAll(
    async () => {
      workDir = mkdtempSync(path.join(os.tmpdir(), 'dwcp-consumer-'))
      const packDir = path.join(workDir, 'tarballs')
      mkdirSync(packDir)
      const tarballs: Record<string, string> = {}
      for (const packageDir of publishablePackages(repoRoot)) {
        const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'))
        expect(
          existsSync(path.join(packageDir, 'dist')),
          `${manifest.name} is not built: run pnpm build`,
        ).toBe(true)
        const before = new Set(readdirSync(packDir))
        const packed = await run('pnpm', ['pack', '--pack-destination', packDir], {
          cwd: packageDir,
          env: process.env,
          timeoutMs: 120_000,
        })
        expect(packed.code, packed.output).toBe(0)
        const [tarball] = readdirSync(packDir).filter((file) => !before.has(file))
        tarballs[manifest.name] = path.join(packDir, tarball!)
      }
      packageNames = Object.keys(tarballs)
      expect(packageNames).toContain('dwcp')
      appDir = path.join(workDir, 'app')
      writeHostApp(appDir, tarballs, hostAppScript)
      install = await run('npm', NPM_INSTALL, {
        cwd: appDir,
        env: userEnvironment(),
        timeoutMs: INSTALL_TIMEOUT_MS,
      })
      expect(install.code, tail(install)).toBe(0)
      console.log(
        `npm install of ${Object.keys(tarballs).length} packed packages: ${(install.durationMs / 1000).toFixed(0)} s, ` +
          `node_modules ${sizeMb(path.join(appDir, 'node_modules'))} MB`,
      )
      report = await runHostApp(appDir)
    },
    INSTALL_TIMEOUT_MS + APP_TIMEOUT_MS + 5 * 60_000,
  )

  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true })
  }, 120_000)

  it('packs no workspace: range: every dependency names a version a registry can serve', () => {
    for (const name of packageNames) {
      const manifest = readFileSync(path.join(appDir, 'node_modules', name, 'package.json'), 'utf8')
      expect(manifest, name).not.toMatch(/workspace:/)
    }
  })

  it('gets no onnxruntime-node, and the shipped model serves forecasts through the TypeScript runtime', () => {
    expect(report.onnxruntimeInstalled).toBe(false)
    expect(report.predictor).toEqual({
      status: 'ready',
      runtime: 'typescript',
      runtimeReason: 'onnxruntime-node is absent: the package is not installed',
    })
    expect(report.nodePredictor.status).toBe('up')
    // The node's forecast after traffic came from the internet GRU, not from the warm-up harmonic mean.
    expect(report.forecast.model).toBe('internet')
    expect(report.forecast.bandwidthBps).toBeGreaterThan(0)
    expect(report.transferIntact).toBe(true)
  })

  it('builds the native addon from source where the repository built it, and otherwise says why in one line', () => {
    if (nativeExpected) {
      expect(install.output).toContain('dwcp_rdma: native addon built')
      expect(report.native, JSON.stringify(report.native)).toMatchObject({ available: true })
      expect(report.native.path).toContain(path.join('node_modules', '@dwcp', 'rdma-native'))
      expect(report.notBuilt).toBeUndefined()
      expect(report.transport.details.nativeSocketFunctions).toBe('available')
    } else {
      expect(report.native.available).toBe(false)
      expect(report.native.reason).toMatch(/has not been built for this install$/)
      expect(report.notBuilt).toMatch(/^[^\n]+$/)
      expect(report.transport.details.nativeSocketFunctions).toBe(report.native.reason)
    }
  })

  it('runs the dwcp CLI through npx', async () => {
    // npx would fetch a package named dwcp from the registry if the app had no such command: it must have one.
    expect(existsSync(path.join(appDir, 'node_modules', '.bin', 'dwcp'))).toBe(true)
    const help = await run('npx', ['dwcp', '--help'], {
      cwd: appDir,
      env: userEnvironment(),
      timeoutMs: 60_000,
    })
    expect(help.code, help.output).toBe(0)
    expect(help.output).toMatch(/^usage: dwcp <verb>/m)
  })

  it(
    'installs without cmake on PATH, and the app says why the addon is absent',
    async () => {
      // The same app on a host without cmake: @dwcp/rdma-native is installed afresh (its install script runs),
      // everything else stays as npm left it, so this costs seconds instead of a second full install.
      const bareAppDir = path.join(workDir, 'app-without-cmake')
      execFileSync('cp', ['-a', appDir, bareAppDir])
      rmSync(path.join(bareAppDir, 'node_modules', '@dwcp', 'rdma-native'), { recursive: true })
      const PATH = pathWithout('cmake', path.join(workDir, 'bin-without-cmake'))
      const env = userEnvironment({ PATH, DWCP_REQUIRE_NATIVE: undefined })
      const bare = await run('npm', NPM_INSTALL, { cwd: bareAppDir, env, timeoutMs: INSTALL_TIMEOUT_MS })
      expect(bare.code, tail(bare)).toBe(0)
      expect(bare.output).toMatch(/dwcp_rdma: native addon not built .*: cmake is not on PATH/)

      const bareReport = await runHostApp(bareAppDir)
      expect(bareReport.notBuilt).toMatch(/^cmake is not on PATH \(ENOENT\): install cmake, g\+\+/)
      expect(bareReport.native.available).toBe(false)
      expect(bareReport.native.reason).toMatch(
        /^no binary at .*dwcp_rdma\.node: the native addon has not been built/,
      )
      // What node.health() shows for the transport's native part is the loader's reason, word for word.
      expect(bareReport.transport.status).toBe('up')
      expect(bareReport.transport.details.nativeSocketFunctions).toBe(bareReport.native.reason)
      // Everything else still works without the addon.
      expect(bareReport.transferIntact).toBe(true)
      expect(bareReport.forecast.model).toBe('internet')
    },
    INSTALL_TIMEOUT_MS + APP_TIMEOUT_MS,
  )
})
