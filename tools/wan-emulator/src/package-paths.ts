import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Root of this package, found from this module's location: `src/` under vitest, `dist/` once built; both sit
 * one level below the root.
 */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** Source of the delay line. */
export const DELAY_LINE_SOURCE = join(PACKAGE_ROOT, 'native', 'delay-line.c')

/** The Node traffic probes run inside the namespaces. */
export const PROBE_SCRIPT = join(PACKAGE_ROOT, 'probes', 'probe.mjs')

/** Default cache directory of the compiled delay line. */
export const DEFAULT_BUILD_DIR = join(PACKAGE_ROOT, 'build')
