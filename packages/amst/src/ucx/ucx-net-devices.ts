import { existsSync } from 'node:fs'

/** Where the kernel lists InfiniBand devices. */
const INFINIBAND_CLASS = '/sys/class/infiniband'

/**
 * UCX's name for `device`: UCX names InfiniBand ports `device:port`, and older UCX releases match nothing for a
 * bare `mlx5_0`; a device the kernel lists as InfiniBand without a port therefore means its port 1. Other
 * names (`lo`, `eth0`, `mlx5_0:2`) pass as written.
 */
export function ucxNetDevices(device: string, infinibandClass = INFINIBAND_CLASS): string {
  if (device.includes(':')) return device
  return existsSync(`${infinibandClass}/${device}`) ? `${device}:1` : device
}
