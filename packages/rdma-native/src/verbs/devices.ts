/**
 * RDMA device diagnostics: what libibverbs sees on this machine, through the addon's `queryRdmaDevices()`, as a
 * report that says whether RDMA is usable and, if not, why.
 */
import { isDwcpError, type NativeUnavailableError } from '@dwcp/core'
import { type LoadNativeOptions, loadNative } from '../loader.js'
import type { RawRdmaDeviceReport, RdmaDevice, RdmaDeviceFailure, VerbsError } from './binding.js'

/** Options of {@link rdmaDevices}: where and how to load the addon (see {@link LoadNativeOptions}). */
export interface RdmaDevicesOptions extends LoadNativeOptions {}

/** The RDMA devices of this machine, as {@link rdmaDevices} reports them. */
export interface RdmaDeviceReport {
  /** Whether at least one RDMA device was listed, opened and queried. */
  available: boolean
  /**
   * Every listed device, including those that could not be opened or queried (their `error` says why); empty
   * when none was listed or the addon is unavailable.
   */
  devices: RdmaDevice[]
  /**
   * Why RDMA is unavailable, set exactly when `available` is false: the loader's reason when the addon cannot be
   * loaded, else e.g. `no RDMA device: ibv_get_device_list failed: Function not implemented (ENOSYS)`,
   * `no RDMA device: none listed`, or `no usable RDMA device: mlx5_0: ibv_open_device failed: …`.
   */
  reason?: string
  /** Why `ibv_get_device_list` failed, when it did (e.g. ENOSYS on a machine without RDMA devices). */
  listError?: VerbsError
}

/**
 * Lists this machine's RDMA devices with their attributes, limits and ports, like `ibv_devinfo -v`.
 *
 * Loads the addon with {@link loadNative} (so the first call may probe it in a child process). Never throws
 * because RDMA is missing: an addon that cannot be loaded gives `available: false` with the loader's reason, and
 * a machine without RDMA devices gives `available: false` with the verbs error.
 *
 * @throws InvalidArgumentError (`DWCP_ERR_INVALID_ARGUMENT`) when `options.probeTimeoutMs` is not a positive
 *   integer
 *
 * @example
 * ```ts
 * const report = rdmaDevices()
 * if (!report.available) console.log(`no RDMA, using TCP: ${report.reason}`)
 * ```
 */
export function rdmaDevices(options: RdmaDevicesOptions = {}): RdmaDeviceReport {
  let binding: ReturnType<typeof loadNative>
  try {
    binding = loadNative(options)
  } catch (err) {
    if (!isDwcpError(err, 'DWCP_ERR_NATIVE_UNAVAILABLE')) throw err
    return { available: false, devices: [], reason: (err as NativeUnavailableError).data.reason }
  }
  return toRdmaDeviceReport(binding.queryRdmaDevices())
}

/**
 * Turns the addon's raw report into an {@link RdmaDeviceReport}: decides `available` and words the `reason`.
 * Pure; exported for callers that received a raw report from elsewhere (e.g. a remote node's diagnostics).
 */
export function toRdmaDeviceReport(raw: RawRdmaDeviceReport): RdmaDeviceReport {
  if (raw.error !== null) {
    return {
      available: false,
      devices: raw.devices,
      reason: `no RDMA device: ${describeVerbsError(raw.error)}`,
      listError: raw.error,
    }
  }
  if (raw.devices.length === 0)
    return { available: false, devices: [], reason: 'no RDMA device: none listed' }
  if (raw.devices.some((device) => device.error === null)) return { available: true, devices: raw.devices }
  const failures = (raw.devices as RdmaDeviceFailure[])
    .map((device) => `${device.name}: ${describeVerbsError(device.error)}`)
    .join('; ')
  return { available: false, devices: raw.devices, reason: `no usable RDMA device: ${failures}` }
}

/**
 * One line for a verbs failure: `ibv_get_device_list failed: Function not implemented (ENOSYS)`; the errno
 * number stands in for the name when the platform has none (`(errno 38)`).
 */
export function describeVerbsError(error: VerbsError): string {
  const code = error.code === '' ? `errno ${error.errno}` : error.code
  return `${error.operation} failed: ${error.message} (${code})`
}
