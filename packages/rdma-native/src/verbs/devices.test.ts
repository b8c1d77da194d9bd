/**
 * rdmaDevices() on this machine (no RDMA hardware here: libibverbs reports ENOSYS or lists nothing), checked
 * against the `ibv_devices` CLI when it is installed; the wrapper without an addon; and the pure report logic.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { constants, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { defaultBindingPath, loadNative, nativeStatus } from '../loader.js'
import type { RawRdmaDeviceReport, RdmaDevice, VerbsError } from './binding.js'
import { describeVerbsError, rdmaDevices, toRdmaDeviceReport } from './devices.js'

const addonBuilt = existsSync(defaultBindingPath())
const nativeRequired = process.env.DWCP_REQUIRE_NATIVE === '1'
const SKIP_NATIVE =
  `the native addon is not built (${defaultBindingPath()} is missing) and DWCP_REQUIRE_NATIVE is not 1: ` +
  'run `node scripts/build-native.mjs` to build it'
/** Whether the kernel exposes any RDMA device (rdma-core lists devices from this directory). */
const sysDevices = existsSync('/sys/class/infiniband') ? readdirSync('/sys/class/infiniband') : []

const scratch = mkdtempSync(join(tmpdir(), 'dwcp-rdma-verbs-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const ENOSYS: VerbsError = {
  operation: 'ibv_get_device_list',
  errno: 38,
  code: 'ENOSYS',
  message: 'Function not implemented',
}

describe('rdmaDevices on this machine', () => {
  it('queries without throwing and explains a missing device', (ctx) => {
    ctx.skip(!addonBuilt && !nativeRequired, SKIP_NATIVE)
    const report = rdmaDevices()
    if (report.available) {
      expect(report.reason).toBeUndefined()
      expect(report.devices.some((device) => device.error === null)).toBe(true)
      return
    }
    expect(report.reason).toMatch(/^no (usable )?RDMA device: /)
    if (report.listError !== undefined) {
      const { errno, code, message } = report.listError
      expect(report.reason).toBe(`no RDMA device: ibv_get_device_list failed: ${message} (${code})`)
      expect(errno).toBeGreaterThan(0)
      // The addon's errno name agrees with Node's table for this platform.
      expect(constants.errno[code as keyof typeof constants.errno]).toBe(errno)
    }
  })

  it('reports no device when the kernel exposes none (ENOSYS, or an empty list)', (ctx) => {
    ctx.skip(!addonBuilt && !nativeRequired, SKIP_NATIVE)
    ctx.skip(sysDevices.length > 0, `this machine has RDMA devices: ${sysDevices.join(', ')}`)
    const raw = loadNative().queryRdmaDevices()
    expect(raw.devices).toEqual([])
    const report = rdmaDevices()
    expect(report.available).toBe(false)
    expect(report.devices).toEqual([])
    if (raw.error === null) {
      expect(report.reason).toBe('no RDMA device: none listed')
    } else {
      expect(raw.error.operation).toBe('ibv_get_device_list')
      expect(report.reason).toBe(
        `no RDMA device: ibv_get_device_list failed: ${raw.error.message} (${raw.error.code})`,
      )
    }
  })

  it('agrees with the ibv_devices CLI', (ctx) => {
    ctx.skip(!addonBuilt && !nativeRequired, SKIP_NATIVE)
    const cli = spawnSync('ibv_devices', [], { encoding: 'utf8', timeout: 10_000 })
    const missing = (cli.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
    ctx.skip(missing, 'ibv_devices is not installed (Debian package ibverbs-utils): comparison skipped')
    expect(cli.error).toBeUndefined()
    const report = rdmaDevices()
    if (cli.status !== 0) {
      // ibv_devices calls perror("Failed to get IB devices list") when ibv_get_device_list fails.
      expect(report.listError, cli.stderr).toBeDefined()
      expect(cli.stderr).toContain(report.listError?.message)
      return
    }
    // Header "    device  node GUID", a dashed line, then "    <name>\t<16 hex digits>" per device.
    const listed = cli.stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields.length === 2 && /^[0-9a-f]{16}$/.test(fields[1] ?? ''))
      .map(([name, guid]) => ({ name, nodeGuid: guid }))
    expect(
      report.devices.map((device) => ({ name: device.name, nodeGuid: device.nodeGuid.replaceAll(':', '') })),
    ).toEqual(listed)
  })
})

describe('rdmaDevices without the addon', () => {
  it("returns available: false with the loader's reason instead of throwing", () => {
    const bindingPath = join(scratch, 'missing', 'dwcp_rdma.node')
    const report = rdmaDevices({ bindingPath })
    const status = nativeStatus({ bindingPath })
    expect(status.available).toBe(false)
    expect(report).toEqual({ available: false, devices: [], reason: status.available ? '' : status.reason })
    expect(report.reason).toBe(
      `no binary at ${bindingPath}: the native addon has not been built for this install`,
    )
  })

  it('still throws for an invalid option', () => {
    expect(() => rdmaDevices({ bindingPath: join(scratch, 'x.node'), probeTimeoutMs: 0 })).toThrow(
      /probeTimeoutMs/,
    )
  })
})

describe('toRdmaDeviceReport', () => {
  const failed = (name: string, error: VerbsError): RdmaDevice => ({
    name,
    nodeGuid: '0000:0000:0000:0001',
    nodeType: 'InfiniBand channel adapter',
    transportType: 'InfiniBand',
    error,
  })
  const eacces: VerbsError = {
    operation: 'ibv_open_device',
    errno: 13,
    code: 'EACCES',
    message: 'Permission denied',
  }

  it('words a failed listing with the errno text and name', () => {
    const raw: RawRdmaDeviceReport = { devices: [], error: ENOSYS }
    expect(toRdmaDeviceReport(raw)).toEqual({
      available: false,
      devices: [],
      reason: 'no RDMA device: ibv_get_device_list failed: Function not implemented (ENOSYS)',
      listError: ENOSYS,
    })
  })

  it('words an empty listing', () => {
    expect(toRdmaDeviceReport({ devices: [], error: null })).toEqual({
      available: false,
      devices: [],
      reason: 'no RDMA device: none listed',
    })
  })

  it('is unavailable when no listed device could be opened, naming each failure', () => {
    const io: VerbsError = {
      operation: 'ibv_query_device',
      errno: 5,
      code: 'EIO',
      message: 'Input/output error',
    }
    const devices = [failed('mlx5_0', eacces), failed('mlx5_1', io)]
    expect(toRdmaDeviceReport({ devices, error: null })).toEqual({
      available: false,
      devices,
      reason:
        'no usable RDMA device: mlx5_0: ibv_open_device failed: Permission denied (EACCES); ' +
        'mlx5_1: ibv_query_device failed: Input/output error (EIO)',
    })
  })

  it('falls back to the errno number when the platform has no name for it', () => {
    expect(describeVerbsError({ ...eacces, errno: 4242, code: '', message: 'Unknown error 4242' })).toBe(
      'ibv_open_device failed: Unknown error 4242 (errno 4242)',
    )
  })
})
