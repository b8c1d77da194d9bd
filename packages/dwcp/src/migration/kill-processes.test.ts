import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { imagePageDigest } from './page-digests.js'
import { KillCluster, type MemberEvent } from './test-fixtures/kill-cluster.js'
import { prng } from './test-fixtures/migration-cluster.js'

// SIGKILL of the source, the target or the leader at a random point of a migration, then a restart: every run
// must end with the placement naming one host that holds the whole image, every acknowledged write in it.
// CI runs a few; `pnpm bench migrate-kill` (DWCP_KILL_RUNS=100) runs the full count, DWCP_KILL_SEED repeats one,
// DWCP_KILL_REPORT names a JSON file for the outcomes.
const RUNS = Number(process.env.DWCP_KILL_RUNS ?? 6)
const FIRST_SEED = Number(process.env.DWCP_KILL_SEED ?? 1)
const ROLES = ['source', 'target', 'leader'] as const
const IMAGE_BYTES = 2 * 1024 * 1024
const PAGE = 4096
/** How long a verified copy whose source went away waits for its placement. */
const GRACE_MS = 1000

let cluster: KillCluster | undefined
afterEach(async () => {
  await cluster?.stop()
  cluster = undefined
})

/** The last acknowledged sequence number of each page, from the source's events. */
function ackedSeqs(events: readonly MemberEvent[]): Map<number, number> {
  const acked = new Map<number, number>()
  for (const e of events) if (e.event === 'acked') acked.set(e.page as number, e.seq as number)
  return acked
}

/** Asks the running members for the placement until one of them knows it. */
async function placementOf(c: KillCluster, id: string): Promise<string | null> {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    for (const member of ['a', 'b', 'c']) {
      if (!c.running(member)) continue
      const answer = await c.ask(member, { cmd: 'placement', id }, 5000).catch(() => undefined)
      if (answer && answer.error === undefined) return answer.host as string | null
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('no member could read the placement')
}

async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('a migration under SIGKILL', { timeout: 900_000 }, () => {
  it(`ends with one authoritative, whole image and nothing acknowledged lost (${RUNS} runs)`, async () => {
    const startedMs = Date.now()
    /** Where the workload ended, per role killed: `a` (the source kept it) or `b` (the migration landed). */
    const outcomes: Record<string, Record<string, number>> = {}
    for (let run = 0; run < RUNS; run++) {
      const seed = FIRST_SEED + run
      const random = prng(seed)
      const role = ROLES[(seed - 1) % ROLES.length] as (typeof ROLES)[number]
      const repeat = `DWCP_KILL_SEED=${seed} DWCP_KILL_RUNS=1 pnpm vitest run packages/dwcp/src/migration/kill-processes.test.ts`
      cluster = new KillCluster(GRACE_MS)
      const c = cluster
      try {
        await c.start(['a', 'b', 'c'])
        await c.leader()
        c.send('a', { cmd: 'host', id: 'vm', sizeBytes: IMAGE_BYTES })
        await c.next('a', (e) => e.event === 'acked' && (e.seq as number) >= 20)
        c.send('a', { cmd: 'migrate', id: 'vm', to: 'b' })
        const victim = role === 'source' ? 'a' : role === 'target' ? 'b' : await c.leader()
        // Anywhere from the first round to after the switch (a 2 MiB migration takes a few hundred ms here).
        await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 800)))
        const ackedBeforeKill = ackedSeqs(c.events('a'))
        await c.kill(victim)
        await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 300)))
        await c.restart(victim)
        // The source, if it lived, finishes or gives up; a killed source simply stops.
        const acked = victim === 'a' ? ackedBeforeKill : ackedSeqs(c.events('a'))
        if (victim !== 'a')
          await c.next('a', (e) => e.event === 'migrated' || e.event === 'migrate-failed', 60_000)
        const migrated = c.events('a').find((e) => e.event === 'migrated')

        const host = await placementOf(c, 'vm')
        expect(['a', 'b']).toContain(host)
        const other = host === 'a' ? 'b' : 'a'
        // Settled: the host holds the image, no partial image is left anywhere, and the other side holds no
        // committed copy (the source's own file stays where it was: it is the source's, not a copy).
        await until('the copies settled', () => {
          const files = readdirSync(c.imagesDir('b'))
          return (
            existsSync(join(c.imagesDir(host as string), 'vm.img')) &&
            !files.some((f) => f.includes('.partial-'))
          )
        })
        if (other === 'b') expect(readdirSync(c.imagesDir('b'))).toEqual([])
        const image = readFileSync(join(c.imagesDir(host as string), 'vm.img'))
        expect(image.byteLength).toBe(IMAGE_BYTES)
        for (const [page, seq] of acked) {
          const stamped = Number(image.readBigUInt64BE(page * PAGE))
          if (stamped < seq)
            throw new Error(`page ${page}: acknowledged write ${seq} lost (holds ${stamped})`)
        }
        const tally = outcomes[role] ?? {}
        tally[host as string] = (tally[host as string] ?? 0) + 1
        outcomes[role] = tally
        if (host === 'b' && migrated) {
          const digest = await imagePageDigest(IMAGE_BYTES, (o, l) => image.subarray(o, o + l))
          expect(digest).toBe(migrated.digest)
        }
      } catch (error) {
        throw new Error(
          `run ${run} (seed ${seed}, killed the ${role}) failed; repeat: ${repeat}\n${(error as Error).stack}`,
        )
      } finally {
        await c.stop()
        cluster = undefined
      }
    }
    const report = { runs: RUNS, firstSeed: FIRST_SEED, outcomes, durationMs: Date.now() - startedMs }
    console.info(`SIGKILL runs: ${JSON.stringify(report)}`)
    if (process.env.DWCP_KILL_REPORT)
      writeFileSync(process.env.DWCP_KILL_REPORT, `${JSON.stringify(report, null, 2)}\n`)
  })
})
