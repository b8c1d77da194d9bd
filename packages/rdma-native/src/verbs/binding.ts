/**
 * The verbs part of the native addon's surface, typed by hand: `queryRdmaDevices()` (native/verbs.cc) and the
 * report it returns. Names are the addon's; numbers carry their unit in the name.
 */

/** A libibverbs call that failed, with the errno it reported. */
export interface VerbsError {
  /** The verbs call that failed, e.g. `ibv_get_device_list`, `ibv_open_device`, `ibv_query_port`. */
  operation: string
  /** The errno value, e.g. 38; 0 when the call failed without setting errno. */
  errno: number
  /** The errno's symbolic name, e.g. `ENOSYS`; empty when the platform does not know it. */
  code: string
  /** The strerror text, e.g. `Function not implemented`. */
  message: string
}

/** A non-zero entry of a port's GID table. */
export interface RdmaGid {
  /** Index in the port's GID table. */
  index: number
  /** The GID as eight groups of four hex digits (IPv6 style, uncompressed), e.g. `fe80:0000:…:0001`. */
  gid: string
}

/** A port whose `ibv_query_port` failed. */
export interface RdmaPortFailure {
  /** Port number, from 1. */
  portNumber: number
  /** Why the port could not be queried. */
  error: VerbsError
}

/** A port as `ibv_query_port` describes it. */
export interface RdmaPortInfo {
  /** Port number, from 1. */
  portNumber: number
  /** Always `null`: the port was queried. */
  error: null
  /** Logical state, e.g. `PORT_ACTIVE`, `PORT_DOWN`, `PORT_INIT`, `PORT_ARMED`; `unknown` otherwise. */
  state: string
  /** Physical state, e.g. `LINK_UP`, `POLLING`, `DISABLED`; `unknown` otherwise. */
  physState: string
  /** Largest MTU the port supports, in bytes (256…4096); `null` when the value is not a known MTU. */
  maxMtuBytes: number | null
  /** MTU in use, in bytes (256…4096); `null` when the value is not a known MTU. */
  activeMtuBytes: number | null
  /** Local identifier (InfiniBand; 0 on Ethernet). */
  lid: number
  /** LID of the subnet manager (InfiniBand; 0 on Ethernet). */
  smLid: number
  /** `InfiniBand` or `Ethernet` (RoCE); a driver that leaves it unspecified counts as InfiniBand. */
  linkLayer: string
  /** Raw `active_speed` code (1 SDR, 2 DDR, 4 QDR, 8 FDR10, 16 FDR, 32 EDR, 64 HDR, 128 NDR). */
  activeSpeedCode: number
  /** Name of the lane speed, e.g. `EDR`; `null` when the code is unknown. */
  activeSpeed: string | null
  /** Nominal data rate per lane in Gbit/s (e.g. 25 for EDR); `null` when the code is unknown. */
  laneSpeedGbps: number | null
  /** Raw `active_width` code (1 → 1X, 2 → 4X, 4 → 8X, 8 → 12X, 16 → 2X). */
  activeWidthCode: number
  /** Lanes in use (1, 2, 4, 8 or 12); `null` when the code is unknown. */
  activeWidthLanes: number | null
  /** Link rate in Gbit/s, lanes × lane speed (e.g. 100 for 4X EDR); `null` when either is unknown. */
  speedGbps: number | null
  /** Entries in the port's GID table. */
  gidTableLength: number
  /** The non-zero GIDs among the first {@link MAX_GIDS_PER_PORT} entries of the table. */
  gids: RdmaGid[]
}

/** One port of a device: described, or the reason it could not be queried (tell them apart by `error`). */
export type RdmaPort = RdmaPortInfo | RdmaPortFailure

/** Limits of a device, from `ibv_query_device`. */
export interface RdmaDeviceLimits {
  /** Queue pairs. */
  maxQp: number
  /** Outstanding work requests per queue. */
  maxQpWr: number
  /** Scatter/gather entries per work request. */
  maxSge: number
  /** Completion queues. */
  maxCq: number
  /** Entries per completion queue. */
  maxCqe: number
  /** Memory regions. */
  maxMr: number
  /** Largest memory region in bytes: a number, or a decimal string when above `Number.MAX_SAFE_INTEGER`. */
  maxMrSizeBytes: number | string
  /** Protection domains. */
  maxPd: number
  /** Outstanding RDMA reads and atomics per queue pair, as target. */
  maxQpRdAtom: number
  /** Atomic support: `ATOMIC_NONE`, `ATOMIC_HCA` or `ATOMIC_GLOB`. */
  atomicCap: string
}

/** What every listed device reports, whether or not it could be opened. */
export interface RdmaDeviceIdentity {
  /** Device name, e.g. `mlx5_0`. */
  name: string
  /** Node GUID as four groups of four hex digits, e.g. `0002:c903:00fa:ced0`. */
  nodeGuid: string
  /** Node type, e.g. `InfiniBand channel adapter`, `iWARP NIC`. */
  nodeType: string
  /** Transport, e.g. `InfiniBand` (also RoCE), `iWARP`. */
  transportType: string
}

/** A listed device that could not be opened (`ibv_open_device`) or queried (`ibv_query_device`). */
export interface RdmaDeviceFailure extends RdmaDeviceIdentity {
  /** Why the device could not be opened or queried. */
  error: VerbsError
}

/** A listed device, opened and queried. */
export interface RdmaDeviceInfo extends RdmaDeviceIdentity {
  /** Always `null`: the device was opened and queried. */
  error: null
  /** Firmware version, e.g. `16.35.2000`. */
  firmwareVersion: string
  /** System image GUID, formatted as {@link RdmaDeviceIdentity.nodeGuid}. */
  sysImageGuid: string
  /** IEEE vendor id, e.g. 0x02c9 (Mellanox). */
  vendorId: number
  /** Vendor part id, e.g. 4119. */
  vendorPartId: number
  /** Hardware version. */
  hardwareVersion: number
  /** Physical ports (`ports` has one entry per port). */
  physPortCount: number
  /** Resource limits. */
  limits: RdmaDeviceLimits
  /** Ports 1…physPortCount. */
  ports: RdmaPort[]
}

/** One listed device: described, or the reason it could not be opened or queried (tell them apart by `error`). */
export type RdmaDevice = RdmaDeviceInfo | RdmaDeviceFailure

/** What `queryRdmaDevices()` returns. Verbs failures are reported here, never thrown. */
export interface RawRdmaDeviceReport {
  /** Every device `ibv_get_device_list` listed, in its order; empty when it listed none or failed. */
  devices: RdmaDevice[]
  /** Why `ibv_get_device_list` failed (e.g. ENOSYS without RDMA devices); `null` when it succeeded. */
  error: VerbsError | null
}

/** GID table entries the addon scans per port (native/verbs.cc `kMaxGidsPerPort`). */
export const MAX_GIDS_PER_PORT = 16

/** The verbs part of the native addon's surface, typed by hand. */
export interface VerbsBinding {
  /**
   * Lists the RDMA devices libibverbs sees and describes each one (attributes, limits, ports, GIDs), opening and
   * closing each device. Synchronous; a few system calls per device and port. Never throws for a verbs failure.
   */
  queryRdmaDevices(): RawRdmaDeviceReport
}

/** Names of the verbs functions the addon must export. */
export const VERBS_EXPORTS: ReadonlyArray<keyof VerbsBinding> = ['queryRdmaDevices']
