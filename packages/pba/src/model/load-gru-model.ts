import { InvalidArgumentError, isDwcpError } from '@dwcp/core'
import type { GruOnnxModel, GruRuntimeChoice } from './model-runtime.js'
import { type LoadOnnxModelOptions, loadOnnxModel } from './onnx-model.js'
import { importOnnxRuntime } from './onnxruntime-module.js'
import { loadTypeScriptModel } from './typescript-model.js'

/** Options of {@link loadGruModel}. */
export interface LoadGruModelOptions extends LoadOnnxModelOptions {
  /** Which runtime runs the model. @default 'auto' */
  runtime?: GruRuntimeChoice
}

/** A loaded model, and why the TypeScript runtime serves when `auto` could not take onnxruntime. */
export interface LoadedGruModel {
  /** The model; its `runtime` says which runtime computes it. */
  model: GruOnnxModel
  /** Why `auto` did not take onnxruntime, e.g. `onnxruntime-node is absent: the package is not installed`. */
  runtimeReason?: string
}

const CHOICES: readonly GruRuntimeChoice[] = ['auto', 'onnxruntime', 'typescript']

/**
 * Loads a model file into the chosen runtime. `auto` (the default) takes onnxruntime when the optional peer
 * dependency `onnxruntime-node` is installed and loads, and the TypeScript runtime otherwise; either way the
 * model is the file's, computed to within float32 rounding, so a host without onnxruntime still gets the
 * learned forecast rather than a baseline. Only the import decides: a file onnxruntime rejects is an error, not
 * a reason to try the other runtime.
 *
 * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`) for a file that is not a sound PBA model (see
 *   `loadOnnxModel` and `loadTypeScriptModel`) or an unknown `runtime`
 * @throws ComponentAbsentError (`DWCP_ERR_COMPONENT_ABSENT`) for `runtime: 'onnxruntime'` without
 *   `onnxruntime-node`
 * @throws AbortedError when `options.signal` aborts
 */
export async function loadGruModel(
  bytes: Uint8Array,
  options: LoadGruModelOptions = {},
): Promise<LoadedGruModel> {
  const { runtime = 'auto', ...rest } = options
  if (!CHOICES.includes(runtime))
    throw new InvalidArgumentError('runtime', `must be one of ${CHOICES.join(', ')}, got ${String(runtime)}`)
  if (runtime === 'typescript') return { model: await loadTypeScriptModel(bytes, rest) }
  if (runtime === 'onnxruntime') return { model: await loadOnnxModel(bytes, rest) }
  try {
    await importOnnxRuntime()
  } catch (error) {
    if (!isDwcpError(error, 'DWCP_ERR_COMPONENT_ABSENT')) throw error
    return { model: await loadTypeScriptModel(bytes, rest), runtimeReason: error.message }
  }
  return { model: await loadOnnxModel(bytes, rest) }
}
