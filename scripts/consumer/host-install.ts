import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/** What a child process did. */
export interface RunResult {
  /** Exit code, or null when a signal ended it. */
  code: number | null
  /** Standard output and standard error, interleaved as they came. */
  output: string
  /** Standard output alone. */
  stdout: string
  /** Wall time in milliseconds. */
  durationMs: number
}

/**
 * Runs a command without blocking the test worker's event loop (an install takes minutes), and kills it after
 * `timeoutMs`.
 */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<RunResult> {
  const startedMs = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
      stdout += chunk.toString('utf8')
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output, stdout, durationMs: Date.now() - startedMs })
    })
  })
}

/**
 * What the runners of this suite add to the environment, which a user's shell would not have: the test
 * runner's markers, and what npm's and pnpm's script runners export to a script (its lifecycle and package
 * fields, their prefixes, their own node-gyp and global config file, `NODE_PATH` pointing into the
 * repository's store, which would let the app resolve the repository's packages). A user's npm settings given
 * as `npm_config_*` (`nodedir`, `cafile`, `registry`, proxies) stay: CI sets `npm_config_nodedir` for the Node
 * version it tests.
 */
const RUNNER_VARIABLES = new RegExp(
  [
    '^(vitest|test$|node_env$|node_options$|node_path$|node$|init_cwd$|pnpm_',
    '|npm_lifecycle_|npm_package_|npm_execpath$|npm_node_execpath$|npm_command$',
    '|npm_config_(user_agent|node_gyp|globalconfig|npm_globalconfig|frozen_lockfile|verify_deps_before_run',
    '|local_prefix|global_prefix|prefix|npm_version|call|init_module)$)',
  ].join(''),
  'i',
)

/**
 * `PATH` without the directories script runners put in front (`node_modules/.bin` of the repository, npm's
 * node-gyp shim), so the app finds its own `dwcp` and not the repository's tools, and with the directory of the
 * Node running the suite first, so npm, the install scripts and the app run on that Node.
 */
function userPath(value: string | undefined): string {
  const runnerEntry = /[\\/]node_modules[\\/](\.bin|.*[\\/]node-gyp-bin)[\\/]?$/
  const kept = (value ?? '').split(path.delimiter).filter((entry) => entry && !runnerEntry.test(entry))
  const nodeDirectory = path.dirname(process.execPath)
  return [nodeDirectory, ...kept.filter((entry) => entry !== nodeDirectory)].join(path.delimiter)
}

/**
 * The environment a user's shell would give npm: this one without {@link RUNNER_VARIABLES} and with
 * {@link userPath}, then `overrides` (an undefined value removes the variable).
 */
export function userEnvironment(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!RUNNER_VARIABLES.test(key)) env[key] = value
  env.PATH = userPath(process.env.PATH)
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[key]
    else env[key] = value
  }
  return env
}

/**
 * A directory of links to every command on `PATH` except `excluded`: a PATH on which that one tool is absent
 * and everything else (node, sh, the compiler) is where it was.
 */
export function pathWithout(excluded: string, directory: string): string {
  mkdirSync(directory, { recursive: true })
  for (const entry of userPath(process.env.PATH).split(path.delimiter)) {
    if (!entry || !existsSync(entry)) continue
    for (const name of readdirSync(entry)) {
      const link = path.join(directory, name)
      // The first directory on PATH that has a command wins, as in a shell.
      if (name !== excluded && !existsSync(link)) symlinkSync(path.join(entry, name), link)
    }
  }
  return directory
}

/** The publishable packages: every workspace package under `packages/` that is not private. */
export function publishablePackages(repoRoot: string): string[] {
  const packagesDir = path.join(repoRoot, 'packages')
  return readdirSync(packagesDir)
    .map((name) => path.join(packagesDir, name))
    .filter((dir) => {
      const manifestPath = path.join(dir, 'package.json')
      return existsSync(manifestPath) && JSON.parse(readFileSync(manifestPath, 'utf8')).private !== true
    })
}

/**
 * Writes a host app's `package.json` that depends on each tarball by file, as it would depend on the
 * registry's versions, and copies the app script next to it.
 */
export function writeHostApp(appDir: string, tarballs: Record<string, string>, script: string): void {
  mkdirSync(appDir, { recursive: true })
  const dependencies = Object.fromEntries(
    Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`]),
  )
  const manifest = { name: 'host-app', version: '1.0.0', private: true, type: 'module', dependencies }
  writeFileSync(path.join(appDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  writeFileSync(path.join(appDir, path.basename(script)), readFileSync(script))
}
