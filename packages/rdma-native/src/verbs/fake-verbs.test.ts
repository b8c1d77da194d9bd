/**
 * The addon's queryRdmaDevices() against a fake libibverbs, preloaded (LD_PRELOAD) into a child Node process, so
 * that the per-device and per-port paths run on a machine without RDMA hardware: a healthy device with three
 * ports (InfiniBand, Ethernet, one whose query fails), a device that cannot be opened and one that cannot be
 * queried. The fake counts its calls, which shows that every opened device is closed and the list is freed.
 * Linux only; skipped where no C compiler or libibverbs headers are installed, or the addon is not built (unless
 * DWCP_REQUIRE_NATIVE=1).
 */

import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultBindingPath } from '../loader.js'
import { UCX_SAFETY_DEFAULTS } from '../ucx-environment.js'
import type { RawRdmaDeviceReport } from './binding.js'
import { toRdmaDeviceReport } from './devices.js'
import { formatRdmaReport } from './format.js'

const FAKE_VERBS_SOURCE = String.raw`
#include <infiniband/verbs.h>
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#undef ibv_query_port

static int listed, freed, opened, closed, gid_queries;
static struct ibv_device devices[3];
static struct ibv_context contexts[3];
static struct ibv_device *list[4];

static int index_of(struct ibv_device *device) { return (int)(device - devices); }

__attribute__((destructor)) static void write_counts(void) {
  const char *path = getenv("FAKE_VERBS_COUNTS");
  FILE *file = path ? fopen(path, "w") : NULL;
  if (!file) return;
  fprintf(file, "{\"listed\":%d,\"freed\":%d,\"opened\":%d,\"closed\":%d,\"gidQueries\":%d}\n", listed, freed,
          opened, closed, gid_queries);
  fclose(file);
}

struct ibv_device **ibv_get_device_list(int *count) {
  const char *mode = getenv("FAKE_VERBS_MODE");
  listed++;
  if (mode && strcmp(mode, "enosys") == 0) { errno = ENOSYS; return NULL; }
  if (mode && strcmp(mode, "empty") == 0) { *count = 0; list[0] = NULL; return list; }
  static const char *names[3] = {"fake_ib0", "fake_denied1", "fake_broken2"};
  for (int i = 0; i < 3; i++) {
    memset(&devices[i], 0, sizeof devices[i]);
    strcpy(devices[i].name, names[i]);
    devices[i].node_type = i == 1 ? IBV_NODE_RNIC : IBV_NODE_CA;
    devices[i].transport_type = i == 1 ? IBV_TRANSPORT_IWARP : IBV_TRANSPORT_IB;
    list[i] = &devices[i];
  }
  list[3] = NULL;
  *count = 3;
  return list;
}

void ibv_free_device_list(struct ibv_device **devices_) { freed++; }
const char *ibv_get_device_name(struct ibv_device *device) { return device->name; }
__be64 ibv_get_device_guid(struct ibv_device *device) {
  return htobe64(0x0002c90300fa0000ULL + (unsigned)index_of(device));
}

struct ibv_context *ibv_open_device(struct ibv_device *device) {
  int i = index_of(device);
  if (i == 1) { errno = EACCES; return NULL; }
  opened++;
  memset(&contexts[i], 0, sizeof contexts[i]);
  contexts[i].device = device;
  return &contexts[i];
}

int ibv_close_device(struct ibv_context *context) { closed++; return 0; }

int ibv_query_device(struct ibv_context *context, struct ibv_device_attr *attr) {
  if (index_of(context->device) == 2) return EIO;
  memset(attr, 0, sizeof *attr);
  strcpy(attr->fw_ver, "16.35.2000");
  attr->sys_image_guid = htobe64(0x0002c90300fa0003ULL);
  attr->max_mr_size = ~0ULL;
  attr->vendor_id = 0x02c9;
  attr->vendor_part_id = 4119;
  attr->hw_ver = 0;
  attr->max_qp = 131072;
  attr->max_qp_wr = 32768;
  attr->max_sge = 30;
  attr->max_cq = 16777216;
  attr->max_cqe = 4194303;
  attr->max_mr = 16777216;
  attr->max_pd = 8388608;
  attr->max_qp_rd_atom = 16;
  attr->atomic_cap = IBV_ATOMIC_HCA;
  attr->phys_port_cnt = 3;
  return 0;
}

int ibv_query_port(struct ibv_context *context, uint8_t port, struct _compat_ibv_port_attr *compat) {
  struct ibv_port_attr *attr = (struct ibv_port_attr *)compat;
  if (port == 3) { errno = EINVAL; return -1; }
  if (port == 1) {
    attr->state = IBV_PORT_ACTIVE; attr->phys_state = 5;
    attr->max_mtu = IBV_MTU_4096; attr->active_mtu = IBV_MTU_4096;
    attr->lid = 3; attr->sm_lid = 1; attr->link_layer = IBV_LINK_LAYER_INFINIBAND;
    attr->active_speed = 32; attr->active_width = 2; attr->gid_tbl_len = 128;
  } else {
    attr->state = IBV_PORT_DOWN; attr->phys_state = 3;
    attr->max_mtu = IBV_MTU_1024; attr->active_mtu = 0;
    attr->link_layer = IBV_LINK_LAYER_ETHERNET;
    attr->active_speed = 0; attr->active_width = 0; attr->gid_tbl_len = 4;
  }
  return 0;
}

int ibv_query_gid(struct ibv_context *context, uint8_t port, int index, union ibv_gid *gid) {
  gid_queries++;
  memset(gid, 0, sizeof *gid);
  if (port == 1 && index == 0) {
    static const uint8_t link_local[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x00, 0x02, 0xc9, 0x03, 0x00, 0xfa, 0x00, 0x01};
    memcpy(gid->raw, link_local, 16);
  }
  if (port == 1 && index == 5) return -1;
  if (port == 2 && index == 3) {
    static const uint8_t v4_mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 1, 5};
    memcpy(gid->raw, v4_mapped, 16);
  }
  return 0;
}
`

