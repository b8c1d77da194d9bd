/**
 * @packageDocumentation
 * A WAN emulator for DWCP's tests and benchmarks: two network namespaces joined by a user-space delay line
 * on TUN devices (this kernel has no `tc netem`). Each direction gets one-way delay (half the RTT), jitter,
 * random loss from a seeded PRNG and a rate limit behind a bounded drop-tail queue. Needs root; check with
 * `wanEmulatorAvailable()` and skip with its reason.
 *
 * @example
 * ```ts
 * import { createWanEmulator, validateEmulator, wanEmulatorAvailable, PROFILES } from '@dwcp/wan-emulator'
 *
 * const { available, reason } = await wanEmulatorAvailable()
 * if (available) {
 *   const wan = await createWanEmulator({ profile: 'wan50', seed: 7 })
 *   try {
 *     const server = wan.execNode(wan.nsB, 'server.js', ['--listen', `${wan.addressB}:7000`])
 *     server.stdout?.pipe(process.stdout)
 *     const report = await validateEmulator(wan, PROFILES.wan50)
 *     console.log(report.ok, await wan.stats())
 *   } finally {
 *     await wan.stop()
 *   }
 * } else {
 *   console.log(`no WAN emulation: ${reason}`)
 * }
 * ```
 */
export { isRoot, TUN_DEVICE, type WanAvailability, wanEmulatorAvailable } from './availability.js'
export type { CommandResult } from './commands.js'
export type { DelayLineStats, DirectionCounters } from './delay-line.js'
export type { DeviceCounters } from './device-counters.js'
export {
  createWanEmulator,
  EMULATOR_ADDRESSES,
  EMULATOR_DEVICE,
  type NamespaceRef,
  type WanEmulator,
  type WanEmulatorOptions,
  type WanStats,
} from './emulator.js'
export { type LossMeasurement, type LossOptions, measureLoss } from './measure-loss.js'
export { measureRate, type RateMeasurement, type RateOptions } from './measure-rate.js'
export { measureRtt, type RttMeasurement, type RttOptions } from './measure-rtt.js'
export { removeStaleNamespaces } from './namespaces.js'
export { type DelayLineBuildOptions, ensureDelayLine } from './native-build.js'
export {
  bdpBytes,
  type CustomLink,
  defaultQueueBytes,
  describeLink,
  type LinkParams,
  oneWayDelayNs,
  PROFILES,
  type ProfileName,
  resolveLink,
  type WanProfile,
} from './profiles.js'
export { binomialHalfWidth, lossConsistent, median, Z_999 } from './statistics.js'
export {
  formatValidationReport,
  type ValidationCheck,
  type ValidationCheckName,
  type ValidationOptions,
  type ValidationReport,
  validateEmulator,
} from './validate.js'
