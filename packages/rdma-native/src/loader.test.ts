import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type DwcpError, isDwcpError } from '@dwcp/core'
import { afterAll, describe, expect, it } from 'vitest'
import { BINDING_RELATIVE_PATH, defaultBindingPath, loadNative, nativeStatus } from './loader.js'

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const scratch = mkdtempSync(join(tmpdir(), 'dwcp-rdma-loader-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** A file named `x.node` full of bytes that are not a shared object, in a directory of its own. */
function garbageBinary(name: string): string {
  const dir = join(scratch, name)
  mkdirSync(dir)
  const path = join(dir, 'x.node')
  writeFileSync(path, Buffer.alloc(4096, 'not an ELF object '))
  return path
}

function loadError(run: () => unknown): DwcpError<{ reason: string }> {
  try {
    run()
  } catch (err) {
    expect(isDwcpError(err, 'DWCP_ERR_NATIVE_UNAVAILABLE'), String(err)).toBe(true)
    return err as DwcpError<{ reason: string }>
  }
  throw new Error('expected loadNative to throw, it returned a binding')
}

describe('where the loader looks', () => {
  it('expects the binary under build/Release of the package root', () => {
    expect(BINDING_RELATIVE_PATH).toBe(join('build', 'Release', 'dwcp_rdma.node'))
    expect(defaultBindingPath()).toBe(join(packageRoot, 'build', 'Release', 'dwcp_rdma.node'))
  })

  it('treats a directory at the binding path as missing', () => {
    const err = loadError(() => loadNative({ bindingPath: scratch }))
    expect(err.data.reason).toBe(
      `no binary at ${scratch}: the native addon has not been built for this install`,
    )
  })

  it('resolves a relative binding path against the working directory', () => {
    const status = nativeStatus({ bindingPath: 'no-such-dir/x.node' })
    expect(status.available === false && status.reason).toContain(resolve('no-such-dir/x.node'))
  })
})

describe('loader of an install whose build did not run', () => {
  it('adds the reason the build script left in build/NOT_BUILT', () => {
    const install = join(scratch, 'not-built-install')
    mkdirSync(join(install, 'build', 'Release'), { recursive: true })
    writeFileSync(join(install, 'build', 'NOT_BUILT'), 'cmake is not on PATH (ENOENT): install cmake\n')
    const status = nativeStatus({ bindingPath: join(install, BINDING_RELATIVE_PATH) })
    expect(status.available === false && status.reason).toMatch(
      /has not been built for this install \(cmake is not on PATH \(ENOENT\): install cmake\)$/,
    )
  })
})

// An install without a native build: the state of every machine until the addon is built.
describe.skipIf(existsSync(defaultBindingPath()))('loader with the binary absent', () => {
  it('nativeStatus reports unavailable, naming the missing file', () => {
    const status = nativeStatus()
    expect(status).toEqual({
      available: false,
      reason: `no binary at ${defaultBindingPath()}: the native addon has not been built for this install`,
      code: 'DWCP_ERR_NATIVE_UNAVAILABLE',
    })
  })

  it('loadNative throws DWCP_ERR_NATIVE_UNAVAILABLE with the same reason, probing or not', () => {
    for (const probe of [true, false]) {
      const err = loadError(() => loadNative({ probe }))
      expect(err.data.reason).toContain(join('build', 'Release', 'dwcp_rdma.node'))
      expect(err.message).toBe(`native addon unavailable: ${err.data.reason}`)
    }
  })
})

describe('loader with the binary hidden (runs whether or not the addon is built)', () => {
  it('reports the missing file with the typed error, probing or not, and never throws from nativeStatus', () => {
    const hidden = join(scratch, 'hidden-install', BINDING_RELATIVE_PATH)
    expect(nativeStatus({ bindingPath: hidden })).toEqual({
      available: false,
      reason: `no binary at ${hidden}: the native addon has not been built for this install`,
      code: 'DWCP_ERR_NATIVE_UNAVAILABLE',
    })
    for (const probe of [true, false]) {
      const err = loadError(() => loadNative({ bindingPath: hidden, probe }))
      expect(err.data.reason).toContain(hidden)
    }
  })
})

describe('loader with a binary that does not load', () => {
  it('probing: reports the dlopen error seen by the child process', () => {
    const path = garbageBinary('probed')
    const err = loadError(() => loadNative({ bindingPath: path, probe: true }))
    expect(err.data.reason).toMatch(
      /^cannot load .*x\.node \(probed in a child process\): .*invalid ELF header/,
    )
    expect(err.data.reason).toContain(path)
  })

  it('not probing: reports the dlopen error of this process, with the original error as cause', () => {
    const path = garbageBinary('in-process')
    const err = loadError(() => loadNative({ bindingPath: path, probe: false }))
    expect(err.data.reason).toBe(`cannot load ${path}: ${path}: invalid ELF header`)
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ERR_DLOPEN_FAILED')
  })

  it('keeps the first outcome per path, even after the file changes', () => {
    const path = garbageBinary('cached')
    const first = loadError(() => loadNative({ bindingPath: path })).data.reason
    rmSync(path)
    expect(loadError(() => loadNative({ bindingPath: path, probe: false })).data.reason).toBe(first)
    expect(nativeStatus({ bindingPath: path })).toEqual({
      available: false,
      reason: first,
      code: 'DWCP_ERR_NATIVE_UNAVAILABLE',
    })
  })

  it('nativeStatus never throws, even for an invalid option', () => {
    const path = garbageBinary('status')
    expect(nativeStatus({ bindingPath: path, probe: false })).toMatchObject({ available: false })
    expect(() => loadNative({ bindingPath: path, probeTimeoutMs: 0 })).toThrow(/probeTimeoutMs/)
    expect(nativeStatus({ bindingPath: path, probeTimeoutMs: -1 })).toEqual({
      available: false,
      reason: 'invalid probeTimeoutMs: -1 is not a positive integer',
      code: 'DWCP_ERR_NATIVE_UNAVAILABLE',
    })
  })
})
