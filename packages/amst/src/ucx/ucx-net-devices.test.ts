import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ucxNetDevices } from './ucx-net-devices.js'

describe('ucxNetDevices', () => {
  it('gives an InfiniBand device without a port its port 1, and passes other names as written', () => {
    const sysfs = mkdtempSync(join(tmpdir(), 'dwcp-ib-'))
    try {
      mkdirSync(join(sysfs, 'mlx5_0'))
      expect(ucxNetDevices('mlx5_0', sysfs)).toBe('mlx5_0:1')
      expect(ucxNetDevices('mlx5_0:2', sysfs)).toBe('mlx5_0:2')
      expect(ucxNetDevices('lo', sysfs)).toBe('lo')
    } finally {
      rmSync(sysfs, { recursive: true, force: true })
    }
  })
})
