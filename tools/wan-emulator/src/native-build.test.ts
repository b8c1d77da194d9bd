import { execFile } from 'node:child_process'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { findExecutable } from './commands.js'
import { ensureDelayLine } from './native-build.js'

const compiler = process.env.CC ?? 'cc'
const hasCompiler = findExecutable(compiler) !== undefined
if (!hasCompiler) console.warn(`[wan-emulator] skipping delay-line build tests: no C compiler '${compiler}'`)

function run(binary: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(binary, args, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number((error as { code?: number }).code), stdout, stderr })
    })
  })
}

describe.skipIf(!hasCompiler)('ensureDelayLine', () => {
  const dirs: string[] = []
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true })
  })

  it('compiles once into the cache directory and reuses a binary newer than its source', async () => {
    const buildDir = await mkdtemp(join(tmpdir(), 'dwcp-wan-build-'))
    dirs.push(buildDir)
    const binary = await ensureDelayLine({ buildDir })
    expect(binary).toBe(join(buildDir, 'delay-line'))
    const built = (await stat(binary)).mtimeMs
    expect(await ensureDelayLine({ buildDir })).toBe(binary)
    expect((await stat(binary)).mtimeMs).toBe(built)
  })

  it('builds a binary that documents its flags and rejects bad ones', async () => {
    const buildDir = await mkdtemp(join(tmpdir(), 'dwcp-wan-build-'))
    dirs.push(buildDir)
    const binary = await ensureDelayLine({ buildDir })
    const help = await run(binary, ['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('--rate-bps')
    expect((await run(binary, ['--tun-a', 'x'])).code).toBe(2)
    const badLoss = await run(binary, ['--tun-a', 'x', '--tun-b', 'y', '--loss', '1.5'])
    expect(badLoss.code).toBe(2)
    expect(badLoss.stderr).toContain('--loss')
    expect((await run(binary, ['--tun-a', 'x', '--tun-b', 'y', '--rate-bps', '-1'])).code).toBe(2)
  })

  it('names the compiler when it is missing', async () => {
    await expect(
      ensureDelayLine({ buildDir: join(tmpdir(), 'dwcp-none'), compiler: 'no-such-cc' }),
    ).rejects.toThrow(expect.objectContaining({ code: 'DWCP_ERR_NATIVE_UNAVAILABLE' }))
  })
})
