/** One lane of a UCX endpoint: which transport and device carry which kinds of traffic. */
export interface UcxLane {
  /** Lane index. */
  lane: number
  /** UCX transport name (`tcp`, `rc_mlx5`, `ud_verbs`, `posix`, `cma`…); `cm` lanes name the connection manager. */
  transport: string
  /** Device (`lo`, `mlx5_0:1`…), empty for connection-manager lanes. */
  device: string
  /** What the lane is used for (`am`, `rma_bw#0`, `wireup`…). */
  roles: string[]
}

/** UCX transports that run over RDMA verbs. */
const RDMA_TRANSPORTS = /^(rc|ud|dc)(_|$)|verbs|mlx5/

/**
 * Parses UCX's endpoint report (`ucp_ep_print_info`), the only per-endpoint transport report UCX 1.13 offers.
 * Lines look like `lane[1]:  1:tcp/lo.0 md[1] -> md[1]/tcp/sysdev[255] rma_bw#0 am am_bw#0 wireup`.
 */
export function parseUcxLanes(report: string): UcxLane[] {
  const lanes: UcxLane[] = []
  for (const line of report.split('\n')) {
    const match = /lane\[(\d+)\]:\s*(.*)$/.exec(line)
    if (!match) continue
    const lane = Number(match[1])
    const body = (match[2] ?? '').trim()
    const cm = /^cm\s+(\S+)/.exec(body)
    if (cm) {
      lanes.push({ lane, transport: `cm:${cm[1]}`, device: '', roles: ['connection-manager'] })
      continue
    }
    const resource = /^\d+:([^/\s]+)\/(\S+)/.exec(body)
    if (!resource) continue
    const device = (resource[2] ?? '').replace(/\.\d+$/, '')
    const roles = (body.split('->')[1] ?? '').trim().split(/\s+/).slice(1)
    lanes.push({ lane, transport: resource[1] ?? '', device, roles })
  }
  return lanes
}

/** Whether any data lane runs over RDMA verbs. */
export function lanesUseRdma(lanes: readonly UcxLane[]): boolean {
  return lanes.some((l) => !l.transport.startsWith('cm:') && RDMA_TRANSPORTS.test(l.transport))
}
