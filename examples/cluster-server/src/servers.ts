/**
 * The three `dwcp server` processes: their configs copied into a temporary directory with `cluster.data_dir`
 * pointed there, started as child processes, waited for, and stopped.
 */

import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type DwcpConfig, parseConfig } from 'dwcp'

/** The example's node ids, one per file in `configs/`. */
export const NODE_IDS = ['node-1', 'node-2', 'node-3'] as const

/** The directory of the example's YAML files (`configs/`, beside `src/` and `dist/`). */
export const CONFIG_DIR = fileURLToPath(new URL('../configs/', import.meta.url))

/** One server as the example runs it. */
export interface ServerProcess {
  /** `cluster.node_id`. */
  readonly nodeId: string
  /** The config file the server was started from (a copy of `configs/<node>.yaml`). */
  readonly configPath: string
  /** The validated configuration of that copy. */
  readonly config: DwcpConfig
  /** `http://127.0.0.1:<server.http_port>`, for `dwcp --server`. */
  readonly apiUrl: string
  /** The server's JSON log (standard output and error). */
  readonly logPath: string
  /** The running process. */
  readonly child: ChildProcess
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  readonly exited: Promise<number | string>
}

/**
 * Copies `configs/<nodeId>.yaml` into `workDir` with `cluster.data_dir` set to `workDir/<nodeId>`, and returns
 * the copy's path and validated configuration. The schema takes only absolute data directories, so the
 * committed files name fixed ones; a fresh temporary directory per run keeps runs from sharing a Raft log.
 * The line is rewritten as text so that the copy keeps the file's comments; the result is validated with the
 * server's own parser, which also checks that the rewrite took.
 */
export function prepareConfig(nodeId: string, workDir: string): { path: string; config: DwcpConfig } {
  const source = join(CONFIG_DIR, `${nodeId}.yaml`)
  const dataDir = join(workDir, nodeId)
  const text = readFileSync(source, 'utf8').replace(
    /^(\s*data_dir:\s*).*$/m,
    (_line, key: string) => `${key}${JSON.stringify(dataDir)}`,
  )
  const path = join(workDir, `${nodeId}.yaml`)
  const config = parseConfig(text, { source: path })
  if (config.cluster.dataDir !== dataDir)
    throw new Error(`${nodeId}.yaml: could not point cluster.data_dir at ${dataDir}`)
  writeFileSync(path, text)
  return { path, config }
}

/** The API address of a server with this configuration (the example binds every API to loopback). */
export function apiUrlOf(config: DwcpConfig): string {
  return `http://${config.server.bindAddress}:${config.server.httpPort}`
}

/**
 * Starts `dwcp server --config <configPath>` with its output in `workDir/<nodeId>.log`. The child gets its own
 * process group (`detached`) so that Ctrl-C in the terminal reaches only this script, which then stops the
 * servers with `dwcp shutdown` like an operator would, instead of each server catching SIGINT on its own.
 */
export function startServer(
  cliPath: string,
  nodeId: string,
  workDir: string,
  prepared: { path: string; config: DwcpConfig },
): ServerProcess {
  const logPath = join(workDir, `${nodeId}.log`)
  const log = openSync(logPath, 'a')
  const child = spawn(process.execPath, [cliPath, 'server', '--config', prepared.path], {
    stdio: ['ignore', log, log],
    detached: true,
  })
  // The child holds its own copy of the descriptor.
  closeSync(log)
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  )
  return {
    nodeId,
    configPath: prepared.path,
    config: prepared.config,
    apiUrl: apiUrlOf(prepared.config),
    logPath,
    child,
    exited,
  }
}

/** Whether the process is still running. */
export function isRunning(server: ServerProcess): boolean {
  return server.child.exitCode === null && server.child.signalCode === null
}

/** The last `lines` lines of a server's log, for an error message. */
export function logTail(server: ServerProcess, lines = 10): string {
  try {
    return readFileSync(server.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

/**
 * Polls `check` every `intervalMs` until it returns a value, failing after `timeoutMs` with `what` and the
 * last error seen. Each server is also watched: one that exits (a port in use, a bad config) fails the wait at
 * once with its log, rather than after the timeout.
 */
export async function waitFor<T>(
  what: string,
  servers: readonly ServerProcess[],
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    const dead = servers.find((server) => !isRunning(server))
    if (dead)
      throw new Error(
        `${dead.nodeId} exited (${dead.child.exitCode ?? dead.child.signalCode}) while waiting for ${what}:\n${logTail(dead)}`,
      )
    try {
      const value = await check()
      if (value !== undefined) return value
    } catch (error) {
      lastError = error
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}` +
          (lastError === undefined ? '' : `: ${(lastError as Error).message}`),
      )
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/** Whether the server's `/health` answers at all (200 when healthy, 503 when degraded or down). */
export async function healthAnswers(server: ServerProcess): Promise<boolean> {
  const response = await fetch(`${server.apiUrl}/health`, { signal: AbortSignal.timeout(1000) })
  await response.body?.cancel()
  return response.status === 200 || response.status === 503
}

/** Waits up to `timeoutMs` for the process to exit, then kills it; resolves with how it ended. */
export async function reap(server: ServerProcess, timeoutMs: number): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs)
  })
  const result = await Promise.race([server.exited, timedOut])
  clearTimeout(timer)
  if (result !== 'timeout') return result
  server.child.kill('SIGKILL')
  return server.exited
}
