import { runChecked } from './commands.js'

/** Kernel counters of a network device, from the receiving and the sending side of its stack. */
export interface DeviceCounters {
  rxBytes: number
  rxPackets: number
  rxDropped: number
  txBytes: number
  txPackets: number
  /** For a TUN device: packets dropped because the user-space reader fell behind. */
  txDropped: number
}

interface IpLinkStats {
  stats64?: {
    rx: { bytes: number; packets: number; dropped: number }
    tx: { bytes: number; packets: number; dropped: number }
  }
}

/** Reads a device's counters inside a namespace (`ip -n NS -s -j link show dev DEVICE`). */
export async function deviceCounters(ns: string, device: string): Promise<DeviceCounters> {
  const stdout = await runChecked('ip', ['-n', ns, '-s', '-j', 'link', 'show', 'dev', device])
  const stats = (JSON.parse(stdout) as IpLinkStats[])[0]?.stats64
  if (stats === undefined) throw new Error(`no counters for ${device} in ${ns}: ${stdout.slice(0, 200)}`)
  return {
    rxBytes: stats.rx.bytes,
    rxPackets: stats.rx.packets,
    rxDropped: stats.rx.dropped,
    txBytes: stats.tx.bytes,
    txPackets: stats.tx.packets,
    txDropped: stats.tx.dropped,
  }
}
