import { createRequire } from 'node:module'

/** What `debug transport --mode=rdma` learns from the native addon. */
export interface NativeRdmaReport {
  /** Whether `@dwcp/rdma-native` loaded (its loader probes the binary in a child process first). */
  addon: { available: boolean; path?: string; reason?: string }
  /** Whether the loaded binary carries the UCX entry points (built against libucx). */
  ucx: { available: boolean; missing?: string[] }
  /** What libibverbs lists (`ibv_get_device_list`), with the reason when nothing is usable. */
  verbs: { available: boolean; devices: unknown[]; reason?: string }
}

interface RdmaNativeModule {
  nativeStatus(): { available: boolean; path?: string; reason?: string }
  loadNative(): Record<string, unknown>
  rdmaDevices(): { available: boolean; devices: unknown[]; reason?: string }
  UCX_EXPORTS: readonly string[]
}

/**
 * Asks the native addon what this host offers. `@dwcp/rdma-native` is a dependency of `@dwcp/amst`, not of this
 * package, so it is resolved from there: the addon the transport would use, not another copy. Never throws:
 * every failure becomes a reason in the report.
 */
export function probeNativeRdma(): NativeRdmaReport {
  let native: RdmaNativeModule
  try {
    const require = createRequire(import.meta.url)
    const fromAmst = createRequire(require.resolve('@dwcp/amst'))
    native = fromAmst(fromAmst.resolve('@dwcp/rdma-native')) as RdmaNativeModule
  } catch (error) {
    const reason = `@dwcp/rdma-native cannot be loaded: ${(error as Error).message}`
    return {
      addon: { available: false, reason },
      ucx: { available: false },
      verbs: { available: false, devices: [], reason },
    }
  }
  const addon = native.nativeStatus()
  if (!addon.available)
    return {
      addon,
      ucx: { available: false },
      verbs: { available: false, devices: [], ...(addon.reason ? { reason: addon.reason } : {}) },
    }
  const binding = native.loadNative()
  const missing = native.UCX_EXPORTS.filter((name) => typeof binding[name] !== 'function')
  const verbs = native.rdmaDevices()
  return {
    addon,
    ucx: missing.length === 0 ? { available: true } : { available: false, missing },
    verbs: {
      available: verbs.available,
      devices: verbs.devices,
      ...(verbs.reason ? { reason: verbs.reason } : {}),
    },
  }
}
