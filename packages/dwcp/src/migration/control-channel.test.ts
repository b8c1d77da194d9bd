import { METRIC_NAMES } from '@dwcp/core'
import { memoryMetrics } from '@dwcp/core/testing'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { createNode } from '../create-node.js'
import type { DwcpNode } from '../node.js'
import { acceptMigrations } from './accept.js'
import { controlFor, MIGRATION_CHANNEL } from './control-channel.js'

const nodes: DwcpNode[] = []
const closers: Array<() => void> = []
afterEach(async () => {
  for (const close of closers.splice(0)) close()
  await Promise.all(nodes.splice(0).map((n) => n.stop()))
})

const encode = (text: string) => new TextEncoder().encode(text)

describe('the migration control channel against a hostile peer', () => {
  it('survives null and every malformed message, counts them, and still serves requests', async () => {
    const metrics = memoryMetrics()
    const a = createNode('internet', { nodeId: 'a', listen: ['tcp://127.0.0.1:0'], tls: false })
    const b = createNode('internet', { nodeId: 'b', listen: ['tcp://127.0.0.1:0'], tls: false, metrics })
    nodes.push(a, b)
    await a.start()
    await b.start()
    closers.push(acceptMigrations(b, { dir: '/nonexistent-never-written' }).close)
    await a.connect(b.addresses()[0] as string)

    // The message that killed a node: `null` on channel migration.
    const hostile = [
      'null',
      '[]',
      '{}',
      '42',
      '"request"',
      '{"kind":"request"}',
      '{"kind":"request","reqId":"x","body":null}',
      '{"kind":"request","reqId":"x","body":{"type":7}}',
      '{"kind":"reply","reqId":"x","ok":false}',
      '{"kind":"request","reqId":',
    ]
    for (const text of hostile) await a.send('b', MIGRATION_CHANNEL, encode(text))
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.json(), fc.string()), async (text) => {
        await a.send('b', MIGRATION_CHANNEL, encode(text))
      }),
      { numRuns: 300, seed: 17 },
    )

    // b is alive and answers: a request for a migration it does not have is refused with a reason.
    await expect(
      controlFor(a).request(
        'b',
        { type: 'applied', migrationId: 'nope', messages: 0 },
        { timeoutMs: 10_000 },
      ),
    ).rejects.toThrow(/no migration nope/)
    expect(b.health().started).toBe(true)
    const malformed = metrics.counterValue(METRIC_NAMES.errors, {
      component: 'migration',
      code: 'DWCP_ERR_FRAME_CORRUPT',
    })
    expect(malformed).toBeGreaterThanOrEqual(hostile.length)
  })
})
