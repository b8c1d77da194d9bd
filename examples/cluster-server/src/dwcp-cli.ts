/**
 * Finding and running the `dwcp` command of the installed `dwcp` package: the example drives the servers only
 * through the CLI an operator would type, so what it prints is what an operator would see.
 */

import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/** What one `dwcp` invocation left behind. */
export interface CliResult {
  /** Exit code: 0 done, 1 refused or failed, 2 a command-line mistake. */
  code: number
  stdout: string
  stderr: string
}

/**
 * The path of the `dwcp` command's script, from the `bin` entry of the `dwcp` package this example depends on
 * (so it is the same build the workspace resolves, not whatever `dwcp` happens to be on `PATH`).
 */
export function resolveDwcpCli(): string {
  const manifestPath = createRequire(import.meta.url).resolve('dwcp/package.json')
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin?: string | Record<string, string> }
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.dwcp
  if (bin === undefined) throw new Error('the dwcp package declares no dwcp command (bin)')
  return join(dirname(manifestPath), bin)
}

/**
 * Runs `dwcp <args>` to completion. A non-zero exit is a result, not an exception: the caller decides whether
 * a refusal is expected.
 */
export function runDwcp(cliPath: string, args: readonly string[], timeoutMs = 20_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1
      resolve({ code, stdout, stderr })
    })
  })
}

/** Runs `dwcp <args>` and returns its standard output, or throws with its error message. */
export async function dwcpOrThrow(cliPath: string, args: readonly string[]): Promise<string> {
  const result = await runDwcp(cliPath, args)
  if (result.code !== 0)
    throw new Error(`dwcp ${args.join(' ')} exited with ${result.code}: ${result.stderr.trim()}`)
  return result.stdout
}
