import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ComponentAbsentError } from '@dwcp/core'
import type { ModelMode } from '../training/modes.js'

/** Directory of this module, in the ESM build, the CJS build and under a test runner alike. */
function moduleDirectory(): string {
  // The CJS build has __dirname and no import.meta; the ESM build has import.meta and no __dirname.
  return typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url))
}

/**
 * The package's root: the nearest directory above this module with a `package.json`. That is the package
 * whether this runs from `src/onnx-predictor/` (tests), `dist/` (the build) or an installed copy.
 */
export function packageDirectory(start = moduleDirectory()): string {
  for (let directory = start; ; directory = dirname(directory)) {
    if (existsSync(join(directory, 'package.json'))) return directory
    if (dirname(directory) === directory) return start
  }
}

/** Path of the default model of `mode` that ships with the package: `models/<mode>.onnx`. */
export function bundledModelPath(mode: ModelMode): string {
  return join(packageDirectory(), 'models', `${mode}.onnx`)
}

/**
 * Reads the default model of `mode`. Throws {@link ComponentAbsentError} (`DWCP_ERR_COMPONENT_ABSENT`) with
 * the path and the reason when the file cannot be read.
 */
export async function readBundledModel(mode: ModelMode): Promise<Uint8Array> {
  const path = bundledModelPath(mode)
  try {
    return new Uint8Array(await readFile(path))
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new ComponentAbsentError(`model ${mode}`, `cannot read ${path}: ${reason}`)
  }
}
