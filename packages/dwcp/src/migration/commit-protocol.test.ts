import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { isDwcpError } from '@dwcp/core'
import { afterEach, describe, expect, it } from 'vitest'
import { acceptMigrations } from './accept.js'
import { controlFor } from './control-channel.js'
import type { FileWorkload } from './file-workload.js'
import { migrate } from './migrate.js'
import { registerWorkload } from './placement.js'
import { makeWorkload, startCluster, type TestCluster, waitFor } from './test-fixtures/migration-cluster.js'

let cluster: TestCluster | undefined
const workloads: FileWorkload[] = []
const closers: Array<() => void> = []
afterEach(async () => {
  for (const close of closers.splice(0)) close()
  for (const w of workloads.splice(0)) w.close()
  await cluster?.stop()
  cluster = undefined
})

type Request = ReturnType<typeof controlFor>['request']

/** Runs `around` in place of the source's control requests of type `type`. */
function intercept(
  node: Parameters<typeof controlFor>[0],
  type: string,
  around: (send: () => ReturnType<Request>) => ReturnType<Request>,
): void {
  const control = controlFor(node)
  const original = control.request.bind(control)
  control.request = ((peer, body, options) =>
    body.type === type
      ? around(() => original(peer, body, options))
      : original(peer, body, options)) as Request
  closers.push(() => {
    control.request = original
  })
}

describe('the migration commit', { timeout: 60_000 }, () => {
  it('happens on the target when the placement names it, even if the source’s commit is lost with its session', async () => {
    cluster = await startCluster('commit-lost')
    const [a, b] = cluster.members as [TestCluster['members'][0], TestCluster['members'][0]]
    if (!a || !b) throw new Error('members expected')
    const workload = await makeWorkload(a.dir, 'vm-c', 4 * 1024 * 1024)
    workloads.push(workload)
    await registerWorkload(a.node, workload)
    // The session to the target drops just as the source sends its commit (after the placement switch).
    intercept(a.node, 'commit', async (send) => {
      await a.node.session('b')?.close()
      return send()
    })
    const summary = await migrate({ node: a.node, workload, target: 'b' })
    expect(summary.to).toBe('b')
    await waitFor(() => existsSync(join(b.dir, 'vm-c.img')), 10_000)
    expect(readdirSync(b.dir)).toEqual(['vm-c.img'])
    expect(b.receiver.inProgress).toBe(0)
    for (const m of cluster.members) await waitFor(() => m.book.get('vm-c')?.host === 'b')
  })

  it('is not made when the source verified the copy, lost the session and never switched: the copy goes after the grace', async () => {
    cluster = await startCluster('commit-none')
    const [a, b] = cluster.members as [TestCluster['members'][0], TestCluster['members'][0]]
    if (!a || !b) throw new Error('members expected')
    b.receiver.close()
    const receiver = acceptMigrations(b.node, { dir: b.dir, verifiedGraceMs: 300 })
    closers.push(() => receiver.close())
    const workload = await makeWorkload(a.dir, 'vm-d', 4 * 1024 * 1024)
    workloads.push(workload)
    await registerWorkload(a.node, workload)
    const controller = new AbortController()
    intercept(a.node, 'verify', async (send) => {
      const reply = await send()
      await a.node.session('b')?.close()
      controller.abort(new Error('operator cancelled after verify'))
      return reply
    })
    const error = await migrate({ node: a.node, workload, target: 'b', signal: controller.signal }).catch(
      (e: unknown) => e,
    )
    expect(isDwcpError(error, 'DWCP_ERR_ABORTED')).toBe(true)
    // Kept while the placement might still name it, then removed: the source is authoritative.
    expect(receiver.inProgress).toBe(1)
    await waitFor(() => receiver.inProgress === 0, 5000)
    expect(readdirSync(b.dir)).toEqual([])
    expect(a.book.get('vm-d')?.host).toBe('a')
    expect(workload.paused).toBe(false)
  })
})
