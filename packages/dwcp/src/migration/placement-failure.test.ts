import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { JsonValue, Replicator, StateChange } from '@dwcp/core'
import { afterEach, describe, expect, it } from 'vitest'
import { createNode } from '../create-node.js'
import { acceptMigrations } from './accept.js'
import { migrate } from './migrate.js'
import { makeWorkload, startWriter, waitFor } from './test-fixtures/migration-cluster.js'

/** A local, unreplicated state whose placement writes can be made to fail. */
function flakyState(): Replicator & { failPlacements: boolean; values: Map<string, JsonValue> } {
  const values = new Map<string, JsonValue>()
  const listeners: Array<[string, (c: StateChange) => void]> = []
  return {
    consistency: 'eventual',
    failPlacements: false,
    values,
    async start() {},
    async stop() {},
    async get(key) {
      return values.get(key)
    },
    async set(key, value) {
      if (this.failPlacements && key.startsWith('placement/')) throw new Error('state unavailable')
      values.set(key, value)
      for (const [prefix, l] of listeners) if (key.startsWith(prefix)) l({ key, value })
    },
    async delete(key) {
      values.delete(key)
    },
    observe(prefix, listener) {
      listeners.push([prefix, listener])
      return () => {}
    },
  }
}

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

describe('placement switch failure', () => {
  it('leaves the source authoritative when the placement write fails after a verified copy', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dwcp-placement-'))
    cleanups.push(() => rmSync(root, { recursive: true, force: true }))
    const state = flakyState()
    const source = createNode('datacenter', {
      nodeId: 's',
      listen: ['memory://pf-s'],
      metrics: false,
      replicator: state,
    })
    const target = createNode('datacenter', {
      nodeId: 't',
      listen: ['memory://pf-t'],
      metrics: false,
      replicator: flakyState(),
    })
    await Promise.all([source.start(), target.start()])
    cleanups.push(() => Promise.all([source.stop(), target.stop()]).then(() => {}))
    await source.connect(target.addresses()[0] as string)
    const targetDir = join(root, 'target')
    mkdirSync(targetDir)
    const receiver = acceptMigrations(target, { dir: targetDir })
    cleanups.push(() => receiver.close())
    const workload = await makeWorkload(root, 'vm-p', 8 * 1024 * 1024)
    cleanups.push(() => workload.close())
    await state.set('placement/vm-p', { host: 's', sizeBytes: workload.sizeBytes, updatedAt: 0 })
    state.failPlacements = true
    const writer = startWriter(workload)
    const error = await migrate({ node: source, workload, target: 't' }).catch((e: unknown) => e)
    expect(String(error)).toMatch(/state unavailable/)
    expect(state.values.get('placement/vm-p')).toMatchObject({ host: 's' })
    expect(workload.paused).toBe(false)
    const before = writer.writes()
    await waitFor(() => writer.writes() > before)
    await writer.stop()
    await waitFor(() => receiver.inProgress === 0)
    expect(readdirSync(targetDir)).toEqual([])
  }, 20_000)
})
