import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { controlFor } from '../migration/control-channel.js'
import type { FileWorkload } from '../migration/file-workload.js'
import { migrate } from '../migration/migrate.js'
import { imagePageDigest } from '../migration/page-digests.js'
import { registerWorkload } from '../migration/placement.js'
import {
  makeWorkload,
  startCluster,
  startWriter,
  type TestCluster,
  waitFor,
} from '../migration/test-fixtures/migration-cluster.js'
import type { DwcpNode } from '../node.js'
import { NODE_CHANNELS, runHostilePeer } from './hostile-peer.js'

// 10,000 hostile messages per channel in CI, over several seeds; DWCP_HOSTILE_MESSAGES raises the count per seed
// and DWCP_HOSTILE_SEED repeats one seed.
const SEEDS = process.env.DWCP_HOSTILE_SEED ? [Number(process.env.DWCP_HOSTILE_SEED)] : [1, 2, 3, 4, 5]
const MESSAGES_PER_SEED = Number(process.env.DWCP_HOSTILE_MESSAGES ?? 2000)

let cluster: TestCluster | undefined
const workloads: FileWorkload[] = []
afterEach(async () => {
  for (const w of workloads.splice(0)) w.close()
  await cluster?.stop()
  cluster = undefined
})

const role = (node: DwcpNode) => node.health().components.consensus?.details?.role

describe('a node attacked by a Byzantine member on every channel', { timeout: 600_000 }, () => {
  // Internet mode keeps state in a CRDT (Yjs) whose gossip carries no proof of who wrote an update: a member
  // that mutates and replays gossip can reorder what others wrote (a placement rolled back to its source was
  // seen here). So on `sync` the check is that members agree and keep serving; that they agree on what honest
  // members wrote last is checked with the other channels attacked, and is an open finding for `sync`.
  it.each([
    ['datacenter', 'Raft, every channel', NODE_CHANNELS, true],
    ['internet', 'CRDT, every channel but sync', NODE_CHANNELS.filter((c) => c !== 'sync'), true],
    ['internet', 'CRDT, sync included: agreement only', NODE_CHANNELS, false],
  ] as const)(
    '%s (%s): keeps serving, migrating and agreeing, seed after seed',
    async (mode, _what, attacked, lastWriteWins) => {
      cluster = await startCluster(`hostile-${mode}`, ['a', 'b', 'c', 'x'], mode)
      const byId = new Map(cluster.members.map((m) => [m.node.nodeId, m]))
      const [a, b, c, x] = ['a', 'b', 'c', 'x'].map((id) => byId.get(id)) as NonNullable<
        ReturnType<typeof byId.get>
      >[]
      if (!a || !b || !c || !x) throw new Error('members expected')
      const honest = [a, b, c]
      const heapBefore = process.memoryUsage().heapUsed
      // What reached the victim from the attacker, per channel: the attack must land, not be lost on the way.
      const landed = new Map<string, number>()
      a.node.on('message', (peer, channel) => {
        if (peer === 'x') landed.set(channel, (landed.get(channel) ?? 0) + 1)
      })
      let total = 0
      for (const seed of SEEDS) {
        const repeat = `DWCP_HOSTILE_SEED=${seed} pnpm vitest run packages/dwcp/src/testing/hostile-peer.test.ts`
        try {
          // Real work meanwhile: b migrates a workload to the victim under a writer, and members place workloads.
          const workload = await makeWorkload(b.dir, `vm-${seed}`, 4 * 1024 * 1024, seed)
          workloads.push(workload)
          await registerWorkload(b.node, workload)
          const writer = startWriter(workload)
          const migrating = migrate({ node: b.node, workload, target: 'a' })
          const placing = (async () => {
            for (let i = 0; i < 20; i++) {
              const member = honest[i % honest.length] as (typeof honest)[0]
              await registerWorkload(member.node, { id: `w-${seed}-${i}`, sizeBytes: 4096 }).catch(() => {})
            }
          })()
          const report = await runHostilePeer({
            node: x.node,
            victim: 'a',
            seed,
            messagesPerChannel: MESSAGES_PER_SEED,
            channels: attacked,
            transfers: 10,
          })
          for (const channel of attacked) expect(report.messages[channel]).toBe(MESSAGES_PER_SEED)
          total += MESSAGES_PER_SEED
          const summary = await migrating
          await writer.stop()
          await placing

          // The victim serves: it answers a request with a reasoned refusal, and holds the migrated image.
          await expect(
            controlFor(b.node).request(
              'a',
              { type: 'applied', migrationId: 'none', messages: 0 },
              { timeoutMs: 10_000 },
            ),
          ).rejects.toThrow(/no migration none/)
          const moved = join(a.dir, `vm-${seed}.img`)
          await waitFor(() => existsSync(moved), 10_000).catch(() => {
            throw new Error(`the migrated image ${moved} is not there`)
          })
          const { FileWorkload } = await import('../migration/file-workload.js')
          const image = FileWorkload.open({ id: `vm-${seed}`, path: moved })
          workloads.push(image)
          expect(await imagePageDigest(image.sizeBytes, (o, l) => image.read(o, l))).toBe(summary.digest)
          // Consensus agrees: a leader (the attacker's own Raft is a member like the others and may lead), and every
          // honest member's view of the placements is the same once replication settles.
          const all = cluster.members.map((m) => m.node)
          if (mode === 'datacenter')
            await waitFor(() => all.some((node) => role(node) === 'leader'), 20_000).catch(() => {
              throw new Error(`no leader: ${all.map((node) => `${node.nodeId} ${role(node)}`)}`)
            })
          await waitFor(() => {
            const views = honest.map((m) =>
              JSON.stringify([...m.book.all()].sort(([p], [q]) => p.localeCompare(q))),
            )
            return (
              views.every((v) => v === views[0]) &&
              (!lastWriteWins || honest[0]?.book.get(`vm-${seed}`)?.host === 'a')
            )
          }, 20_000).catch(() => {
            const keys = new Set(honest.flatMap((m) => [...m.book.all().keys()]))
            const differing = [...keys].filter((key) => {
              const values = honest.map((m) => JSON.stringify(m.book.get(key) ?? null))
              return values.some((v) => v !== values[0])
            })
            const views = differing.map(
              (key) =>
                `${key}: ${honest.map((m) => `${m.node.nodeId}=${JSON.stringify(m.book.get(key) ?? null)}`)}`,
            )
            const moved = honest.map(
              (m) => `${m.node.nodeId}=${JSON.stringify(m.book.get(`vm-${seed}`) ?? null)}`,
            )
            throw new Error(`placements differ between members:\n${views.join('\n')}\nvm-${seed}: ${moved}`)
          })
        } catch (error) {
          throw new Error(`seed ${seed} failed (repeat: ${repeat}): ${(error as Error).stack ?? error}`)
        }
      }
      expect(total).toBeGreaterThanOrEqual(SEEDS.length === 1 ? MESSAGES_PER_SEED : 10_000)
      // Raft and the others also send real messages from x to a: at least the hostile ones landed on each channel.
      for (const channel of attacked) expect(landed.get(channel) ?? 0).toBeGreaterThanOrEqual(total)
      // Memory stays bounded: what the attack left behind is not kept.
      const grownBytes = process.memoryUsage().heapUsed - heapBefore
      expect(grownBytes).toBeLessThan(512 * 1024 * 1024)
    },
  )
})