const bindingPath = defaultBindingPath()
const addonBuilt = existsSync(bindingPath)
const nativeRequired = process.env.DWCP_REQUIRE_NATIVE === '1'
const compilerFound = spawnSync('cc', ['--version'], { stdio: 'ignore' }).status === 0
const verbsHeaders = existsSync('/usr/include/infiniband/verbs.h')

function skipReason(): string | undefined {
  if (process.platform !== 'linux') return 'LD_PRELOAD of a fake libibverbs needs Linux'
  if (!addonBuilt && !nativeRequired) {
    return `the native addon is not built (${bindingPath} is missing) and DWCP_REQUIRE_NATIVE is not 1`
  }
  if (!compilerFound) return 'no C compiler (cc) to build the fake libibverbs'
  if (!verbsHeaders) return 'no libibverbs headers (/usr/include/infiniband/verbs.h; Debian: libibverbs-dev)'
  return undefined
}
const skip = skipReason()

let scratch = ''
let fakeLibrary = ''
beforeAll(() => {
  if (skip !== undefined) return
  scratch = mkdtempSync(join(tmpdir(), 'dwcp-fake-verbs-'))
  const source = join(scratch, 'fake-verbs.c')
  fakeLibrary = join(scratch, 'libfake-verbs.so')
  writeFileSync(source, FAKE_VERBS_SOURCE)
  const cc = spawnSync('cc', ['-shared', '-fPIC', '-O1', '-o', fakeLibrary, source], { encoding: 'utf8' })
  if (cc.status !== 0) throw new Error(`cc failed to build the fake libibverbs: ${cc.stderr}`)
})
afterAll(() => {
  if (scratch !== '') rmSync(scratch, { recursive: true, force: true })
})

interface FakeCounts {
  listed: number
  freed: number
  opened: number
  closed: number
  gidQueries: number
}

/** Runs queryRdmaDevices() in a child Node with the fake preloaded; returns its report and the fake's counts. */
function queryWithFake(mode: 'devices' | 'enosys' | 'empty'): {
  raw: RawRdmaDeviceReport
  counts: FakeCounts
} {
  const countsPath = join(scratch, `counts-${mode}.json`)
  const script = `process.stdout.write(JSON.stringify(require(process.argv[1]).queryRdmaDevices()))`
  const child = spawnSync(process.execPath, ['-e', script, bindingPath], {
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      ...UCX_SAFETY_DEFAULTS,
      ...process.env,
      LD_PRELOAD: fakeLibrary,
      FAKE_VERBS_MODE: mode,
      FAKE_VERBS_COUNTS: countsPath,
    },
  })
  if (child.status !== 0) throw new Error(`child exited ${child.status} (${child.signal}): ${child.stderr}`)
  return {
    raw: JSON.parse(child.stdout) as RawRdmaDeviceReport,
    counts: JSON.parse(readFileSync(countsPath, 'utf8')) as FakeCounts,
  }
}

