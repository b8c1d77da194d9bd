import { mkdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { NativeUnavailableError } from '@dwcp/core'
import { findExecutable, runCommand } from './commands.js'
import { DEFAULT_BUILD_DIR, DELAY_LINE_SOURCE } from './package-paths.js'

/** Where to find the C compiler and where to cache the binary. */
export interface DelayLineBuildOptions {
  /**
   * Directory that caches the compiled delay line.
   * @default `build/` in this package
   */
  buildDir?: string
  /**
   * C compiler command.
   * @default `process.env.CC`, else `cc`
   */
  compiler?: string
}

async function mtimeMs(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs
  } catch {
    return undefined
  }
}

/**
 * Path of the compiled delay line, compiling `native/delay-line.c` with `cc -O2` first when the binary is
 * missing or older than its source. Concurrent callers are safe: each compiles to its own temporary file and
 * renames it into place.
 *
 * @throws NativeUnavailableError (`DWCP_ERR_NATIVE_UNAVAILABLE`) when there is no compiler or it fails
 */
export async function ensureDelayLine(options: DelayLineBuildOptions = {}): Promise<string> {
  const buildDir = options.buildDir ?? DEFAULT_BUILD_DIR
  const compiler = options.compiler ?? process.env.CC ?? 'cc'
  const binary = join(buildDir, 'delay-line')
  const sourceMs = await mtimeMs(DELAY_LINE_SOURCE)
  if (sourceMs === undefined)
    throw new NativeUnavailableError(`delay line source ${DELAY_LINE_SOURCE} is missing`)
  const binaryMs = await mtimeMs(binary)
  if (binaryMs !== undefined && binaryMs >= sourceMs) return binary

  if (!compiler.includes('/') && findExecutable(compiler) === undefined) {
    throw new NativeUnavailableError(`C compiler '${compiler}' not found on PATH (install gcc or set CC)`)
  }
  await mkdir(buildDir, { recursive: true })
  const temporary = `${binary}.${process.pid}.${Date.now()}.tmp`
  const flags = ['-O2', '-Wall', '-Wextra', '-o', temporary, DELAY_LINE_SOURCE, '-lm']
  const result = await runCommand(compiler, flags, 120_000)
  if (result.code !== 0) {
    await rm(temporary, { force: true })
    throw new NativeUnavailableError(`${compiler} failed on ${DELAY_LINE_SOURCE}: ${result.stderr.trim()}`)
  }
  await rename(temporary, binary)
  return binary
}
