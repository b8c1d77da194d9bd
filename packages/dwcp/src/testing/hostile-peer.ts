import { bytesSource, seededRandom } from '@dwcp/core'
import type { DwcpNode } from '../node.js'
import { HOSTILE_KINDS, type HostileKind, HostileMessages } from './hostile-messages.js'

/** The channels a DWCP node listens on: migration control, migration records, Raft, CRDT gossip, PBFT. */
export const NODE_CHANNELS: readonly string[] = ['migration', 'migration-records', 'raft', 'sync', 'pbft']

/** Options of {@link runHostilePeer}. */
export interface HostilePeerOptions {
  /** The attacker: a started node, authenticated to the victim (connected, a cluster member if it should be). */
  node: DwcpNode
  /** Node id of the victim. */
  victim: string
  /** Seed of every choice: the same seed sends the same messages (given the same samples). */
  seed: number
  /** Hostile messages per channel. */
  messagesPerChannel: number
  /** Channels to attack. @default {@link NODE_CHANNELS} plus one the victim does not know */
  channels?: readonly string[]
  /** Hostile bulk transfers (random sizes and metadata, some cancelled midway). @default 20 */
  transfers?: number
  /** Messages of the largest size the session carries, per channel (costly: keep them few). @default 1 */
  oversizedPerChannel?: number
  /** The largest message the session carries, in bytes. @default 16 MiB, AMST's default */
  maxMessageBytes?: number
  /** Valid messages per channel to mutate and replay, besides those the attacker receives from the victim. */
  samples?: Readonly<Record<string, readonly Uint8Array[]>>
}

/** What {@link runHostilePeer} sent. */
export interface HostilePeerReport {
  seed: number
  /** Messages sent per channel. */
  messages: Record<string, number>
  /** Messages sent per kind, all channels. */
  kinds: Record<HostileKind, number>
  /** Messages the attacker's own session refused to send (closed, over its bounds). */
  unsent: number
  /** Hostile transfers offered, and how many of them the victim accepted to the end. */
  transfers: { offered: number; completed: number }
}

/** Valid messages kept per channel for mutation and replay. */
const SAMPLES_KEPT = 64

/**
 * Attacks a node from an authenticated peer, as a Byzantine member would: on every channel, seeded random
 * bytes, random JSON made of DWCP's own field names, mutations, truncations and extensions of valid messages
 * (those given, and those the victim sends the attacker while it runs), replays of them out of order, and
 * messages of the largest size the session carries; then bulk transfers with random metadata (some claiming a
 * migration), some cancelled midway. Channels are interleaved, so each sees the others' messages out of order.
 *
 * It checks nothing itself: the caller runs real work meanwhile (a migration, consensus) and checks afterwards
 * that the victim still serves, that its state is consistent and its memory bounded. A failing seed repeats.
 */
export async function runHostilePeer(options: HostilePeerOptions): Promise<HostilePeerReport> {
  const { node, victim } = options
  const random = seededRandom(options.seed)
  const maxBytes = options.maxMessageBytes ?? 16 * 1024 * 1024
  const gen = new HostileMessages(random, maxBytes)
  const channels = options.channels ?? [...NODE_CHANNELS, 'no-such-channel']
  const samples = new Map<string, Uint8Array[]>()
  for (const channel of channels) samples.set(channel, [...(options.samples?.[channel] ?? [])])
  const off = node.on('message', (peer, channel, bytes) => {
    const kept = samples.get(channel)
    if (peer !== victim || !kept) return
    if (kept.length >= SAMPLES_KEPT) kept[gen.int(SAMPLES_KEPT)] = bytes.slice()
    else kept.push(bytes.slice())
  })
  const report: HostilePeerReport = {
    seed: options.seed,
    messages: Object.fromEntries(channels.map((c) => [c, 0])),
    kinds: Object.fromEntries(HOSTILE_KINDS.map((k) => [k, 0])) as Record<HostileKind, number>,
    unsent: 0,
    transfers: { offered: 0, completed: 0 },
  }
  const oversized = new Map(channels.map((c) => [c, options.oversizedPerChannel ?? 1]))
  const smallKinds = HOSTILE_KINDS.filter((k) => k !== 'oversized')
  try {
    for (let i = 0; i < options.messagesPerChannel; i++) {
      for (const channel of channels) {
        let kind = smallKinds[gen.int(smallKinds.length)] as HostileKind
        // The few oversized messages go at seeded places along the run.
        const left = oversized.get(channel) ?? 0
        if (left > 0 && gen.int(options.messagesPerChannel) < left) {
          kind = 'oversized'
          oversized.set(channel, left - 1)
        }
        const bytes = gen.make(kind, samples.get(channel) ?? [])
        try {
          await node.send(victim, channel, bytes)
          report.messages[channel] = (report.messages[channel] ?? 0) + 1
          report.kinds[kind]++
        } catch {
          report.unsent++
        }
      }
    }
    const transfers = options.transfers ?? 20
    for (let t = 0; t < transfers; t++) {
      report.transfers.offered++
      if (await hostileTransfer(node, victim, gen)) report.transfers.completed++
    }
  } finally {
    off()
  }
  return report
}

/** One bulk transfer with random size and metadata, cancelled midway one time in four. Resolves with whether it completed. */
async function hostileTransfer(node: DwcpNode, victim: string, gen: HostileMessages): Promise<boolean> {
  const metadata: Record<string, string> = {}
  const fields = ['dwcp-migration', 'kind', 'round', 'batch', 'workload', gen.jsonText()]
  for (const field of fields) if (gen.int(2) === 0) metadata[field.slice(0, 64)] = gen.jsonText().slice(0, 64)
  if (gen.int(2) === 0) metadata.kind = ['full', 'frames', 'delta'][gen.int(3)] as string
  const payload = gen.bytes(gen.int(4) === 0 ? 0 : gen.int(512 * 1024))
  const controller = new AbortController()
  if (gen.int(4) === 0) setTimeout(() => controller.abort(new Error('hostile cancel')), gen.int(20))
  try {
    await node.transfer(victim, bytesSource(payload), { metadata, signal: controller.signal })
    return true
  } catch {
    return false
  }
}
