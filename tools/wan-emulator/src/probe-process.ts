import type { ChildProcess, SpawnOptions } from 'node:child_process'
import { createInterface } from 'node:readline'
import { TimeoutError } from '@dwcp/core'
import type { NamespaceRef, WanEmulator } from './emulator.js'
import { PROBE_SCRIPT } from './package-paths.js'

/** A `probes/probe.mjs` command running inside a namespace. */
export interface ProbeProcess {
  readonly child: ChildProcess
  /** Resolves once the probe printed `{"event":"ready"}` (servers, after binding). */
  ready(timeoutMs?: number): Promise<void>
  /** Resolves with the probe's result line. */
  result<T>(timeoutMs: number): Promise<T>
  /** Ends the probe's stdin: servers then print their result and exit. */
  finish(): void
}

function withTimeout<T>(promise: Promise<T>, operation: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError(operation, timeoutMs)), timeoutMs)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}

/**
 * Starts `node probes/probe.mjs COMMAND ARGS...` inside a namespace of `emulator`, under `nice -n niceValue`
 * when given.
 */
export function startProbe(
  emulator: WanEmulator,
  ns: NamespaceRef,
  args: readonly string[],
  niceValue?: number,
): ProbeProcess {
  const stdio: SpawnOptions = { stdio: ['pipe', 'pipe', 'pipe'] }
  const child =
    niceValue === undefined
      ? emulator.execNode(ns, PROBE_SCRIPT, args, stdio)
      : emulator.run(ns, 'nice', ['-n', String(niceValue), process.execPath, PROBE_SCRIPT, ...args], stdio)
  const label = `probe ${args[0]} in ${ns}`
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4096)
  })
  child.stdin?.on('error', () => undefined)
  const events = new Map<string, { promise: Promise<unknown>; resolve: (value: unknown) => void }>()
  const waiter = (event: string) => {
    let entry = events.get(event)
    if (entry === undefined) {
      let resolve: (value: unknown) => void = () => undefined
      const promise = new Promise<unknown>((done) => {
        resolve = done
      })
      entry = { promise, resolve }
      events.set(event, entry)
    }
    return entry
  }
  const exited = new Promise<never>((_, reject) => {
    child.on('close', (code) => reject(new Error(`${label} exited (code ${code}) early: ${stderr.trim()}`)))
    child.on('error', (error) => reject(error))
  })
  exited.catch(() => undefined)
  if (child.stdout !== null) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const message = JSON.parse(line) as { event: string }
        waiter(message.event).resolve(message)
      } catch {
        stderr = `${stderr}${line}\n`.slice(-4096)
      }
    })
  }
  const waitFor = (event: string, timeoutMs: number) =>
    withTimeout(Promise.race([waiter(event).promise, exited]), `${label} (${event})`, timeoutMs)
  return {
    child,
    ready: async (timeoutMs = 10_000) => {
      await waitFor('ready', timeoutMs)
    },
    result: <T>(timeoutMs: number) => waitFor('result', timeoutMs) as Promise<T>,
    finish: () => child.stdin?.end(),
  }
}
