import { closeSync, existsSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { drain } from './drain.js'
import type { FileWorkload } from './file-workload.js'
import { migrate } from './migrate.js'
import { imagePageDigest } from './page-digests.js'
import { registerWorkload } from './placement.js'
import {
  makeWorkload,
  startCluster,
  startWriter,
  type TestCluster,
  waitFor,
} from './test-fixtures/migration-cluster.js'

const MiB = 1024 * 1024
let cluster: TestCluster | undefined
const workloads: FileWorkload[] = []
afterEach(async () => {
  for (const w of workloads.splice(0)) w.close()
  await cluster?.stop()
  cluster = undefined
})

describe('drain', () => {
  it('moves every workload off the node, least-loaded target first', async () => {
    cluster = await startCluster('drain1')
    const [a, b, c] = cluster.members as Array<NonNullable<TestCluster['members'][0]>>
    if (!a || !b || !c) throw new Error('three members expected')
    const running = new Map<string, FileWorkload>()
    for (const [i, size] of [16, 8, 8].entries()) {
      const w = await makeWorkload(a.dir, `vm-${i}`, size * MiB, i + 1)
      workloads.push(w)
      running.set(w.id, w)
      await registerWorkload(a.node, w)
    }
    await waitFor(() => a.book.hostedBy('a').length === 3)
    const result = await drain(a.node, { targets: ['b', 'c'], placements: a.book, workloads: running })
    expect(result.failed).toEqual([])
    expect(result.moved.map((s) => [s.workloadId, s.to])).toEqual([
      ['vm-0', 'b'],
      ['vm-1', 'c'],
      ['vm-2', 'c'],
    ])
    await waitFor(() => a.book.hostedBy('a').length === 0)
    for (const s of result.moved) {
      const dir = s.to === 'b' ? b.dir : c.dir
      expect(existsSync(join(dir, `${s.workloadId}.img`))).toBe(true)
    }
  }, 20_000)
})

describe('codec per path and external writers', () => {
  it('on an internet path sends round 1 compressed and places through the CRDT state', async () => {
    cluster = await startCluster('inet1', ['a', 'b', 'c'], 'internet')
    const [a] = cluster.members as Array<NonNullable<TestCluster['members'][0]>>
    if (!a) throw new Error('member expected')
    const w = await makeWorkload(a.dir, 'vm-h', 16 * MiB)
    workloads.push(w)
    await registerWorkload(a.node, w)
    const writer = startWriter(w)
    const summary = await migrate({ node: a.node, workload: w, target: 'b' })
    await writer.stop()
    expect(summary.mode).toBe('internet')
    expect(summary.pathClass).toBe('internet')
    expect(summary.consensusIndex).toBeNull()
    await waitFor(() => a.book.get('vm-h')?.host === 'b')
    expect(summary.perRound[0]?.wireBytes).toBeLessThan(w.sizeBytes * 0.7)
    expect(summary.digest).toBe(await imagePageDigest(w.sizeBytes, (o, l) => w.read(o, l)))
  }, 20_000)

  it('finds external writes by scanning page hashes', async () => {
    cluster = await startCluster('scan1')
    const [a] = cluster.members as Array<NonNullable<TestCluster['members'][0]>>
    if (!a) throw new Error('member expected')
    const w = await makeWorkload(a.dir, 'vm-s', 8 * MiB)
    workloads.push(w)
    const fd = openSync(w.path, 'r+')
    let n = 0
    // Another writer of the image file, which the workload does not see.
    let timer: NodeJS.Timeout | undefined = setInterval(() => {
      n++
      writeSync(fd, new Uint8Array([n & 255]), 0, 1, (n * 7919 * 4096 + n) % w.sizeBytes)
    }, 1)
    const summary = await migrate({
      node: a.node,
      workload: w,
      target: 'b',
      tracking: 'scan',
      downtimeBudgetMs: 1,
      maxRounds: 4,
      // It is paused for the stop-and-copy like a VM would be.
      pauseWriters: () => {
        clearInterval(timer)
        timer = undefined
      },
    })
    clearInterval(timer)
    closeSync(fd)
    expect(n).toBeGreaterThan(0)
    expect(summary.rounds).toBeGreaterThanOrEqual(2)
    expect(summary.digest).toBe(await imagePageDigest(w.sizeBytes, (o, l) => w.read(o, l)))
  }, 20_000)
})
