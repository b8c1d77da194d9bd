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
export { nativeCrc32c } from './crc/crc32c.js'
export {
  BINDING_RELATIVE_PATH,
  DEFAULT_PROBE_TIMEOUT_MS,
  defaultBindingPath,
  type LoadNativeOptions,
  loadNative,
  type NativeStatus,
  nativeStatus,
} from './loader.js'
export type {
  NativeMptcpProbe,
  NativeSocketError,
  NativeSocketProtocol,
  SocketsBinding,
} from './sockets/binding.js'
export {
  congestionControl,
  isMptcp,
  notSentLowatBytes,
  receiveBufferBytes,
  sendBufferBytes,
  setCongestionControl,
  setNotSentLowatBytes,
  setReceiveBufferBytes,
  setSendBufferBytes,
} from './sockets/socket-options.js'
export {
  allowedCongestionAlgorithms,
  availableCongestionAlgorithms,
  type MptcpStatus,
  mptcpStatus,
  type ProcOptions,
} from './sockets/system-support.js'
export { pathSampleFromTcpInfo, tcpInfo } from './sockets/tcp-info.js'
export { type NativeTcpInfo, TcpCaState, type TcpInfo, TcpState } from './sockets/tcp-info-types.js'
export * from './ucx/index.js'
export { applyUcxSafetyDefaults, UCX_SAFETY_DEFAULTS } from './ucx-environment.js'
export {
  MAX_GIDS_PER_PORT,
  type RawRdmaDeviceReport,
  type RdmaDevice,
  type RdmaDeviceFailure,
  type RdmaDeviceIdentity,
  type RdmaDeviceInfo,
  type RdmaDeviceLimits,
  type RdmaGid,
  type RdmaPort,
  type RdmaPortFailure,
  type RdmaPortInfo,
  type VerbsBinding,
  type VerbsError,
} from './verbs/binding.js'
export {
  describeVerbsError,
  type RdmaDeviceReport,
  type RdmaDevicesOptions,
  rdmaDevices,
  toRdmaDeviceReport,
} from './verbs/devices.js'
export { formatRdmaReport } from './verbs/format.js'
