/**
 * @packageDocumentation
 * The native side of DWCP's datacenter path. The addon itself (verbs device query, the UCX data path, socket
 * options such as per-socket congestion control) arrives with the native build; this release provides its
 * loader, which finds the built binary, probes it in a child process, loads it, and otherwise reports precisely
 * why it is unavailable, so that callers fall back to TCP.
 *
 * @example
 * ```ts
 * import { loadNative, nativeStatus } from '@dwcp/rdma-native'
 *
 * const status = nativeStatus()
 * if (status.available) {
 *   console.log(`native addon ${loadNative().version()} from ${status.path}`)
 * } else {
 *   console.log(`no RDMA, using TCP: ${status.reason}`)
 * }
 * ```
 */
export type { NativeBinding } from './binding.js'
export {
  BINDING_RELATIVE_PATH,
  DEFAULT_PROBE_TIMEOUT_MS,
  defaultBindingPath,
  type LoadNativeOptions,
  loadNative,
  type NativeStatus,
  nativeStatus,
} from './loader.js'
