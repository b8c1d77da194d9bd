import { ComponentAbsentError } from '@dwcp/core'

/** The `onnxruntime-node` module, as its own types describe it. */
export type OnnxRuntimeModule = typeof import('onnxruntime-node')

let loaded: Promise<OnnxRuntimeModule> | undefined

/**
 * Imports `onnxruntime-node`, once per process. It is an optional peer dependency: its install script fetches
 * GPU provider files from outside the npm registry on linux/x64, which fails where only the registry is
 * reachable, and its CPU binaries weigh some 300 MB for a model of a few thousand weights. Hosts that install
 * it get it; the others run the same files in TypeScript. A failure is kept: a module that did not load will
 * not load later in the same process.
 *
 * @throws ComponentAbsentError (`DWCP_ERR_COMPONENT_ABSENT`, component `onnxruntime-node`) saying whether the
 *   package is not installed or did not load (e.g. no binary for this platform)
 */
export function importOnnxRuntime(): Promise<OnnxRuntimeModule> {
  loaded ??= import('onnxruntime-node').catch((error: unknown) => {
    throw new ComponentAbsentError('onnxruntime-node', describeImportFailure(error))
  })
  return loaded
}

/** One line saying why the import failed: not installed, or installed and broken (with the loader's words). */
export function describeImportFailure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    const message = error instanceof Error ? error.message : ''
    // Only the package itself missing means "not installed"; a missing file inside it means a broken install.
    if (/['"]onnxruntime-node['"]/.test(message)) return 'the package is not installed'
  }
  const firstLine = (error instanceof Error ? error.message : String(error)).split('\n')[0]
  return `the package is installed but does not load: ${firstLine}`
}
