import type { ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { createWanEmulator, type WanEmulator, wanEmulatorAvailable } from '@dwcp/wan-emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// Three hybrid nodes in their own processes: `hub` and `near` share namespace B (a loopback path between them),
// `remote` sits in namespace A, behind the emulated WAN. Needs what the emulator needs (root, TUN, netns, cc):
// skipped with the reason without it, failed instead when DWCP_REQUIRE_WAN=1 (CI).
const availability = await wanEmulatorAvailable()
const skip = !availability.available && process.env.DWCP_REQUIRE_WAN !== '1'

const MEMBER = fileURLToPath(new URL('../test-fixtures/hybrid-member.mjs', import.meta.url))
const HUB_PORT = 7710
const DWELL_MS = 3000
/** A far path: 40 ms and 100 Mbit/s, an internet path by every threshold. */
const SLOW = { rttMs: 40, rateBps: 100e6 }
/** The emulated path with nothing added: the delay line's own fraction of a millisecond. */
const FAST = { rttMs: 0, rateBps: 0 }

interface PeerStatus {
  pathClass: string
  codec: string
  streams: number
  pacingRateBps: number
}
interface Transition {
  peer: string
  from?: string
  to: string
  atMs: number
}

/** A member process: its path events as they come, and its status on request. */
class Member {
  readonly transitions: Transition[] = []
  #statusWaiters: Array<(peers: Record<string, PeerStatus>) => void> = []
  readonly ready: Promise<void>

  constructor(readonly child: ChildProcess) {
    let stderr = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000)
    })
    this.ready = new Promise((resolve, reject) => {
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        const event = JSON.parse(line) as { event: string; peers?: Record<string, PeerStatus> } & Transition
        if (event.event === 'ready') resolve()
        else if (event.event === 'path') this.transitions.push(event)
        else if (event.event === 'status') this.#statusWaiters.shift()?.(event.peers ?? {})
      })
      child.once('exit', (code) => reject(new Error(`member exited (${code}) before ready: ${stderr}`)))
    })
  }

  status(): Promise<Record<string, PeerStatus>> {
    return new Promise((resolve) => {
      this.#statusWaiters.push(resolve)
      this.child.stdin?.write('status\n')
    })
  }

  /** Polls until `check` holds for the member's status, or fails with the last status seen. */
  async until(check: (peers: Record<string, PeerStatus>) => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    let last: Record<string, PeerStatus> = {}
    while (Date.now() < deadline) {
      last = await this.status()
      if (check(last)) return
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error(`not reached within ${timeoutMs} ms; last status ${JSON.stringify(last)}`)
  }

  byPeer(peer: string): string[] {
    return this.transitions.filter((t) => t.peer === peer).map((t) => `${t.from}>${t.to}`)
  }
}

describe.skipIf(skip)(`hybrid mode across the WAN emulator (${availability.reason})`, () => {
  let wan: WanEmulator
  let hub: Member
  let near: Member
  let remote: Member
  const spawnMember = (ns: 'a' | 'b', config: Record<string, unknown>): Member =>
    new Member(
      wan.execNode(ns, MEMBER, [JSON.stringify({ dwellMs: DWELL_MS, rttWindowMs: 1000, ...config })], {
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    )

  beforeAll(async () => {
    // The buffer holds the fast link's in-flight bytes too, so the delay line never drops for want of room.
    wan = await createWanEmulator({ custom: SLOW, seed: 3, bufferBytes: 64 << 20 })
    hub = spawnMember('b', { nodeId: 'hub', listen: [`tcp://0.0.0.0:${HUB_PORT}`] })
    await hub.ready
    near = spawnMember('b', {
      nodeId: 'near',
      listen: ['tcp://127.0.0.1:7711'],
      dial: [`tcp://127.0.0.1:${HUB_PORT}`],
    })
    remote = spawnMember('a', {
      nodeId: 'remote',
      listen: [`tcp://${wan.addressA}:7712`],
      dial: [`tcp://${wan.addressB}:${HUB_PORT}`],
    })
    await Promise.all([near.ready, remote.ready])
  }, 60_000)
  afterAll(async () => {
    await wan?.stop()
  })

  it('gives each path its class’s codec, congestion control and pacing; re-profiling the WAN switches only that peer, after the dwell', {
    timeout: 120_000,
  }, async () => {
    await hub.until(
      (peers) => peers.near?.pathClass === 'datacenter' && peers.remote?.pathClass === 'internet',
      30_000,
    )
    let peers = await hub.status()
    expect(peers.near).toMatchObject({ codec: 'lz4', pacingRateBps: 0 })
    expect(peers.remote).toMatchObject({ codec: 'adaptive' })
    // Streams are the dialling side's to open: each dialler raised its session from the transport's 2 to its
    // path class's 8 (both classes' default), once it had classified the path.
    await near.until((p) => p.hub?.pathClass === 'datacenter' && p.hub.streams === 8, 30_000)
    await remote.until((p) => p.hub?.pathClass === 'internet' && p.hub.streams === 8, 30_000)
    expect(await congestionTo(wan, wan.addressA)).toEqual(['bbr'])
    expect(await congestionTo(wan, '127.0.0.1')).toEqual(['cubic'])

    // The WAN becomes fast: the remote path turns datacenter once, after the dwell; the near path never moves.
    await wan.reconfigure(FAST)
    await hub.until((p) => p.remote?.pathClass === 'datacenter', 30_000)
    peers = await hub.status()
    expect(peers.remote).toMatchObject({ codec: 'lz4', pacingRateBps: 0 })
    expect(await congestionTo(wan, wan.addressA)).toEqual(['cubic'])
    // And slow again.
    await wan.reconfigure(SLOW)
    await hub.until((p) => p.remote?.pathClass === 'internet', 30_000)
    expect((await hub.status()).remote).toMatchObject({ codec: 'adaptive' })
    expect(await congestionTo(wan, wan.addressA)).toEqual(['bbr'])

    expect(hub.byPeer('remote')).toEqual(['undefined>internet', 'internet>datacenter', 'datacenter>internet'])
    expect(hub.byPeer('near')).toEqual(['undefined>datacenter'])
    const times = hub.transitions.filter((t) => t.peer === 'remote').map((t) => t.atMs)
    for (let i = 1; i < times.length; i++)
      expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(DWELL_MS)
  })
})

/**
 * The congestion control algorithms of the hub's established TCP sockets to `peerAddress`, as the kernel reports
 * them (`ss -tin` in namespace B), deduplicated and sorted.
 */
async function congestionTo(wan: WanEmulator, peerAddress: string): Promise<string[]> {
  const { stdout } = await wan.exec('b', 'ss', ['-tin', 'state', 'established', 'sport', `= :${HUB_PORT}`])
  const lines = stdout.split('\n')
  const found = new Set<string>()
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    if (!line.includes(`${peerAddress}:`)) continue
    const algorithm = /^\s*(\w+)\s/.exec(lines[i + 1] ?? '')?.[1]
    if (algorithm) found.add(algorithm)
  }
  return [...found].sort()
}