describe('queryRdmaDevices against a fake libibverbs', () => {
  it('describes devices and ports, reports failures in place, and releases everything', (ctx) => {
    ctx.skip(skip !== undefined, skip)
    const { raw, counts } = queryWithFake('devices')
    expect(raw.error).toBeNull()
    expect(raw.devices).toHaveLength(3)
    const [healthy, denied, broken] = raw.devices
    expect(healthy).toEqual({
      name: 'fake_ib0',
      nodeGuid: '0002:c903:00fa:0000',
      nodeType: 'InfiniBand channel adapter',
      transportType: 'InfiniBand',
      error: null,
      firmwareVersion: '16.35.2000',
      sysImageGuid: '0002:c903:00fa:0003',
      vendorId: 0x02c9,
      vendorPartId: 4119,
      hardwareVersion: 0,
      physPortCount: 3,
      limits: {
        maxQp: 131072,
        maxQpWr: 32768,
        maxSge: 30,
        maxCq: 16777216,
        maxCqe: 4194303,
        maxMr: 16777216,
        maxMrSizeBytes: '18446744073709551615',
        maxPd: 8388608,
        maxQpRdAtom: 16,
        atomicCap: 'ATOMIC_HCA',
      },
      ports: [
        {
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
          gids: [{ index: 0, gid: 'fe80:0000:0000:0000:0002:c903:00fa:0001' }],
        },
        {
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
          gidTableLength: 4,
          gids: [{ index: 3, gid: '0000:0000:0000:0000:0000:ffff:c0a8:0105' }],
        },
        {
          portNumber: 3,
          error: { operation: 'ibv_query_port', errno: 22, code: 'EINVAL', message: 'Invalid argument' },
        },
      ],
    })
    expect(denied).toEqual({
      name: 'fake_denied1',
      nodeGuid: '0002:c903:00fa:0001',
      nodeType: 'iWARP NIC',
      transportType: 'iWARP',
      error: { operation: 'ibv_open_device', errno: 13, code: 'EACCES', message: 'Permission denied' },
    })
    expect(broken).toMatchObject({
      name: 'fake_broken2',
      error: { operation: 'ibv_query_device', errno: 5, code: 'EIO', message: 'Input/output error' },
    })
    // Two devices opened (the third refused), both closed; the list freed; GID scans bounded at 16 entries.
    expect(counts).toEqual({ listed: 1, freed: 1, opened: 2, closed: 2, gidQueries: 16 + 4 })

    const report = toRdmaDeviceReport(raw)
    expect(report.available).toBe(true)
    expect(report.reason).toBeUndefined()
    const text = formatRdmaReport(report)
    expect(text).toContain('        link_speed:        100 Gbps\n')
    expect(text).toContain('    error:                 ibv_open_device failed: Permission denied (EACCES)\n')
  })

  it('reports a failed listing without throwing, and frees nothing it did not get', (ctx) => {
    ctx.skip(skip !== undefined, skip)
    const { raw, counts } = queryWithFake('enosys')
    expect(raw).toEqual({
      devices: [],
      error: {
        operation: 'ibv_get_device_list',
        errno: 38,
        code: 'ENOSYS',
        message: 'Function not implemented',
      },
    })
    expect(counts).toEqual({ listed: 1, freed: 0, opened: 0, closed: 0, gidQueries: 0 })
  })

  it('reports an empty listing and frees it', (ctx) => {
    ctx.skip(skip !== undefined, skip)
    const { raw, counts } = queryWithFake('empty')
    expect(raw).toEqual({ devices: [], error: null })
    expect(toRdmaDeviceReport(raw).reason).toBe('no RDMA device: none listed')
    expect(counts).toEqual({ listed: 1, freed: 1, opened: 0, closed: 0, gidQueries: 0 })
  })
})
