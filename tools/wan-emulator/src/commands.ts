import { execFile } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { TimeoutError } from '@dwcp/core'

/** Outcome of a finished child process. */
export interface CommandResult {
  /** Exit code, or `null` when a signal ended it. */
  code: number | null
  stdout: string
  stderr: string
}

/** Default limit for a setup command (`ip`, `sysctl`, `cc`). */
export const COMMAND_TIMEOUT_MS = 20_000

/**
 * Runs `file args` to completion without a shell and returns its output; a non-zero exit is returned, not
 * thrown.
 *
 * @throws TimeoutError (`DWCP_ERR_TIMEOUT`) when it runs longer than `timeoutMs`
 */
export function runCommand(
  file: string,
  args: readonly string[],
  timeoutMs = COMMAND_TIMEOUT_MS,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        if (error === null) return resolve({ code: 0, stdout, stderr })
        const failure = error as NodeJS.ErrnoException & { killed?: boolean; code?: number | string }
        if (failure.killed === true) return reject(new TimeoutError(`${file} ${args.join(' ')}`, timeoutMs))
        if (typeof failure.code === 'number') return resolve({ code: failure.code, stdout, stderr })
        resolve({ code: null, stdout, stderr: stderr || failure.message })
      },
    )
  })
}

/** Runs a command and returns stdout; a non-zero exit becomes an `Error` carrying stderr. */
export async function runChecked(file: string, args: readonly string[], timeoutMs?: number): Promise<string> {
  const result = await runCommand(file, args, timeoutMs)
  if (result.code !== 0) {
    throw new Error(`${file} ${args.join(' ')} exited with ${result.code}: ${result.stderr.trim()}`)
  }
  return result.stdout
}

/** Absolute path of an executable found on `PATH`, or `undefined`. */
export function findExecutable(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not in this directory
    }
  }
  return undefined
}
