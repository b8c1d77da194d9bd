/** formatRdmaReport on hand-made reports: one device with two ports, failures, and no device at all. */
import { describe, expect, it } from 'vitest'
import type { RdmaDeviceInfo, RdmaPortInfo } from './binding.js'
import type { RdmaDeviceReport } from './devices.js'
import { formatRdmaReport } from './format.js'

const infinibandPort: RdmaPortInfo = {
  portNumber: 1,
  error: null,
  state: 'PORT_ACTIVE',
  physState: 'LINK_UP',
  maxMtuBytes: 4096,
  activeMtuBytes: 4096,
  lid: 3,
  smLid: 1,
  linkLayer: 'InfiniBand',
  activeSpeedCode: 32,
  activeSpeed: 'EDR',
  laneSpeedGbps: 25,
  activeWidthCode: 2,
  activeWidthLanes: 4,
  speedGbps: 100,
  gidTableLength: 128,
  gids: [{ index: 0, gid: 'fe80:0000:0000:0000:0002:c903:00fa:ced1' }],
}

const ethernetPort: RdmaPortInfo = {
  portNumber: 2,
  error: null,
  state: 'PORT_DOWN',
  physState: 'DISABLED',
  maxMtuBytes: 1024,
  activeMtuBytes: null,
  lid: 0,
  smLid: 0,
  linkLayer: 'Ethernet',
  activeSpeedCode: 0,
  activeSpeed: null,
  laneSpeedGbps: null,
  activeWidthCode: 0,
  activeWidthLanes: null,
  speedGbps: null,
  gidTableLength: 256,
  gids: [
    { index: 0, gid: 'fe80:0000:0000:0000:0202:c9ff:fefa:ced2' },
    { index: 12, gid: '0000:0000:0000:0000:0000:ffff:c0a8:0105' },
  ],
}

const device: RdmaDeviceInfo = {
  name: 'mlx5_0',
  nodeGuid: '0002:c903:00fa:ced0',
  nodeType: 'InfiniBand channel adapter',
  transportType: 'InfiniBand',
  error: null,
  firmwareVersion: '16.35.2000',
  sysImageGuid: '0002:c903:00fa:ced3',
  vendorId: 0x02c9,
  vendorPartId: 4119,
  hardwareVersion: 0,
  physPortCount: 2,
  limits: {
    maxQp: 131072,
    maxQpWr: 32768,
    maxSge: 30,
    maxCq: 16777216,
    maxCqe: 4194303,
    maxMr: 16777216,
    maxMrSizeBytes: '18446744073709551615',
    maxPd: 16777216,
    maxQpRdAtom: 16,
    atomicCap: 'ATOMIC_HCA',
  },
  ports: [infinibandPort, ethernetPort],
}

describe('formatRdmaReport', () => {
  it('renders a device with two ports like ibv_devinfo -v', () => {
    const text = formatRdmaReport({ available: true, devices: [device] })
    expect(text).toBe(
      [
        'hca_id: mlx5_0',
        '    transport:             InfiniBand',
        '    node_type:             InfiniBand channel adapter',
        '    node_guid:             0002:c903:00fa:ced0',
        '    fw_ver:                16.35.2000',
        '    sys_image_guid:        0002:c903:00fa:ced3',
        '    vendor_id:             0x02c9',
        '    vendor_part_id:        4119',
        '    hw_ver:                0x0',
        '    phys_port_cnt:         2',
        '    max_mr_size:           18446744073709551615 bytes',
        '    max_qp:                131072',
        '    max_qp_wr:             32768',
        '    max_sge:               30',
        '    max_cq:                16777216',
        '    max_cqe:               4194303',
        '    max_mr:                16777216',
        '    max_pd:                16777216',
        '    max_qp_rd_atom:        16',
        '    atomic_cap:            ATOMIC_HCA',
        '    port:                  1',
        '        state:             PORT_ACTIVE',
        '        phys_state:        LINK_UP',
        '        max_mtu:           4096 bytes',
        '        active_mtu:        4096 bytes',
        '        sm_lid:            1',
        '        port_lid:          3',
        '        link_layer:        InfiniBand',
        '        active_width:      4X (4 lanes)',
        '        active_speed:      25 Gbps per lane (EDR)',
        '        link_speed:        100 Gbps',
        '        gid_tbl_len:       128',
        '        GID[  0]:          fe80:0000:0000:0000:0002:c903:00fa:ced1',
        '    port:                  2',
        '        state:             PORT_DOWN',
        '        phys_state:        DISABLED',
        '        max_mtu:           1024 bytes',
        '        active_mtu:        unknown',
        '        sm_lid:            0',
        '        port_lid:          0',
        '        link_layer:        Ethernet',
        '        active_width:      unknown (code 0)',
        '        active_speed:      unknown (code 0)',
        '        link_speed:        unknown',
        '        gid_tbl_len:       256',
        '        GID[  0]:          fe80:0000:0000:0000:0202:c9ff:fefa:ced2',
        '        GID[ 12]:          0000:0000:0000:0000:0000:ffff:c0a8:0105',
        '',
      ].join('\n'),
    )
  })

  it('says why when no device is available', () => {
    const report: RdmaDeviceReport = {
      available: false,
      devices: [],
      reason: 'no RDMA device: ibv_get_device_list failed: Function not implemented (ENOSYS)',
    }
    expect(formatRdmaReport(report)).toBe(
      'no RDMA device available: no RDMA device: ibv_get_device_list failed: Function not implemented (ENOSYS)\n',
    )
  })

  it('renders a device or a port that could not be queried with its error', () => {
    const report: RdmaDeviceReport = {
      available: true,
      devices: [
        {
          ...device,
          ports: [
            {
              portNumber: 1,
              error: { operation: 'ibv_query_port', errno: 22, code: 'EINVAL', message: 'Invalid argument' },
            },
          ],
          physPortCount: 1,
        },
        {
          name: 'rxe0',
          nodeGuid: '0000:0000:0000:0002',
          nodeType: 'InfiniBand channel adapter',
          transportType: 'InfiniBand',
          error: { operation: 'ibv_open_device', errno: 13, code: 'EACCES', message: 'Permission denied' },
        },
      ],
    }
    const lines = formatRdmaReport(report).split('\n')
    expect(lines).toContain('    port:                  1')
    expect(lines).toContain('        error:             ibv_query_port failed: Invalid argument (EINVAL)')
    expect(lines.slice(lines.indexOf('hca_id: rxe0') - 1)).toEqual([
      '',
      'hca_id: rxe0',
      '    transport:             InfiniBand',
      '    node_type:             InfiniBand channel adapter',
      '    node_guid:             0000:0000:0000:0002',
      '    error:                 ibv_open_device failed: Permission denied (EACCES)',
      '',
    ])
  })
})
