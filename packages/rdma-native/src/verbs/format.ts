/**
 * Renders an {@link RdmaDeviceReport} as text in the manner of `ibv_devinfo -v`: one block per device, one
 * indented block per port. What `dwcp debug transport --mode=rdma` prints.
 */
import type { RdmaDevice, RdmaPort } from './binding.js'
import type { RdmaDeviceReport } from './devices.js'
import { describeVerbsError } from './devices.js'

/** Column where values start, so device and port fields line up. */
const VALUE_COLUMN = 27
const DEVICE_INDENT = 4
const PORT_INDENT = 8
const GID_INDEX_WIDTH = 3

/**
 * The report as `ibv_devinfo`-like text, ending with a newline. When RDMA is unavailable the first line says
 * why (`no RDMA device available: …`); every listed device follows, a device or port that could not be queried
 * with its error in place of its attributes.
 *
 * @example
 * ```ts
 * process.stdout.write(formatRdmaReport(rdmaDevices()))
 * ```
 */
export function formatRdmaReport(report: RdmaDeviceReport): string {
  const lines: string[] = []
  if (!report.available) lines.push(`no RDMA device available: ${report.reason ?? 'no reason given'}`)
  for (const device of report.devices) {
    if (lines.length > 0) lines.push('')
    formatDevice(device, lines)
  }
  return `${lines.join('\n')}\n`
}

function field(lines: string[], indent: number, key: string, value: string | number): void {
  lines.push(`${' '.repeat(indent)}${`${key}:`.padEnd(VALUE_COLUMN - indent)}${value}`)
}

function hex(value: number, digits = 1): string {
  return `0x${value.toString(16).padStart(digits, '0')}`
}

function formatDevice(device: RdmaDevice, lines: string[]): void {
  lines.push(`hca_id: ${device.name}`)
  field(lines, DEVICE_INDENT, 'transport', device.transportType)
  field(lines, DEVICE_INDENT, 'node_type', device.nodeType)
  field(lines, DEVICE_INDENT, 'node_guid', device.nodeGuid)
  if (device.error !== null) {
    field(lines, DEVICE_INDENT, 'error', describeVerbsError(device.error))
    return
  }
  const { limits } = device
  field(lines, DEVICE_INDENT, 'fw_ver', device.firmwareVersion)
  field(lines, DEVICE_INDENT, 'sys_image_guid', device.sysImageGuid)
  field(lines, DEVICE_INDENT, 'vendor_id', hex(device.vendorId, 4))
  field(lines, DEVICE_INDENT, 'vendor_part_id', device.vendorPartId)
  field(lines, DEVICE_INDENT, 'hw_ver', hex(device.hardwareVersion))
  field(lines, DEVICE_INDENT, 'phys_port_cnt', device.physPortCount)
  field(lines, DEVICE_INDENT, 'max_mr_size', `${limits.maxMrSizeBytes} bytes`)
  field(lines, DEVICE_INDENT, 'max_qp', limits.maxQp)
  field(lines, DEVICE_INDENT, 'max_qp_wr', limits.maxQpWr)
  field(lines, DEVICE_INDENT, 'max_sge', limits.maxSge)
  field(lines, DEVICE_INDENT, 'max_cq', limits.maxCq)
  field(lines, DEVICE_INDENT, 'max_cqe', limits.maxCqe)
  field(lines, DEVICE_INDENT, 'max_mr', limits.maxMr)
  field(lines, DEVICE_INDENT, 'max_pd', limits.maxPd)
  field(lines, DEVICE_INDENT, 'max_qp_rd_atom', limits.maxQpRdAtom)
  field(lines, DEVICE_INDENT, 'atomic_cap', limits.atomicCap)
  for (const port of device.ports) formatPort(port, lines)
}

function formatPort(port: RdmaPort, lines: string[]): void {
  field(lines, DEVICE_INDENT, 'port', port.portNumber)
  if (port.error !== null) {
    field(lines, PORT_INDENT, 'error', describeVerbsError(port.error))
    return
  }
  const mtu = (bytes: number | null) => (bytes === null ? 'unknown' : `${bytes} bytes`)
  field(lines, PORT_INDENT, 'state', port.state)
  field(lines, PORT_INDENT, 'phys_state', port.physState)
  field(lines, PORT_INDENT, 'max_mtu', mtu(port.maxMtuBytes))
  field(lines, PORT_INDENT, 'active_mtu', mtu(port.activeMtuBytes))
  field(lines, PORT_INDENT, 'sm_lid', port.smLid)
  field(lines, PORT_INDENT, 'port_lid', port.lid)
  field(lines, PORT_INDENT, 'link_layer', port.linkLayer)
  field(
    lines,
    PORT_INDENT,
    'active_width',
    port.activeWidthLanes === null
      ? `unknown (code ${port.activeWidthCode})`
      : `${port.activeWidthLanes}X (${port.activeWidthLanes} lane${port.activeWidthLanes === 1 ? '' : 's'})`,
  )
  field(
    lines,
    PORT_INDENT,
    'active_speed',
    port.activeSpeed === null || port.laneSpeedGbps === null
      ? `unknown (code ${port.activeSpeedCode})`
      : `${port.laneSpeedGbps} Gbps per lane (${port.activeSpeed})`,
  )
  field(lines, PORT_INDENT, 'link_speed', port.speedGbps === null ? 'unknown' : `${port.speedGbps} Gbps`)
  field(lines, PORT_INDENT, 'gid_tbl_len', port.gidTableLength)
  for (const { index, gid } of port.gids) {
    field(lines, PORT_INDENT, `GID[${String(index).padStart(GID_INDEX_WIDTH)}]`, gid)
  }
}
