import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { allowedCongestionAlgorithms, availableCongestionAlgorithms, mptcpStatus } from './system-support.js'
import { nativeTestGate } from './test-support.js'

const scratch = mkdtempSync(join(tmpdir(), 'dwcp-proc-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** A fake procfs root holding `files` (path relative to the root → content). */
function fakeProc(name: string, files: Record<string, string>): string {
  const root = join(scratch, name)
  for (const [relative, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, relative)), { recursive: true })
    writeFileSync(join(root, relative), content)
  }
  return root
}

const AVAILABLE = '/proc/sys/net/ipv4/tcp_available_congestion_control'

describe('congestion control algorithms', () => {
  it('parses the kernel lists', () => {
    const procRoot = fakeProc('lists', {
      'sys/net/ipv4/tcp_available_congestion_control': 'reno cubic bbr\n',
      'sys/net/ipv4/tcp_allowed_congestion_control': 'reno\tcubic\n',
    })
    expect(availableCongestionAlgorithms({ procRoot })).toEqual(['reno', 'cubic', 'bbr'])
    expect(allowedCongestionAlgorithms({ procRoot })).toEqual(['reno', 'cubic'])
  })

  it('gives [] when the list cannot be read', () => {
    expect(availableCongestionAlgorithms({ procRoot: join(scratch, 'none') })).toEqual([])
  })

  it.runIf(existsSync(AVAILABLE))('reads this host, which always has reno', () => {
    const algorithms = availableCongestionAlgorithms()
    expect(algorithms).toEqual(readFileSync(AVAILABLE, 'utf8').trim().split(/\s+/))
    expect(algorithms).toContain('reno')
  })
})

describe('mptcpStatus', () => {
  it('reports this host as a boolean with a reason', () => {
    const status = mptcpStatus()
    expect(typeof status.enabled).toBe('boolean')
    expect(status.reason.length).toBeGreaterThan(0)
    if (!existsSync('/proc/sys/net/mptcp/enabled')) expect(status.enabled).toBe(false)
  })

  it('reports a kernel without MPTCP', () => {
    const procRoot = fakeProc('no-mptcp', {})
    expect(mptcpStatus({ procRoot })).toEqual({
      enabled: false,
      reason: `the kernel has no MPTCP support (no ${join(procRoot, 'sys/net/mptcp/enabled')})`,
    })
  })

  it('reports MPTCP disabled by the sysctl', () => {
    const procRoot = fakeProc('mptcp-off', { 'sys/net/mptcp/enabled': '0\n' })
    const status = mptcpStatus({ procRoot })
    expect(status.enabled).toBe(false)
    expect(status.reason).toContain('net.mptcp.enabled = 0')
  })

  const gate = nativeTestGate()
  it.runIf(gate.run)(`tries a real MPTCP socket when the sysctl is on${gate.note}`, () => {
    const procRoot = fakeProc('mptcp-on', { 'sys/net/mptcp/enabled': '1\n' })
    const status = mptcpStatus({ procRoot })
    expect(status.reason).toContain('net.mptcp.enabled = 1')
    if (status.enabled) {
      expect(status.reason).toContain('an MPTCP socket could be created')
    } else {
      // e.g. a kernel built without CONFIG_MPTCP answers EPROTONOSUPPORT
      expect(status.errno).toBeGreaterThan(0)
      expect(status.reason).toMatch(/IPPROTO_MPTCP\) failed with E[A-Z]+/)
    }
  })
})
