/**
 * The loader against small N-API binaries compiled for the test: one that loads, one without the required
 * export, one that crashes and one that hangs while being loaded. Skipped where no C compiler or Node headers
 * are installed.
 */
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { type DwcpError, isDwcpError } from '@dwcp/core'
import { afterAll, describe, expect, it } from 'vitest'
import { REQUIRED_EXPORTS } from './binding.js'
import { loadNative, nativeStatus } from './loader.js'

const FIXTURE_SOURCE = `
#include <node_api.h>
#include <signal.h>
#include <unistd.h>
#ifdef CRASH_ON_LOAD
__attribute__((constructor)) static void crash_on_load(void) { raise(SIGSEGV); }
#endif
#ifdef HANG_ON_LOAD
__attribute__((constructor)) static void hang_on_load(void) { for (;;) pause(); }
#endif
static napi_value version(napi_env env, napi_callback_info info) {
  napi_value result;
  napi_create_string_utf8(env, "0.0.0-fixture", NAPI_AUTO_LENGTH, &result);
  return result;
}
static const char* other_exports[] = { OTHER_EXPORTS NULL };
NAPI_MODULE_INIT() {
  napi_value fn;
#ifndef OMIT_VERSION
  napi_create_function(env, "version", NAPI_AUTO_LENGTH, version, NULL, &fn);
  napi_set_named_property(env, exports, "version", fn);
#endif
  /* The loader checks that every required export is present; the fixture answers each with version(). */
  for (const char** name = other_exports; *name != NULL; name++) {
    napi_create_function(env, *name, NAPI_AUTO_LENGTH, version, NULL, &fn);
    napi_set_named_property(env, exports, *name, fn);
  }
  return exports;
}
`.replace(
  'OTHER_EXPORTS',
  REQUIRED_EXPORTS.filter((name) => name !== 'version')
    .map((name) => `"${name}",`)
    .join(' '),
)

const nodeInclude = join(dirname(dirname(process.execPath)), 'include', 'node')
const compilerFound = spawnSync('cc', ['--version'], { stdio: 'ignore' }).status === 0
const canCompile = compilerFound && existsSync(join(nodeInclude, 'node_api.h'))
const scratch = mkdtempSync(join(tmpdir(), 'dwcp-rdma-fixtures-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** Compiles the fixture with `define` set, into a fresh directory as `x.node`; `extra` goes to the linker. */
function compile(name: string, define?: string, extra: string[] = []): string {
  const dir = mkdtempSync(join(scratch, `${name}-`))
  const source = join(dir, 'fixture.c')
  const out = join(dir, 'x.node')
  writeFileSync(source, FIXTURE_SOURCE)
  const defines = define === undefined ? [] : [`-D${define}`]
  run(['-shared', '-fPIC', '-w', `-I${nodeInclude}`, ...defines, '-o', out, source, ...extra])
  return out
}

/** The same binary at a second path, so that its outcome is not the cached one of the first. */
function copyBinary(path: string): string {
  const dir = mkdtempSync(join(scratch, 'copy-'))
  const copy = join(dir, 'x.node')
  copyFileSync(path, copy)
  return copy
}

function run(args: string[]): void {
  const cc = spawnSync('cc', args, { encoding: 'utf8' })
  if (cc.status !== 0) throw new Error(`cc ${args.join(' ')} failed: ${cc.stderr}`)
}

function reasonOf(run: () => unknown): string {
  try {
    run()
  } catch (err) {
    expect(isDwcpError(err, 'DWCP_ERR_NATIVE_UNAVAILABLE'), String(err)).toBe(true)
    return (err as DwcpError<{ reason: string }>).data.reason
  }
  throw new Error('expected loadNative to throw, it returned a binding')
}

describe.skipIf(!canCompile)('loader with compiled fixture binaries', () => {
  it('loads a working binary after probing it, and returns the same binding afterwards', () => {
    const path = compile('working')
    const binding = loadNative({ bindingPath: path })
    expect(binding.version()).toBe('0.0.0-fixture')
    expect(loadNative({ bindingPath: path, probe: false })).toBe(binding)
    expect(nativeStatus({ bindingPath: path })).toEqual({ available: true, path })
  })

  it('loads a working binary without probing', () => {
    const path = compile('unprobed')
    expect(loadNative({ bindingPath: path, probe: false }).version()).toBe('0.0.0-fixture')
  })

  it('names the missing export, probing or not', () => {
    const probed = compile('no-version-probed', 'OMIT_VERSION')
    expect(reasonOf(() => loadNative({ bindingPath: probed }))).toBe(
      `cannot load ${probed} (probed in a child process): the binary does not export version`,
    )
    const unprobed = compile('no-version-unprobed', 'OMIT_VERSION')
    expect(reasonOf(() => loadNative({ bindingPath: unprobed, probe: false }))).toBe(
      `${unprobed} does not export version`,
    )
  })

  it('quotes the dynamic loader when a shared library the binary needs is missing', () => {
    const libDir = mkdtempSync(join(scratch, 'lib-'))
    const libSource = join(libDir, 'dep.c')
    writeFileSync(libSource, 'int dwcp_fixture_dep(void) { return 1; }\n')
    run(['-shared', '-fPIC', '-o', join(libDir, 'libdwcpfixturedep.so'), libSource])
    const path = compile('missing-lib', undefined, ['-Wl,--no-as-needed', `-L${libDir}`, '-ldwcpfixturedep'])
    rmSync(libDir, { recursive: true })
    for (const probe of [true, false]) {
      const status = nativeStatus({ bindingPath: probe ? path : copyBinary(path), probe })
      expect(status.available === false && status.reason).toMatch(
        /libdwcpfixturedep\.so: cannot open shared object file: No such file or directory$/,
      )
    }
  })

  it('survives a binary that crashes on load: the probe dies, this process does not', () => {
    const path = compile('crashing', 'CRASH_ON_LOAD')
    expect(reasonOf(() => loadNative({ bindingPath: path }))).toBe(
      `cannot load ${path} (probed in a child process): the probe process was killed by SIGSEGV while loading the binary`,
    )
    // Cached: asking again without probing does not load the crashing binary into this process.
    expect(nativeStatus({ bindingPath: path, probe: false })).toMatchObject({ available: false })
  })

  it('gives up on a binary that hangs on load after the probe timeout', () => {
    const path = compile('hanging', 'HANG_ON_LOAD')
    expect(reasonOf(() => loadNative({ bindingPath: path, probeTimeoutMs: 1000 }))).toBe(
      `cannot load ${path} (probed in a child process): the probe did not finish within 1000 ms`,
    )
  })
})
